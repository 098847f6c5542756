from django import forms

from pib.forms import AccessibleFormMixin


class TokenForm(AccessibleFormMixin, forms.Form):
    """One code: six digits from the authenticator app, or one backup code."""

    token = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Vul de code in.", "max_length": "Deze code is te lang."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def clean_token(self):
        token = "".join(self.cleaned_data["token"].split()).lower()
        if not token.isascii() or not token.isalnum():
            raise forms.ValidationError("Een code bestaat alleen uit cijfers en letters.")
        return token
