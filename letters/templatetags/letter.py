"""Template filters of the letter.

``no_break_at_hyphens``: a line may not break after a hyphen or slash inside an address, an
e-mail or a web address (it would read as a hyphenated word: "e-" / "mail"). A WORD JOINER
(U+2060, zero width, not printed and not extracted as text) follows every such character.
An over-long value still wraps (``overflow-wrap: anywhere`` on ``.address``), without a hyphen.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

WORD_JOINER = "\u2060"


@register.filter
def no_break_at_hyphens(value):
    text = str(conditional_escape(value if value is not None else ""))
    return mark_safe(text.replace("-", "-" + WORD_JOINER).replace("/", "/" + WORD_JOINER))  # noqa: S308 - escaped above
