"""Private formatting filters of the ELIP person screens, until the shared ``euro``/``datum``
filters of ``pib/templatetags/portal.py`` exist: amounts ``€ 1.280,00``, dates dd-mm-jjjj."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def euro(value):
    """``Decimal("1280")`` -> ``€ 1.280,00``; empty values -> ``-``."""
    if value is None or value == "":
        return "-"
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return "-"
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {sign}{text}"


@register.filter
def datum(value):
    """A date as dd-mm-jjjj; empty -> ``-``."""
    if not isinstance(value, dt.date):
        return "-"
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


@register.filter
def datum_woorden(value):
    """A date in words as the manual's overview: ``31 maart 2023``."""
    if not isinstance(value, dt.date):
        return "-"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
