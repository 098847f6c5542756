"""Read logging: every screen, PDF or CSV that shows a person's data writes log rows
in the same request. Append-only; the BSN is only ever stored as a keyed hash."""

import hashlib

from django.conf import settings

from .models import ReadLogEntry
from .validators import normalize_bsn


def bsn_hash(bsn: str) -> str:
    """Keyed hash of a BSN, so DUO can search the log by BSN without it being stored in plain text."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{normalize_bsn(bsn)}".encode()).hexdigest()


def log_read(
    request, *, screen: str, persons=(), role: str = "", result=ReadLogEntry.Result.SHOWN, bsn: str = ""
) -> None:
    """One row per person shown (one INSERT for all); one row without person when none is shown
    (a search with no result, a denied request) — with ``bsn`` the searched number is kept as a
    keyed hash, so DUO can still find who looked for it."""
    base = {
        "user": request.user,
        "municipality": getattr(request, "municipality", None),
        "role": role,
        "screen": screen,
        "result": result,
    }
    rows = [ReadLogEntry(person=p, bsn_hash=bsn_hash(p.bsn), **base) for p in persons]
    ReadLogEntry.objects.bulk_create(rows or [ReadLogEntry(bsn_hash=bsn_hash(bsn) if bsn else "", **base)])
