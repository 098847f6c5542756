"""ELIP screens: ``brief`` (Beheren ELIP brief, manual §3.3–3.6) and ``persons`` (chapter 4)."""
