"""Shared template filters and tags of the portal (``{% load portal %}``).

- ``{{ amount|euro }}``      Decimal("1280") -> ``€ 1.280,00``; negative ``€ -12,50``; empty -> ``-``
- ``{{ day|datum }}``        a date (or an aware datetime, in Europe/Amsterdam) -> ``dd-mm-jjjj``; empty -> ``-``
- ``{{ moment|datumtijd }}`` an aware datetime -> ``dd-mm-jjjj uu:mm``
- ``{{ day|datum_woorden }}`` a date -> ``31 maart 2023`` (the manual's overview and letter); empty -> ``-``
- ``{{ n|aantal }}``         1280 -> ``1.280``
- ``{% portal_url "app:name" as url %}`` the URL, or "" when the name does not exist (yet)
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pib.dates import date_in_words

register = template.Library()

EMPTY = "-"


def _grouped(text: str) -> str:
    """'1,280.00' (Python's grouping) -> '1.280,00' (Dutch)."""
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@register.filter
def euro(value):
    if value is None or value == "":
        return EMPTY
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return EMPTY
    sign = "-" if amount < 0 else ""
    return f"€ {sign}{_grouped(f'{abs(amount):,.2f}')}"


@register.filter
def aantal(value):
    try:
        return _grouped(f"{int(value):,}")
    except (TypeError, ValueError):
        return EMPTY


@register.filter
def datum(value):
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    if not isinstance(value, dt.date):
        return EMPTY
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


@register.filter
def datum_woorden(value):
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_in_words(value) if isinstance(value, dt.date) else EMPTY


@register.filter
def datumtijd(value):
    if not isinstance(value, dt.datetime):
        return datum(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{datum(value.date())} {value.hour:02d}:{value.minute:02d}"


@register.simple_tag
def portal_url(name, *args):
    """Like ``{% url %}``, but "" instead of an error for a URL name that is not (yet) there,
    so a screen of another part can be linked before it exists."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""
