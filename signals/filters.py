"""The search of "Zoeken signalen" (django-filter). The BSN is only ever POSTed or kept in the
session; it never becomes a query-string parameter (ASVS 14.2.1)."""

import django_filters

from pib.forms import BsnField

from .constants import SignalCode, SignalStatus
from .forms import SignalSearchBaseForm, SplitDateField

OPEN = "open"
STATUS_CHOICES = [(OPEN, "Nog niet afgehandeld (Nieuw of In behandeling)"), *SignalStatus.choices]
CODE_CHOICES = [(code.value, f"{code.value} – {code.label}") for code in SignalCode]


class BsnFilter(django_filters.CharFilter):
    field_class = BsnField


class SplitDateFilter(django_filters.DateFilter):
    field_class = SplitDateField


class SignalFilter(django_filters.FilterSet):
    bsn = BsnFilter(label="Burgerservicenummer", field_name="person__bsn", lookup_expr="exact")
    date_from = SplitDateFilter(label="Datum signaal vanaf", field_name="placed_on", lookup_expr="gte")
    date_to = SplitDateFilter(label="Datum signaal tot en met", field_name="placed_on", lookup_expr="lte")
    code = django_filters.ChoiceFilter(label="Code signaal", choices=CODE_CHOICES, empty_label="Alle codes")
    status = django_filters.ChoiceFilter(
        label="Status signaal", choices=STATUS_CHOICES, empty_label="Alle statussen", method="filter_status"
    )

    class Meta:
        form = SignalSearchBaseForm
        fields: list = []

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.exclude(status=SignalStatus.DONE)
        return queryset.filter(status=value)
