"""Shared template filters of the portal (``{% load portal %}``): thin wrappers around
``pib.formatting``, the one home of Dutch formatting (screens, CSV and letter read alike).

- ``{{ amount|euro }}``       Decimal("1280") -> ``€ 1.280,00``; negative ``€ -12,50``; empty -> ``-``
- ``{{ day|datum }}``         a date (or an aware datetime, in Europe/Amsterdam) -> ``dd-mm-jjjj``; empty -> ``-``
- ``{{ moment|datumtijd }}``  an aware datetime -> ``dd-mm-jjjj uu:mm``
- ``{{ day|datum_woorden }}`` a date -> ``31 maart 2023`` (the manual's overview and letter); empty -> ``-``
- ``{{ n|aantal }}``          1280 -> ``1.280``
- ``{{ text|zonder_bidi }}``  the text without bidi control characters (for ``<title>``)
- ``{{ number|telefoon }}``   ``0503679111`` -> ``050 367 91 11``; empty -> ``-``
"""

from django import template

from pib import formatting
from pib.validators import strip_bidi_controls

register = template.Library()

EMPTY = formatting.EMPTY


@register.filter
def zonder_bidi(value):
    """Text without bidirectional control characters, where no <bdi> can isolate it (<title>)."""
    return strip_bidi_controls(value)


@register.filter
def euro(value):
    return formatting.euro(value)


@register.filter
def aantal(value):
    return formatting.number(value)


@register.filter
def datum(value):
    return formatting.date_figures(value)


@register.filter
def datum_woorden(value):
    return formatting.date_words(value)


@register.filter
def datumtijd(value):
    return formatting.datetime_figures(value)


@register.filter
def telefoon(value):
    return formatting.format_phone(value) or EMPTY
