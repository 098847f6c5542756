"""Password rules beyond Django's own (minimum length 12, common list, numeric, similarity).

``CommonPasswordBaseValidator`` rejects a password that is a common password, or a common password
with digits or punctuation around it (``Welkom123456``, ``!!Feyenoord1908``): it checks Django's
list of 20,000 common passwords plus the Dutch list shipped in ``accounts/data/``. It also rejects
passwords with fewer than five different characters (``aaaaaaaaaaaa``, ``121212121212``).
It runs wherever Django validates a password: the admin's add-user and set-password forms too.
"""

import re
from functools import cache
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator, MinimumLengthValidator
from django.core.exceptions import ValidationError

DUTCH_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-nl.txt"
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@cache
def _common_words(path: str) -> frozenset[str]:
    dutch = {line.strip().lower() for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()}
    return frozenset(dutch | CommonPasswordValidator().passwords)


class CommonPasswordBaseValidator:
    def __init__(self, password_list_path=DUTCH_LIST, min_distinct=5):
        self.password_list_path = str(password_list_path)
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        lowered = password.strip().lower()
        words = _common_words(self.password_list_path)
        core = _AROUND.sub("", lowered)
        if lowered in words or core in words:
            raise ValidationError(
                "Dit wachtwoord lijkt te veel op een veelgebruikt wachtwoord. Kies een ander wachtwoord.",
                code="password_too_common",
            )
        if len(set(lowered)) < self.min_distinct:
            raise ValidationError(
                f"Dit wachtwoord heeft te weinig verschillende tekens. Gebruik er minstens {self.min_distinct}.",
                code="password_too_repetitive",
            )

    def get_help_text(self):
        return (
            "Uw wachtwoord mag geen veelgebruikt wachtwoord zijn (ook niet met cijfers of leestekens ervoor "
            f"of erachter) en moet minstens {self.min_distinct} verschillende tekens hebben."
        )


class DutchMinimumLengthValidator(MinimumLengthValidator):
    """Django's minimum length, with a Dutch message (Django's own is not translated into Dutch)."""

    def get_error_message(self):
        return f"Dit wachtwoord is te kort. Gebruik minstens {self.min_length} tekens."

    def get_help_text(self):
        return f"Uw wachtwoord moet minstens {self.min_length} tekens hebben."
