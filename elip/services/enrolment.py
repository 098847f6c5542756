"""Beheren ELIP brief: a municipality enrols for ELIP letters, changes its data, withdraws
(manual §3.3–3.6).

``validate_enrolment_data`` is the one place with the manual's §3.4 rules; the form calls it
and every service calls it again, so nothing reaches the database unchecked. Each write keeps
a history row (``ElipEnrolmentChange``: who, when, and per field ``[old, new]``).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from elip.constants import EnrolmentAction, EnrolmentStatus
from elip.models import ElipEnrolment, ElipEnrolmentChange
from pib.formatting import normalize_phone
from pib.validators import normalize_postcode, validate_postcode

# In the manual's order (§3.4): first what goes into the letter, then DUO's contact data.
LETTER_FIELDS = ("letter_phone", "letter_email", "letter_website")
CONTACT_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "contact_postcode",
    "contact_house_number",
    "contact_house_number_addition",
    "contact_street",
    "contact_city",
)
ENROLMENT_FIELDS = LETTER_FIELDS + CONTACT_FIELDS

# Dutch labels as the screens show them (used in error messages and the change summary).
FIELD_LABELS = {
    "letter_phone": "Telefoonnummer",
    "letter_email": "E-mailadres",
    "letter_website": "Webadres",
    "contact_name": "Contactpersoon",
    "contact_phone": "Telefoonnummer",
    "contact_email": "E-mailadres",
    "contact_postcode": "Postcode",
    "contact_house_number": "Huisnummer",
    "contact_house_number_addition": "Toevoeging",
    "contact_street": "Straat",
    "contact_city": "Plaats",
}

MSG_PHONE_OR_EMAIL = "U moet ten minste een telefoonnummer of een e-mailadres invullen."
MSG_CONTACT_REQUIRED = "Het veld 'Contactpersoon' is verplicht."
MSG_PHONE = "Vul een geldig Nederlands telefoonnummer in, zoals 050 599 96 00, +31 50 599 96 00 of 14 050."
MSG_EMAIL = "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."
MSG_WEBSITE = "Vul een geldig webadres in, zoals www.gemeente.nl of https://www.gemeente.nl/elip."
MSG_HOUSE_NUMBER = "Vul een huisnummer in met alleen cijfers, zoals 6. Een toevoeging vult u apart in."
MSG_ADDITION = "Vul een toevoeging in van hoogstens 10 letters of cijfers, zoals A of 2hg."
MSG_POSTCODE_NEEDS_NUMBER = "Vul bij een postcode ook een huisnummer in."
MSG_NUMBER_NEEDS_POSTCODE = "Vul bij een huisnummer ook een postcode in."
MSG_CONTROL_CHARS = "Dit veld bevat tekens die niet zijn toegestaan."


class EnrolmentError(Exception):
    """An illegal move (enrol when enrolled, change or withdraw when not enrolled).
    ``str(error)`` is a Dutch message fit for the user."""


class NothingChanged(EnrolmentError):
    pass


def _max_length(field: str) -> int:
    return ElipEnrolment._meta.get_field(field).max_length


# Phone numbers are parsed and checked by ``pib.formatting.normalize_phone`` (phonenumbers): any
# valid Dutch number, the municipal 14-number ("14 050") included, stored in E.164 ("+31503679111")
# and printed with Dutch grouping by ``pib.formatting.format_phone``.


def normalize_website(value: str) -> str | None:
    """A web address as entered (``www.gemeente.nl`` or ``https://…``), or None when invalid.
    Only http(s); no spaces, no user:password part."""
    text = str(value or "").strip()
    candidate = text if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) else f"https://{text}"
    if "@" in candidate.split("://", 1)[1].split("/", 1)[0]:
        return None
    try:
        URLValidator(schemes=["http", "https"])(candidate)
    except ValidationError:
        return None
    host = candidate.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    if "." not in host:  # 'localhost' and bare words are no public web address
        return None
    return text


def validate_enrolment_data(data) -> dict:
    """Clean and check the §3.4 data. Returns every field (stripped, normalised).

    Raises ValidationError with a dict ``{field: [messages]}``; the rule "phone or e-mail"
    is reported on ``letter_phone`` (the first field of the letter block)."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    for field in ENROLMENT_FIELDS:
        value = data.get(field, "") if hasattr(data, "get") else ""
        value = "" if value is None else str(value).strip()
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            error(field, MSG_CONTROL_CHARS)
            value = ""
        cleaned[field] = value

    for field in ("letter_phone", "contact_phone"):
        if cleaned[field]:
            normal = normalize_phone(cleaned[field])
            if normal is None:
                error(field, MSG_PHONE)
            else:
                cleaned[field] = normal

    email_validator = EmailValidator()
    for field in ("letter_email", "contact_email"):
        if cleaned[field]:
            try:
                email_validator(cleaned[field])
            except ValidationError:
                error(field, MSG_EMAIL)

    if cleaned["letter_website"]:
        normal = normalize_website(cleaned["letter_website"])
        if normal is None:
            error("letter_website", MSG_WEBSITE)
        else:
            cleaned["letter_website"] = normal

    if not cleaned["letter_phone"] and not cleaned["letter_email"] and "letter_phone" not in errors:
        error("letter_phone", MSG_PHONE_OR_EMAIL)

    if not cleaned["contact_name"]:
        error("contact_name", MSG_CONTACT_REQUIRED)

    if cleaned["contact_postcode"]:
        try:
            validate_postcode(cleaned["contact_postcode"])
        except ValidationError as exc:
            error("contact_postcode", exc.messages[0])
        else:
            cleaned["contact_postcode"] = normalize_postcode(cleaned["contact_postcode"])
    number = cleaned["contact_house_number"]
    if number and not re.fullmatch(r"[1-9][0-9]{0,4}", number):
        error("contact_house_number", MSG_HOUSE_NUMBER)
    addition = cleaned["contact_house_number_addition"]
    if addition and not re.fullmatch(r"[A-Za-z0-9]{1,10}", addition.replace(" ", "").replace("-", "")):
        error("contact_house_number_addition", MSG_ADDITION)
    if cleaned["contact_postcode"] and not number and "contact_house_number" not in errors:
        error("contact_house_number", MSG_POSTCODE_NEEDS_NUMBER)
    if number and not cleaned["contact_postcode"] and "contact_postcode" not in errors:
        error("contact_postcode", MSG_NUMBER_NEEDS_POSTCODE)

    for field in ENROLMENT_FIELDS:
        limit = _max_length(field)
        if field not in errors and limit and len(cleaned[field]) > limit:
            error(field, f"Vul hier hoogstens {limit} tekens in.")

    if errors:
        raise ValidationError({field: [ValidationError(m) for m in msgs] for field, msgs in errors.items()})
    return cleaned


def enrolment_data(enrolment: ElipEnrolment | None) -> dict:
    """The §3.4 fields of an enrolment as a dict (empty strings without one)."""
    return {field: (getattr(enrolment, field) if enrolment else "") for field in ENROLMENT_FIELDS}


def enrolment_diff(old: dict, new: dict) -> dict:
    """``{field: [old, new]}`` for every field whose value differs."""
    return {f: [old.get(f, ""), new.get(f, "")] for f in new if old.get(f, "") != new.get(f, "")}


def _locked_enrolment(municipality) -> ElipEnrolment | None:
    return ElipEnrolment.objects.select_for_update().filter(municipality=municipality).first()


@transaction.atomic
def enrolment_enrol(*, municipality, user, data) -> ElipEnrolment:
    """Enrol ``municipality`` (manual §3.4). Re-enrolling after a withdrawal reuses its row."""
    cleaned = validate_enrolment_data(data)
    enrolment = _locked_enrolment(municipality)
    now = timezone.now()
    if enrolment is not None and enrolment.is_enrolled:
        raise EnrolmentError("Uw gemeente is al aangemeld voor de ELIP-ondersteuning.")
    if enrolment is None:
        old = {field: "" for field in ENROLMENT_FIELDS}
        old_status = None
        try:
            with transaction.atomic():
                enrolment = ElipEnrolment.objects.create(
                    municipality=municipality, status=EnrolmentStatus.ENROLLED, enrolled_at=now, **cleaned
                )
        except IntegrityError:  # another request enrolled the same municipality just now
            raise EnrolmentError("Uw gemeente is al aangemeld voor de ELIP-ondersteuning.") from None
    else:
        old = enrolment_data(enrolment)
        old_status = enrolment.status
        for field, value in cleaned.items():
            setattr(enrolment, field, value)
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.enrolled_at = now
        enrolment.withdrawn_at = None
        enrolment.save()
    changes = {"status": [old_status, EnrolmentStatus.ENROLLED.value], **enrolment_diff(old, cleaned)}
    ElipEnrolmentChange.objects.create(enrolment=enrolment, user=user, action=EnrolmentAction.ENROL, changes=changes)
    return enrolment


@transaction.atomic
def enrolment_change(*, municipality, user, data) -> ElipEnrolment:
    """Change the data of an enrolled municipality (manual §3.5). Raises NothingChanged when
    the data equal what is stored."""
    cleaned = validate_enrolment_data(data)
    enrolment = _locked_enrolment(municipality)
    if enrolment is None or not enrolment.is_enrolled:
        raise EnrolmentError("Uw gemeente is niet aangemeld voor de ELIP-ondersteuning.")
    changes = enrolment_diff(enrolment_data(enrolment), cleaned)
    if not changes:
        raise NothingChanged("U hebt geen gegevens gewijzigd.")
    for field, value in cleaned.items():
        setattr(enrolment, field, value)
    enrolment.save()
    ElipEnrolmentChange.objects.create(enrolment=enrolment, user=user, action=EnrolmentAction.CHANGE, changes=changes)
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, municipality, user) -> ElipEnrolment:
    """Withdraw (manual §3.6). The row and its data stay, with status afgemeld, so the
    history is kept and a later re-enrolment can start from the old data."""
    enrolment = _locked_enrolment(municipality)
    if enrolment is None or not enrolment.is_enrolled:
        raise EnrolmentError("Uw gemeente is niet aangemeld voor de ELIP-ondersteuning.")
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.save()
    ElipEnrolmentChange.objects.create(
        enrolment=enrolment,
        user=user,
        action=EnrolmentAction.WITHDRAW,
        changes={"status": [EnrolmentStatus.ENROLLED.value, EnrolmentStatus.WITHDRAWN.value]},
    )
    return enrolment
