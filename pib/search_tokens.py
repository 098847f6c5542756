"""Search criteria kept server-side behind an opaque token: the one home of this rule.

A search that may hold a BSN is POSTed, stored in the session under a random token, and from
then on only the token travels in URLs (pagination, sorting, CSV links). Used by the DUO admin's
search box (``pib/admin_base.py``) and "Zoeken signalen" (``signals/views.py``).

Guarantees:

* ``search_store`` never writes a BSN into the session: every criterion whose value is a
  BSN-shaped number (8 or 9 digits once spaces, dots and dashes are removed) is replaced by a
  reference — the person's opaque ``public_id`` when a person with that BSN exists, else a keyed
  HMAC of the number (``django.utils.crypto.salted_hmac``, derived from ``SECRET_KEY``);
* ``search_load`` resolves a reference to the person's current BSN; a reference that names no
  person (the HMAC, or a person since removed) resolves to ``None``, so the caller can make such
  a search match nothing instead of everything;
* a token is 12 URL-safe random characters and names a search of one kind in one session; at most
  ``KEEP`` searches per kind are kept (the oldest goes first); an unknown token loads as ``None``.
"""

from __future__ import annotations

import re
import secrets

from django.utils.crypto import salted_hmac

from .models import Person
from .validators import normalize_bsn

SESSION_PREFIX = "zoekopdrachten_"
KEEP = 20
HMAC_SALT = "pib.search_tokens.bsn"
TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")
_BSN_SHAPED = re.compile(r"[0-9]{8,9}")
_SEPARATORS = re.compile(r"[\s.\-]")

# A reference in the stored criteria: {"persoon": "<public_id>"} or {"bsn_hmac": "<hex>"}.
PERSON_REF = "persoon"
HMAC_REF = "bsn_hmac"


def is_bsn_shaped(value) -> bool:
    return isinstance(value, str) and bool(_BSN_SHAPED.fullmatch(_SEPARATORS.sub("", value)))


def _reference(value: str) -> dict:
    bsn = normalize_bsn(value)
    public_id = Person.objects.filter(bsn=bsn).values_list("public_id", flat=True).first()
    if public_id is not None:
        return {PERSON_REF: str(public_id)}
    return {HMAC_REF: salted_hmac(HMAC_SALT, bsn).hexdigest()}


def _resolve(value):
    if not isinstance(value, dict):
        return value
    if PERSON_REF in value:
        return Person.objects.filter(public_id=value[PERSON_REF]).values_list("bsn", flat=True).first()
    return None  # a keyed hash names no person: nothing can match it


def search_store(request, kind: str, criteria: dict) -> str:
    """Keep ``criteria`` (a flat dict of strings) for this session; return its new token."""
    stored = {key: _reference(value) if is_bsn_shaped(value) else value for key, value in criteria.items()}
    key = SESSION_PREFIX + kind
    searches = dict(request.session.get(key, {}))
    token = secrets.token_urlsafe(9)
    searches[token] = stored
    while len(searches) > KEEP:
        searches.pop(next(iter(searches)))
    request.session[key] = searches
    return token


def search_load(request, kind: str, token: str) -> dict | None:
    """The criteria behind ``token`` with BSNs resolved (``None`` for one that names no person),
    or ``None`` when this session has no such search."""
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        return None
    stored = request.session.get(SESSION_PREFIX + kind, {}).get(token)
    if stored is None:
        return None
    return {key: _resolve(value) for key, value in stored.items()}
