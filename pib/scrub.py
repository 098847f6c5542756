"""Keeps BSNs and names out of log lines and error reports.

Guarantees (tests/pib/test_scrub.py, with generated BSNs):

* every elfproef-valid nine-digit number in any string (also written 1234.56.782 or 1234 56 782,
  also inside longer text, URLs and JSON) is replaced by ``[bsn]``; other numbers stay;
* every value under a name, address or identity key (``first_names``, ``last_name``,
  ``contact_name``, ``username``, ``bsn``, …, matched case-insensitively, anywhere in nested
  dicts and lists) is replaced by ``[verwijderd]``.
Both work on any JSON-like structure: a structlog event, a Sentry event, a breadcrumb.
"""

from __future__ import annotations

import re

from .validators import is_valid_bsn

BSN_MARK = "[bsn]"
REMOVED = "[verwijderd]"
# Nine digits, optionally grouped 4-2-3 with dots or spaces, not part of a longer digit run.
NINE_DIGITS = re.compile(r"(?<![0-9])([0-9]{4})([ .]?)([0-9]{2})\2([0-9]{3})(?![0-9])")
PERSONAL_KEYS = frozenset(
    {
        "bsn",
        "burgerservicenummer",
        "name",
        "naam",
        "names",
        "first_name",
        "first_names",
        "given_name",
        "given_names",
        "voornaam",
        "voornamen",
        "initials",
        "voorletters",
        "prefix",
        "voorvoegsel",
        "last_name",
        "family_name",
        "surname",
        "achternaam",
        "full_name",
        "display_name",
        "contact_name",
        "contactpersoon",
        "username",
        "email",
        "street",
        "straat",
        "house_number",
        "postcode",
        "date_of_birth",
        "birth_date",
        "geboortedatum",
    }
)
# Keys containing one of these are name fields too (contact_first_name, person_last_names, …).
NAME_PARTS = ("first_name", "last_name", "given_name", "family_name", "voornam", "achternaam", "contact_name")
MAX_DEPTH = 40
QUERY_FIELD = re.compile(r"((?:^|(?<=[?&;\s]))([A-Za-z_]+)=)[^&;#\s]*")


def scrub_text(text: str) -> str:
    def replace(match: re.Match) -> str:
        digits = match.group(1) + match.group(3) + match.group(4)
        return BSN_MARK if is_valid_bsn(digits) else match.group(0)

    text = NINE_DIGITS.sub(replace, text)
    if "=" in text:  # query strings and form bodies: naam=…&first_names=…
        text = QUERY_FIELD.sub(lambda m: m.group(1) + REMOVED if is_personal_key(m.group(2)) else m.group(0), text)
    return text


def is_personal_key(key) -> bool:
    if not isinstance(key, str):
        return False
    lowered = key.lower().strip()
    return lowered in PERSONAL_KEYS or any(part in lowered for part in NAME_PARTS)


def scrub(value, _depth: int = 0):
    """A copy of ``value`` without BSNs and personal fields (dicts, lists, tuples, strings, numbers)."""
    if _depth > MAX_DEPTH:
        return REMOVED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, bytes):
        return scrub_text(value.decode("utf-8", "replace"))
    if isinstance(value, int) and not isinstance(value, bool):
        # An int loses a BSN's leading zero: 8 or 9 digits, checked zero-padded.
        return BSN_MARK if 10_000_000 <= value <= 999_999_999 and is_valid_bsn(str(value).zfill(9)) else value
    if isinstance(value, dict):
        return {key: (REMOVED if is_personal_key(key) else scrub(item, _depth + 1)) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub(item, _depth + 1) for item in value]
    if value is None or isinstance(value, bool | float):
        return value
    return scrub_text(str(value))


def structlog_processor(logger, method_name, event_dict):
    """structlog processor: the whole event, scrubbed (the last step before rendering)."""
    return scrub(event_dict)
