"""The "Logboek accountrollen" table (django-tables2, driven by ``pib.tables`` like every list)."""

import django_tables2 as tables

from .models import AccountChange


class AccountChangeTable(tables.Table):
    at = tables.Column(verbose_name="Tijdstip", orderable=False)
    actor_username = tables.Column(verbose_name="Door", orderable=False)
    action = tables.Column(verbose_name="Wijziging", orderable=False)
    role = tables.Column(verbose_name="Accountrol", orderable=False)
    username = tables.Column(verbose_name="Gebruiker", orderable=False)

    class Meta:
        model = AccountChange
        fields = ("at", "actor_username", "action", "role", "username")
        page_field = "pagina"
        order_by_field = "sorteer"
