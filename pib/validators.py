"""Validators for Dutch identifiers, built on python-stdnum (no hand-written elfproef)."""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import postcode as stdnum_postcode

# The one message for a BSN that is not one (model field, form field, every screen).
BSN_INVALID = "Vul een geldig burgerservicenummer in: 9 cijfers die voldoen aan de elfproef."


def normalize_bsn(value: str) -> str:
    """Strip separators and left-pad to nine digits (a BSN may start with zeros)."""
    digits = stdnum_bsn.compact(str(value or ""))
    return digits.zfill(9) if digits.isdigit() and 8 <= len(digits) <= 9 else digits


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
