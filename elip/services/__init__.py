"""ELIP writes, one module per part: ``enrolment`` (Beheren ELIP brief) and ``weekly_run``."""
