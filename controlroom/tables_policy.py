"""Tables of the policy what-if (sortable, fixed page size through pib.tables)."""

import django_tables2 as tables

from pib.formatting import number

from .tables import NUMERIC, CountColumn, _Meta


def signed(value) -> str:
    """``+12``, ``−3``, ``0`` (a real minus sign)."""
    if not value:
        return "0"
    return f"+{number(value)}" if value > 0 else f"−{number(-value)}"


class SignedColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, attrs=NUMERIC, **kwargs)

    def render(self, value):
        return signed(value)


class WhatIfTable(tables.Table):
    caption = "Effect per gemeente"

    gemeente = tables.Column("Gemeente", accessor="name")
    code = tables.Column("Code", accessor="code")
    aangemeld = tables.BooleanColumn("Aangemeld", accessor="enrolled", yesno="ja,nee")
    nu = CountColumn("Geselecteerd nu", accessor="selected_now")
    concept = CountColumn("Geselecteerd concept", accessor="selected_draft")
    verschil = SignedColumn("Verschil", accessor="change")
    brieven_nu = CountColumn("Nieuwe brieven nu", accessor="new_letters_now")
    brieven_concept = CountColumn("Nieuwe brieven concept", accessor="new_letters_draft")
    verschil_brieven = SignedColumn("Verschil brieven", accessor="change_letters")

    class Meta(_Meta):
        order_by = ("gemeente",)
        empty_text = "Geen gemeenten."
