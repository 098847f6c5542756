"""Form fields of the search screen: a date in three parts (dag, maand, jaar) as the manual's
screen shows it. (The BSN field is the shared ``pib.forms.BsnField``.)"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from pib.forms import AccessibleFormMixin

DATE_PARTS = (("dag", 2), ("maand", 2), ("jaar", 4))


class SplitDateWidget(forms.MultiWidget):
    template_name = "signals/widgets/split_date.html"

    def __init__(self, attrs=None):
        widgets = [
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "size": size,
                    "maxlength": size,
                    "autocomplete": "off",
                    "class": "portal-textbox--short",
                }
            )
            for _, size in DATE_PARTS
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for sub, (label, _) in zip(context["widget"]["subwidgets"], DATE_PARTS, strict=True):
            sub["label"] = label
        return context


class SplitDateField(forms.MultiValueField):
    widget = SplitDateWidget

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        error = {"invalid": "Vul een geldig getal in."}
        fields = (
            forms.IntegerField(min_value=1, max_value=31, error_messages=error),
            forms.IntegerField(min_value=1, max_value=12, error_messages=error),
            forms.IntegerField(min_value=1900, max_value=2999, error_messages=error),
        )
        kwargs.setdefault("required", False)
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def clean(self, value):
        parts = [str(v).strip() if v is not None else "" for v in (value or [])]
        if not any(parts):
            return None
        if not all(parts) or len(parts) != 3:
            raise ValidationError("Vul een volledige datum in: dag, maand en jaar.", code="incomplete")
        try:
            day, month, year = (int(p) for p in parts)
            return dt.date(year, month, day)
        except (ValueError, OverflowError):
            raise ValidationError("Vul een bestaande datum in, bijvoorbeeld 14 6 2023.", code="invalid_date") from None

    def compress(self, data_list):  # pragma: no cover - clean() is overridden
        return None


class SignalSearchBaseForm(AccessibleFormMixin, forms.Form):
    """Whole-form checks of the search (FilterSet form base)."""

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "De datum 'tot en met' ligt vóór de datum 'vanaf'. Pas de datums aan.")
        return cleaned
