"""Formatting of the ELIP person screens beyond the shared filters of ``pib/templatetags/portal.py``
(``euro``, ``datum``): the manual's date in words in 'Overzicht ELIP' (``31 maart 2023``)."""

import datetime as dt

from django import template

register = template.Library()

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
    """A date in words as the manual's overview: ``31 maart 2023``; empty -> ``-``."""
    if not isinstance(value, dt.date):
        return "-"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
