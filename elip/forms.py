"""Forms of the Beheren ELIP brief screens (the rules live in elip.services.enrolment; the form only
collects the fields and hands them to ``validate_enrolment_data``), the digest settings and the Werkvoorraad filters."""

from django import forms
from django.core.exceptions import ValidationError

from elip.services.enrolment import ENROLMENT_FIELDS, FIELD_LABELS, validate_enrolment_data
from pib.forms import AccessibleFormMixin
from signals.forms import SplitDateField

from .worklist import ROUTE_CHOICES, WorklistFilters

SIZES = {"postcode": "utrecht-textbox--postal-code-nl-size", "number": "utrecht-textbox--house-number-size"}


def _text(label, *, autocomplete=None, input_type="text", help_text="", size=None, inputmode=None):
    attrs = {}
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    if inputmode:
        attrs["inputmode"] = inputmode
    if size:
        attrs["class"] = SIZES[size]  # the component class itself comes from AccessibleFormMixin
    widget = {"email": forms.EmailInput, "tel": forms.TextInput}.get(input_type, forms.TextInput)(attrs=attrs)
    if input_type == "tel":
        widget.input_type = "tel"
    return forms.CharField(label=label, required=False, widget=widget, help_text=help_text, strip=True)


class EnrolmentForm(AccessibleFormMixin, forms.Form):
    """'Elip aanmelden' (manual §3.4), fields in the manual's order. Also used for 'Wijzig'."""

    letter_phone = _text(FIELD_LABELS["letter_phone"], input_type="tel", help_text="Bijvoorbeeld 050 123 45 67.")
    letter_email = _text(FIELD_LABELS["letter_email"], input_type="email")
    letter_website = _text(
        FIELD_LABELS["letter_website"], inputmode="url", help_text="Bijvoorbeeld www.gemeente.nl/inburgering."
    )
    contact_name = _text(FIELD_LABELS["contact_name"], autocomplete="name")
    contact_phone = _text(FIELD_LABELS["contact_phone"], input_type="tel", autocomplete="tel")
    contact_email = _text(FIELD_LABELS["contact_email"], input_type="email", autocomplete="email")
    contact_postcode = _text(FIELD_LABELS["contact_postcode"], autocomplete="postal-code", size="postcode")
    contact_house_number = _text(FIELD_LABELS["contact_house_number"], inputmode="numeric", size="number")
    contact_house_number_addition = _text(FIELD_LABELS["contact_house_number_addition"], size="number")
    contact_street = _text(FIELD_LABELS["contact_street"], autocomplete="address-line1")
    contact_city = _text(FIELD_LABELS["contact_city"], autocomplete="address-level2")

    summary_labels = {
        "letter_phone": "Telefoonnummer in de brief",
        "letter_email": "E-mailadres in de brief",
        "letter_website": "Webadres in de brief",
        "contact_phone": "Telefoonnummer van de contactpersoon",
        "contact_email": "E-mailadres van de contactpersoon",
    }

    letter_field_names = ("letter_phone", "letter_email", "letter_website")
    contact_field_names = ("contact_name", "contact_phone", "contact_email")
    address_field_names = ("contact_postcode", "contact_house_number", "contact_house_number_addition")
    address_line_names = ("contact_street", "contact_city")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()

    def clean(self):
        data = super().clean()
        try:
            return validate_enrolment_data({name: data.get(name, "") for name in ENROLMENT_FIELDS})
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
            return self.cleaned_data

    # Grouped bound fields for the template (the manual's blocks).
    def letter_fields(self):
        return [self[name] for name in self.letter_field_names]

    def contact_fields(self):
        return [self[name] for name in self.contact_field_names]

    def address_fields(self):
        return [self[name] for name in self.address_field_names]

    def address_lines(self):
        return [self[name] for name in self.address_line_names]


class DigestSettingsForm(AccessibleFormMixin, forms.Form):
    """Instellingen: the weekly digest on or off (docs/digest.md)."""

    digest = forms.ChoiceField(
        label="Wekelijkse samenvatting per e-mail",
        choices=[
            ("aan", "Ja, stuur mij na elke wekelijkse ELIP-run een samenvatting"),
            ("uit", "Nee, ik wil geen samenvatting ontvangen"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Kies of u de wekelijkse samenvatting wilt ontvangen.",
            "invalid_choice": "Kies of u de wekelijkse samenvatting wilt ontvangen.",
        },
    )


class WorklistFilterForm(AccessibleFormMixin, forms.Form):
    """The filters of the Werkvoorraad, read from the query string (no personal data in them: the
    values are choices, a date and two ticks). Anything else a URL holds is a Dutch form error."""

    CHOICE_ERROR = {"invalid_choice": "Kies een van de keuzes in de lijst."}
    TERM_CHOICES = [
        ("", "Alle"),
        ("3", "Verstreken of binnen 3 maanden"),
        ("6", "Verstreken of binnen 6 maanden"),
    ]

    termijn = forms.ChoiceField(
        label="Einde inburgeringstermijn",
        choices=TERM_CHOICES,
        required=False,
        error_messages=CHOICE_ERROR,
    )
    route = forms.ChoiceField(
        label="Route",
        choices=[("", "Alle routes"), *ROUTE_CHOICES],
        required=False,
        error_messages=CHOICE_ERROR,
    )
    nieuw_sinds = SplitDateField(
        label="ELIP sinds (datum ELIP-brief) vanaf", help_text="Bijvoorbeeld 1 11 2026.", required=False
    )
    contactpersoon = forms.BooleanField(label="Alleen inburgeraars met mij als contactpersoon", required=False)
    keurmerk = forms.BooleanField(
        label="Alleen inburgeraars van een school die het keurmerk Blik op Werk verloor", required=False
    )

    def filters(self) -> WorklistFilters:
        """The cleaned values as ``WorklistFilters`` (call after ``is_valid()``)."""
        data = self.cleaned_data
        return WorklistFilters(
            term_months=int(data["termijn"]) if data.get("termijn") else None,
            route=int(data["route"]) if data.get("route") else None,
            new_since=data.get("nieuw_sinds"),
            mine=bool(data.get("contactpersoon")),
            quality_mark_lost=bool(data.get("keurmerk")),
        )
