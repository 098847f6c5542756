"""Read logging: every screen, PDF or CSV that shows a person's data writes log rows
in the same request. Append-only (in PostgreSQL too: see the read-log trigger migration).

The BSN is only ever stored as HMAC-SHA256 under ``READLOG_KEY`` — a key of its own, not
``SECRET_KEY`` — with the id of that key (``READLOG_KEY_ID``) on each row. After a rotation the
old key stays in ``READLOG_OLD_KEYS`` so DUO can still search older rows by BSN
(``bsn_hash_lookup``); see docs/privacy.md."""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import ReadLogEntry
from .validators import normalize_bsn


def _keys() -> dict[str, str]:
    """Every known read-log key by id, the current one included."""
    return {**getattr(settings, "READLOG_OLD_KEYS", {}), settings.READLOG_KEY_ID: settings.READLOG_KEY}


def bsn_hash(bsn: str, key_id: str | None = None) -> str:
    """HMAC-SHA256 of the normalised BSN under the key ``key_id`` (default: the current key)."""
    key = _keys()[key_id or settings.READLOG_KEY_ID]
    return hmac.new(key.encode(), normalize_bsn(bsn).encode(), hashlib.sha256).hexdigest()


def bsn_hash_lookup(bsn: str) -> Q:
    """Rows whose hash is this BSN's under the key they were written with (any known key)."""
    query = Q(pk__in=[])
    for key_id in _keys():
        query |= Q(bsn_key_id=key_id, bsn_hash=bsn_hash(bsn, key_id))
    # Rows written before READLOG_KEY existed (no key id): sha256 over SECRET_KEY and the BSN.
    legacy = hashlib.sha256(f"{settings.SECRET_KEY}:{normalize_bsn(bsn)}".encode()).hexdigest()
    return query | Q(bsn_key_id="", bsn_hash=legacy)


_CHOSEN = object()


def log_read(
    request,
    *,
    screen: str,
    persons=(),
    role: str = "",
    result=ReadLogEntry.Result.SHOWN,
    bsn: str = "",
    municipality=_CHOSEN,
) -> None:
    """One row per person shown (one INSERT for all); one row without person when none is shown
    (a search with no result, a denied request) — with ``bsn`` the searched number is kept as a
    keyed hash, so DUO can still find who looked for it. ``municipality`` is the one whose role the
    read used: the chosen one unless given (a regional list logs each person under their own)."""
    base = {
        "user": request.user,
        "municipality": getattr(request, "municipality", None) if municipality is _CHOSEN else municipality,
        "role": role,
        "screen": screen,
        "result": result,
        "bsn_key_id": settings.READLOG_KEY_ID,
    }
    rows = [ReadLogEntry(person=p, bsn_hash=bsn_hash(p.bsn), **base) for p in persons]
    ReadLogEntry.objects.bulk_create(rows or [ReadLogEntry(bsn_hash=bsn_hash(bsn) if bsn else "", **base)])


RETENTION_DAYS = 2 * 365  # also in the trigger migration (pib/migrations/0007): 2 years


def readlog_apply_retention() -> int:
    """Delete read-log rows past the retention period (2 years); the only way rows ever leave the
    log. On PostgreSQL through ``pib_readlog_apply_retention()``, the one path the append-only
    trigger lets through."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pib_readlog_apply_retention()")
            return cursor.fetchone()[0]
    cutoff = timezone.now() - dt.timedelta(days=RETENTION_DAYS)
    return ReadLogEntry.objects.filter(at__lt=cutoff).delete()[0]
