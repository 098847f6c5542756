"""Dutch formatting of amounts, numbers, dates and phone numbers: the one home of these rules.

Screens (the template filters in ``pib/templatetags/portal.py``), the signals CSV and the letter
(``letters/content.py``, ``letters/services.py``) all format through this module, so a value
reads the same everywhere. No locale is needed or consulted.

Guarantees:

* amounts are rounded half up to cents (``9.999,995`` → ``10.000,00``), grouped with a dot
  and written with a decimal comma: ``amount`` → ``1.234,56`` (the letter), ``euro`` →
  ``€ 1.234,56`` (screens); a negative amount keeps its sign after the euro sign (``€ -12,50``)
  and an amount that rounds to zero is never negative (``0,00``);
* ``euro`` and ``number`` turn an empty or unreadable value into ``EMPTY`` (``-``), never an error;
* dates in figures are ``dd-mm-jjjj`` (screens, CSV) or, with ``separator="."``, ``dd.mm.jjjj``
  (the letter's tables); dates in words are ``1 december 2026``; an aware datetime is shown
  in Europe/Amsterdam (the project's ``TIME_ZONE``);
* ``format_phone`` groups a Dutch number for the letter and the screens (``050 367 91 11``,
  ``0575 12 34 56``, ``06 12345678``, ``14 050``, ``0800 1234``), parsed and validated by
  libphonenumber (``phonenumbers``), and returns anything it cannot read as a Dutch number
  unchanged (trimmed), so no input is ever lost;
* ``normalize_phone`` is what is stored: the E.164 form of a valid Dutch number
  (``+31503679111``, the municipal ``+3114050``), or None for anything else (the enrolment form's
  validation; a data migration converted the values stored before).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import phonenumbers
from django.utils import timezone

EMPTY = "-"
CENT = Decimal("0.01")

MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


# --- amounts and counts ------------------------------------------------------------------------


def _grouped(whole: str) -> str:
    """``"1234567"`` → ``"1.234.567"``."""
    return f"{int(whole):,}".replace(",", ".")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def amount(value) -> str:
    """``Decimal("1234.5")`` → ``1.234,50``: thousands dot, decimal comma, no currency sign
    (the letter's loan overview). ``None`` counts as 0; a value that is no number raises ValueError."""
    number = Decimal(0) if value is None else _decimal(value)
    if number is None:
        raise ValueError(f"not an amount: {value!r}")
    number = number.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, cents = f"{abs(number):.2f}".split(".")
    return f"{sign}{_grouped(whole)},{cents}"


def euro(value, empty: str = EMPTY) -> str:
    """``Decimal("1280")`` → ``€ 1.280,00``; ``-12.5`` → ``€ -12,50``; empty or no number → ``empty``."""
    number = _decimal(value)
    if number is None:
        return empty
    return f"€ {amount(number)}"


def number(value, empty: str = EMPTY) -> str:
    """``1280`` → ``1.280`` (a count); empty or no whole number → ``empty``."""
    try:
        whole = int(value)
    except (TypeError, ValueError):
        return empty
    return f"-{_grouped(str(-whole))}" if whole < 0 else _grouped(str(whole))


# --- dates ---------------------------------------------------------------------------------------


def as_local_date(value) -> dt.date | None:
    """A date as it is; an aware datetime as its date in the project's time zone; else None."""
    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value if isinstance(value, dt.date) else None


def date_figures(value, separator: str = "-", empty: str = EMPTY) -> str:
    """``dd-mm-jjjj`` (``dd.mm.jjjj`` with ``separator="."``); no date → ``empty``."""
    day = as_local_date(value)
    if day is None:
        return empty
    return f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year:04d}"


def datetime_figures(value, empty: str = EMPTY) -> str:
    """An aware datetime → ``dd-mm-jjjj uu:mm`` in local time; a plain date → ``dd-mm-jjjj``."""
    if not isinstance(value, dt.datetime):
        return date_figures(value, empty=empty)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{date_figures(value.date())} {value.hour:02d}:{value.minute:02d}"


def date_words(value, empty: str = EMPTY) -> str:
    """``1 december 2026``, as the manual's letter and 'Overzicht ELIP' write it; no date → ``empty``."""
    day = as_local_date(value)
    if day is None:
        return empty
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


# --- phone numbers -------------------------------------------------------------------------------

_MUNICIPAL = re.compile(r"14[0-9]{3,4}")  # "14 050": the municipal short number
_SEPARATORS = re.compile(r"[\s\-./()]")
_GEOGRAPHIC = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def format_phone(value) -> str:
    """A Dutch phone number grouped for reading. Geographic numbers: area code, then the
    subscriber number in groups from the right (``050 367 91 11``, ``020 123 45 67``,
    ``0575 12 34 56``), as the portal's own hint writes them; every other kind as libphonenumber
    groups it (mobile ``06 12345678``, ``0800 1234``, ``088 123 4567``); the municipal number
    ``14 050``. Accepts any written form, including ``+31 …``, ``0031 …`` and ``(0)``; a value that
    is not a valid Dutch number comes back as given (trimmed), empty as empty."""
    text = str(value or "").strip()
    compact = _SEPARATORS.sub("", text.replace("(0)", ""))
    if _MUNICIPAL.fullmatch(compact):
        return f"14 {compact[2:]}"
    try:
        parsed = phonenumbers.parse(compact, "NL")
    except phonenumbers.NumberParseException:
        return text
    if parsed.country_code != 31 or not phonenumbers.is_valid_number(parsed):
        return text
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    if phonenumbers.number_type(parsed) not in _GEOGRAPHIC:
        return national
    area = national.split(" ", 1)[0]
    subscriber = national[len(area) :].replace(" ", "")
    if len(subscriber) == 7:
        return f"{area} {subscriber[:3]} {subscriber[3:5]} {subscriber[5:]}"
    if len(subscriber) == 6:
        return f"{area} {subscriber[:2]} {subscriber[2:4]} {subscriber[4:]}"
    return national


_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})


def normalize_phone(value) -> str | None:
    """E.164 form of a valid Dutch phone number (``+31503679111``; ``14 050`` → ``+3114050``), or None.
    Accepts the written forms ``format_phone`` reads (spaces, dashes, ``+31``, ``0031``, ``(0)``)."""
    text = str(value or "").strip().translate(_DASHES)
    if not text or len(text) > 40 or not text.isascii():
        return None
    compact = _SEPARATORS.sub("", text.replace("(0)", ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    try:
        parsed = phonenumbers.parse(compact, "NL")
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != 31 or not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
