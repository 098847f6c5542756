"""Forms of the Mijn DUO-beheerder screens and the activation page (Dutch labels and errors)."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from pib.constants import Role
from pib.forms import AccessibleFormMixin

from .constants import GRANTABLE_ROLES

ROLE_CHOICES = [(role.value, role.label) for role in Role if role in GRANTABLE_ROLES]


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", ROLE_CHOICES)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Accountrollen")
        kwargs.setdefault("error_messages", {"invalid_choice": "Kies alleen accountrollen uit de lijst."})
        super().__init__(**kwargs)


class AccountCreateForm(AccessibleFormMixin, forms.Form):
    username = forms.CharField(
        label="Gebruikersnaam",
        max_length=150,
        validators=[UnicodeUsernameValidator(message="Gebruik alleen letters, cijfers en de tekens @ . + - _.")],
        error_messages={"required": "Vul een gebruikersnaam in.", "max_length": "Vul hoogstens 150 tekens in."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    first_name = forms.CharField(
        label="Voornaam",
        max_length=150,
        error_messages={"required": "Vul een voornaam in.", "max_length": "Vul hoogstens 150 tekens in."},
    )
    last_name = forms.CharField(
        label="Achternaam",
        max_length=150,
        error_messages={"required": "Vul een achternaam in.", "max_length": "Vul hoogstens 150 tekens in."},
    )
    email = forms.EmailField(
        label="E-mailadres",
        max_length=254,
        help_text="Hierheen gaat de activatiecode.",
        error_messages={
            "required": "Vul een e-mailadres in.",
            "invalid": "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl.",
            "max_length": "Vul hoogstens 254 tekens in.",
        },
    )
    roles = RolesField()


class RolesForm(AccessibleFormMixin, forms.Form):
    roles = RolesField()


METHOD_PASSWORD, METHOD_SSO = "wachtwoord", "organisatie"


class ActivationForm(AccessibleFormMixin, forms.Form):
    username = forms.CharField(
        label="Gebruikersnaam",
        max_length=150,
        error_messages={"required": "Vul uw gebruikersnaam in.", "max_length": "Vul hoogstens 150 tekens in."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Activatiecode",
        max_length=40,
        help_text="De code uit de e-mail, bijvoorbeeld ABCD-EFGH-JKMN-PQRS.",
        error_messages={"required": "Vul de activatiecode in.", "max_length": "Vul hoogstens 40 tekens in."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    method = forms.ChoiceField(
        label="Hoe logt u voortaan in?",
        choices=[
            (METHOD_PASSWORD, "Met een eigen wachtwoord en een code uit een authenticator-app op uw telefoon"),
            (METHOD_SSO, "Via uw organisatie (de inlog van uw gemeente of eHerkenning)"),
        ],
        initial=METHOD_PASSWORD,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Kies hoe u voortaan inlogt.",
            "invalid_choice": "Kies hoe u voortaan inlogt.",
        },
    )
    password1 = forms.CharField(
        label="Nieuw wachtwoord",
        required=False,
        strip=False,
        max_length=128,
        help_text="Ten minste 12 tekens; geen veelgebruikt wachtwoord en niet alleen cijfers.",
        error_messages={"required": "Kies een wachtwoord.", "max_length": "Vul hoogstens 128 tekens in."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Herhaal het wachtwoord",
        required=False,
        strip=False,
        max_length=128,
        error_messages={"required": "Herhaal het wachtwoord.", "max_length": "Vul hoogstens 128 tekens in."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, sso_enabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sso_enabled = sso_enabled
        if not sso_enabled:  # without single sign-on there is one way: the password (and the app)
            del self.fields["method"]

    @property
    def uses_sso(self) -> bool:
        return self.sso_enabled and self.cleaned_data.get("method") == METHOD_SSO

    def clean(self):
        cleaned = super().clean()
        if self.sso_enabled and cleaned.get("method") != METHOD_PASSWORD:
            return cleaned  # no password: the organisation's sign-in replaces it
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if not first and "password1" not in self.errors:
            self.add_error("password1", "Kies een wachtwoord.")
        if not second and "password2" not in self.errors:
            self.add_error("password2", "Herhaal het wachtwoord.")
        if first and second and first != second:
            self.add_error("password2", "De twee wachtwoorden zijn niet gelijk.")
        return cleaned
