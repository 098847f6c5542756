"""Form pieces shared by every screen: the one BSN field and the accessibility of every form.

``BsnField`` is the only place a typed BSN is read: spaces, dots and dashes are stripped, eight
digits get their leading zero back, the elfproef is checked by python-stdnum
(``pib.validators``), and every failure says the one Dutch message ``BSN_INVALID``. The cleaned
value is the nine-digit BSN, or ``""`` for an empty optional field. The input never autocompletes
and opens a numeric keyboard.

``AccessibleFormMixin`` is the one place where a portal form's inputs get their NL Design System
component classes (``utrecht-textbox``, ``utrecht-select``, ``utrecht-checkbox``, … see
``COMPONENT_CLASSES``; ``--invalid`` when the field has an error), links every input to its hint
and error (``aria-describedby`` with the ids ``templates/partials/field.html`` renders) and gives
``templates/partials/error_summary.html`` its rows (``error_list``).
"""

from django import forms
from django.core.exceptions import ValidationError

from .validators import BSN_INVALID, normalize_bsn, validate_bsn

BSN_REQUIRED = "Vul een burgerservicenummer in."
BSN_MAX_LENGTH = 20  # room for separators ("123.456.789", "1234 56 789"); longer is refused as invalid


# The NL Design System component of each kind of input (static/vendor/utrecht/components.css) and
# its modifier for an input with an error; a widget not listed keeps the browser's look.
COMPONENT_CLASSES = {
    "textbox": ("utrecht-textbox utrecht-textbox--html-input", "utrecht-textbox--invalid"),
    "select": ("utrecht-select utrecht-select--html-select", "utrecht-select--invalid"),
    "textarea": ("utrecht-textarea utrecht-textarea--html-textarea", "utrecht-textarea--invalid"),
    "checkbox": ("utrecht-checkbox utrecht-checkbox--html-input", ""),
    "radio": ("utrecht-radio-button utrecht-radio-button--html-input", "utrecht-radio-button--invalid"),
}


def _component(widget) -> str:
    if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.Select):  # also SelectMultiple
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.widgets.Input) and widget.input_type not in ("hidden", "file", "radio"):
        return "textbox"
    return ""


def _set_component_classes(widget, invalid: bool) -> None:
    """Give ``widget`` (and each part of a MultiWidget) its component class, with the ``--invalid``
    modifier exactly when ``invalid``; classes the form set itself are kept."""
    for part in getattr(widget, "widgets", None) or [widget]:
        kind = _component(part)
        if not kind:
            continue
        base, invalid_class = COMPONENT_CLASSES[kind]
        classes = [c for c in part.attrs.get("class", "").split() if c != invalid_class]
        classes = [c for c in base.split() if c not in classes] + classes
        if invalid and invalid_class:
            classes.append(invalid_class)
        part.attrs["class"] = " ".join(classes)


class AccessibleFormMixin:
    """Gives every input its NL Design System component class, marks fields with errors
    ``aria-invalid`` (and the component's ``--invalid``) and links hint and error text to the input
    (``aria-describedby``), so a screen reader announces them with the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the form's own deep copies: changing them is safe
            _set_component_classes(field.widget, invalid=False)

    def _describe(self):
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-hint")
            invalid = self.is_bound and name in self.errors
            _set_component_classes(field.widget, invalid=invalid)
            if invalid:
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
            forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
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
