"""Form pieces shared by every screen: the one BSN field and the accessibility of every form.

``BsnField`` is the only place a typed BSN is read: spaces, dots and dashes are stripped, eight
digits get their leading zero back, the elfproef is checked by python-stdnum
(``pib.validators``), and every failure says the one Dutch message ``BSN_INVALID``. The cleaned
value is the nine-digit BSN, or ``""`` for an empty optional field. The input never autocompletes
and opens a numeric keyboard.

``AccessibleFormMixin`` links every input to its hint and error (``aria-describedby`` with the
ids ``templates/partials/field.html`` renders) and gives ``templates/partials/error_summary.html``
its rows (``error_list``).
"""

from django import forms
from django.core.exceptions import ValidationError

from .validators import BSN_INVALID, normalize_bsn, validate_bsn

BSN_REQUIRED = "Vul een burgerservicenummer in."
BSN_MAX_LENGTH = 20  # room for separators ("123.456.789", "1234 56 789"); longer is refused as invalid


class AccessibleFormMixin:
    """Marks fields with errors ``aria-invalid`` and links hint and error text to the input
    (``aria-describedby``), so a screen reader announces them with the field."""

    def _describe(self):
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-hint")
            if self.is_bound and name in self.errors:
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def full_clean(self):
        super().full_clean()
        self._describe()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._describe()  # also for an error a view adds after validation ("niet gevonden")

    summary_labels: dict = {}

    def error_list(self):
        """``(input id, label, message)`` per error for the error summary, with a label that says
        which field is meant when two fields share one ("Telefoonnummer")."""
        rows = [("", "", str(error)) for error in self.non_field_errors()]
        for name in self.fields:
            for error in self.errors.get(name, []):
                bound = self[name]
                input_id = f"{bound.auto_id}_0" if bound.use_fieldset else bound.auto_id  # the first input
                rows.append((input_id, self.summary_labels.get(name, self.fields[name].label), error))
        return rows


class BsnField(forms.CharField):
    default_error_messages = {"required": BSN_REQUIRED, "max_length": BSN_INVALID}
    default_validators = [validate_bsn]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", BSN_MAX_LENGTH)
        kwargs.setdefault("label", "Burgerservicenummer")
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"class": "form-input", "inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_bsn(value) if value else value

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError:
            raise ValidationError(BSN_INVALID, code="invalid_bsn") from None
