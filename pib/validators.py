"""Validators for Dutch identifiers, built on python-stdnum (no hand-written elfproef)."""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

# The one message for a BSN that is not one (model field, form field, every screen).
BSN_INVALID = "Vul een geldig burgerservicenummer in: 9 cijfers die voldoen aan de elfproef."


def normalize_bsn(value: str) -> str:
    """Strip separators (spaces, dots, hyphens) and left-pad eight digits to nine (a BSN may start
    with a zero that a spreadsheet dropped). Shorter numbers stay short, so they are refused:
    stdnum's ``compact`` pads anything to nine, which made "61" the valid BSN 000000061."""
    digits = re.sub(r"[\s.\-]", "", str(value or ""))
    return digits.zfill(9) if digits.isdigit() and len(digits) == 8 else digits


def is_valid_bsn(value: str) -> bool:
    digits = normalize_bsn(value)
    return len(digits) == 9 and digits != "000000000" and stdnum_bsn.is_valid(digits)


def validate_bsn(value: str) -> None:
    if not is_valid_bsn(value):
        raise ValidationError(BSN_INVALID, code="invalid_bsn")


def normalize_postcode(value: str) -> str:
    """'1234ab' -> '1234 AB'."""
    compact = re.sub(r"\s+", "", str(value or "")).upper()
    if re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", compact):
        return f"{compact[:4]} {compact[4:]}"
    return str(value or "").strip()


def validate_postcode(value: str) -> None:
    try:
        stdnum_postcode.validate(value)
    except StdnumError:
        raise ValidationError("Vul een geldige postcode in, zoals 1234 AB.", code="invalid_postcode") from None
    if not re.fullmatch(r"[1-9][0-9]{3} ?[A-Za-z]{2}", str(value).strip()):
        raise ValidationError("Vul een geldige postcode in, zoals 1234 AB.", code="invalid_postcode")


# Bidirectional control characters: embeddings and overrides (U+202A–U+202E), isolates
# (U+2066–U+2069) and the marks (U+200E, U+200F). In a name they reorder what follows
# ("Trojan Source"): a name could show as something else in a title, a CSV or a letter.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
BIDI_MESSAGE = (
    "Dit veld bevat een onzichtbaar teken dat de schrijfrichting verandert (bijvoorbeeld U+202E). "
    "Verwijder het en typ de tekst opnieuw."
)


def has_bidi_controls(value) -> bool:
    return any(char in BIDI_CONTROLS for char in str(value or ""))


def strip_bidi_controls(value) -> str:
    """For output of older data: the text without its bidirectional control characters."""
    return "".join(char for char in str(value or "") if char not in BIDI_CONTROLS)


def validate_no_bidi_controls(value) -> None:
    if has_bidi_controls(value):
        raise ValidationError(BIDI_MESSAGE, code="bidi_control")


def validate_house_number(value) -> None:
    """BRP 11.20 huisnummer: 1 to 99999 (five digits)."""
    if not (isinstance(value, int) and 1 <= value <= 99999):
        raise ValidationError("Vul een huisnummer in van 1 tot en met 99999.", code="invalid_house_number")
