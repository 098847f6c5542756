"""Enrolment services (Beheren ELIP brief): the manual's §3.4 validation, history, re-enrolment,
and the illegal moves — each bad call changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from elip.constants import EnrolmentAction, EnrolmentStatus
from elip.models import ElipEnrolment, ElipEnrolmentChange
from elip.services.enrolment import (
    MSG_CONTACT_REQUIRED,
    MSG_PHONE_OR_EMAIL,
    EnrolmentError,
    NothingChanged,
    enrolment_change,
    enrolment_enrol,
    enrolment_withdraw,
    validate_enrolment_data,
)
from pib.formatting import format_phone, normalize_phone
from tests.pib.factories import UserFactory, municipality

VALID = {
    "letter_phone": "06 1111 2222",
    "letter_email": "elip@groningen.nl",
    "letter_website": "www.groningen.nl/elip",
    "contact_name": "Test Groningen",
    "contact_phone": "06-27773333",
    "contact_email": "contact@groningen.nl",
    "contact_postcode": "9722tb",
    "contact_house_number": "6",
    "contact_house_number_addition": "",
    "contact_street": "Kempkensberg",
    "contact_city": "Groningen",
}


def errors_of(data):
    with pytest.raises(ValidationError) as exc:
        validate_enrolment_data(data)
    return exc.value.message_dict


# --- Validation (pure, no database) --------------------------------------------------------------


def test_valid_data_is_normalised():
    cleaned = validate_enrolment_data(VALID)
    assert cleaned["letter_phone"] == "+31611112222"
    assert cleaned["contact_phone"] == "+31627773333"
    assert cleaned["contact_postcode"] == "9722 TB"
    assert cleaned["letter_website"] == "www.groningen.nl/elip"


def test_phone_or_email_is_required_for_the_letter():
    errors = errors_of({**VALID, "letter_phone": "", "letter_email": ""})
    assert errors == {"letter_phone": [MSG_PHONE_OR_EMAIL]}


@pytest.mark.parametrize("field", ["letter_phone", "letter_email"])
def test_phone_alone_or_email_alone_is_enough(field):
    data = {**VALID, "letter_website": ""}
    data["letter_email" if field == "letter_phone" else "letter_phone"] = ""
    assert validate_enrolment_data(data)[field]


def test_web_address_is_optional():
    assert validate_enrolment_data({**VALID, "letter_website": ""})["letter_website"] == ""


def test_contact_person_is_required_with_the_manuals_message():
    assert errors_of({**VALID, "contact_name": "   "}) == {"contact_name": [MSG_CONTACT_REQUIRED]}
    assert MSG_CONTACT_REQUIRED == "Het veld 'Contactpersoon' is verplicht."


@pytest.mark.parametrize(
    ("raw", "normal", "printed"),
    [
        ("0611112222", "+31611112222", "06 11112222"),
        ("06-1111 2222", "+31611112222", "06 11112222"),
        ("050 599 96 00", "+31505999600", "050 599 96 00"),
        ("050 - 367 91 11", "+31503679111", "050 367 91 11"),
        ("(050) 599 96 00", "+31505999600", "050 599 96 00"),
        ("+31 50 599 96 00", "+31505999600", "050 599 96 00"),
        ("+31 (0)50 599 96 00", "+31505999600", "050 599 96 00"),
        ("0031 6 11112222", "+31611112222", "06 11112222"),
        ("020 - 255 29 09", "+31202552909", "020 255 29 09"),
        ("0800-1234", "+318001234", "0800 1234"),
        ("0900 123 45 67", "+319001234567", "0900 1234567"),
        ("14 050", "+3114050", "14 050"),
        ("14 0591", "+31140591", "14 0591"),
    ],
)
def test_dutch_phone_numbers_are_normalised_and_printed_grouped(raw, normal, printed):
    assert normalize_phone(raw) == normal
    assert format_phone(normal) == printed
    assert format_phone(raw) == printed


@pytest.mark.parametrize(
    "raw", ["12345", "061111222", "06111122223", "+32 2 123 45 67", "06-abcdefgh", "0011112222", "١٢٣٤٥٦٧٨٩٠"]
)
def test_non_dutch_or_malformed_phone_numbers_are_refused(raw):
    assert normalize_phone(raw) is None
    assert "letter_phone" in errors_of({**VALID, "letter_phone": raw})


@pytest.mark.parametrize("email", ["geen-email", "a@b", "naam@@gemeente.nl", "naam@gemeente .nl"])
def test_invalid_email_is_refused(email):
    assert "letter_email" in errors_of({**VALID, "letter_email": email})
    assert "contact_email" in errors_of({**VALID, "contact_email": email})


@pytest.mark.parametrize(
    "website", ["https://www.groningen.nl/elip", "http://groningen.nl", "elip.dorpenstad.nl", "www.a-b.nl/x?y=1"]
)
def test_valid_web_addresses(website):
    assert validate_enrolment_data({**VALID, "letter_website": website})["letter_website"] == website


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "ftp://groningen.nl", "localhost", "geen adres", "https://user:pw@x.nl", "x"]
)
def test_invalid_web_addresses(website):
    assert "letter_website" in errors_of({**VALID, "letter_website": website})


@pytest.mark.parametrize("postcode", ["0722 TB", "9722", "9722 T", "ABCD EF", "9722 TBX", "9722 SS"])
def test_invalid_postcode(postcode):
    assert "contact_postcode" in errors_of({**VALID, "contact_postcode": postcode})


@pytest.mark.parametrize("number", ["6a", "0", "-1", "123456", "zes"])
def test_house_number_is_digits_only(number):
    assert "contact_house_number" in errors_of({**VALID, "contact_house_number": number})


def test_house_number_addition_and_its_limits():
    assert validate_enrolment_data({**VALID, "contact_house_number_addition": "A"})["contact_house_number_addition"]
    assert "contact_house_number_addition" in errors_of({**VALID, "contact_house_number_addition": "<b>"})


def test_postcode_and_house_number_go_together():
    assert "contact_house_number" in errors_of({**VALID, "contact_house_number": ""})
    assert "contact_postcode" in errors_of({**VALID, "contact_postcode": ""})
    address_free = {**VALID, "contact_postcode": "", "contact_house_number": "", "contact_street": ""}
    assert validate_enrolment_data(address_free)["contact_postcode"] == ""


def test_too_long_values_and_control_characters_are_refused():
    errors = errors_of({**VALID, "contact_name": "x" * 101, "contact_city": "Gro\x00ningen"})
    assert set(errors) == {"contact_name", "contact_city"}


def test_all_errors_are_reported_at_once():
    errors = errors_of({"contact_postcode": "fout"})
    assert {"letter_phone", "contact_name", "contact_postcode"} <= set(errors)


# --- Services -------------------------------------------------------------------------------------


@pytest.fixture
def groningen():
    return municipality("GM0014")


@pytest.fixture
def user(db):
    return UserFactory(username="brief")


@pytest.mark.django_db
def test_enrol_stores_normalised_data_and_a_history_row(groningen, user):
    enrolment = enrolment_enrol(municipality=groningen, user=user, data=VALID)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.letter_phone == "+31611112222"
    assert enrolment.contact_postcode == "9722 TB"
    change = enrolment.changes.get()
    assert change.action == EnrolmentAction.ENROL
    assert change.user == user
    assert change.at is not None
    assert change.changes["status"] == [None, "aangemeld"]
    assert change.changes["letter_phone"] == ["", "+31611112222"]
    assert "contact_house_number_addition" not in change.changes  # unchanged (empty) fields are left out


@pytest.mark.django_db
def test_invalid_enrol_saves_nothing(groningen, user):
    with pytest.raises(ValidationError):
        enrolment_enrol(municipality=groningen, user=user, data={**VALID, "letter_phone": "", "letter_email": ""})
    assert not ElipEnrolment.objects.exists()
    assert not ElipEnrolmentChange.objects.exists()


@pytest.mark.django_db
def test_enrolling_twice_is_a_domain_error_and_changes_nothing(groningen, user):
    enrolment_enrol(municipality=groningen, user=user, data=VALID)
    with pytest.raises(EnrolmentError, match="al aangemeld"):
        enrolment_enrol(municipality=groningen, user=user, data={**VALID, "letter_phone": "0501234567"})
    assert ElipEnrolment.objects.get().letter_phone == "+31611112222"
    assert ElipEnrolmentChange.objects.count() == 1


@pytest.mark.django_db
def test_change_records_old_and_new_per_field(groningen, user):
    enrolment_enrol(municipality=groningen, user=user, data=VALID)
    other = UserFactory(username="collega")
    enrolment_change(
        municipality=groningen, user=other, data={**VALID, "letter_phone": "050 123 45 67", "letter_website": ""}
    )
    change = ElipEnrolmentChange.objects.filter(action=EnrolmentAction.CHANGE).get()
    assert change.user == other
    assert change.changes == {
        "letter_phone": ["+31611112222", "+31501234567"],
        "letter_website": ["www.groningen.nl/elip", ""],
    }
    assert ElipEnrolment.objects.get().letter_phone == "+31501234567"


@pytest.mark.django_db
def test_change_without_differences_raises_nothing_changed(groningen, user):
    enrolment_enrol(municipality=groningen, user=user, data=VALID)
    with pytest.raises(NothingChanged):
        enrolment_change(municipality=groningen, user=user, data={**VALID, "letter_phone": "06-11112222"})
    assert ElipEnrolmentChange.objects.count() == 1


@pytest.mark.django_db
def test_invalid_change_changes_nothing(groningen, user):
    enrolment_enrol(municipality=groningen, user=user, data=VALID)
    with pytest.raises(ValidationError):
        enrolment_change(municipality=groningen, user=user, data={**VALID, "contact_name": "", "letter_phone": "1"})
    enrolment = ElipEnrolment.objects.get()
    assert (enrolment.contact_name, enrolment.letter_phone) == ("Test Groningen", "+31611112222")
    assert ElipEnrolmentChange.objects.count() == 1


@pytest.mark.django_db
def test_change_or_withdraw_when_not_enrolled_is_a_domain_error(groningen, user):
    with pytest.raises(EnrolmentError, match="niet aangemeld"):
        enrolment_change(municipality=groningen, user=user, data=VALID)
    with pytest.raises(EnrolmentError, match="niet aangemeld"):
        enrolment_withdraw(municipality=groningen, user=user)
    assert not ElipEnrolment.objects.exists()


@pytest.mark.django_db
def test_withdraw_keeps_the_row_and_records_it(groningen, user):
    enrolment_enrol(municipality=groningen, user=user, data=VALID)
    enrolment = enrolment_withdraw(municipality=groningen, user=user)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WITHDRAWN
    assert enrolment.withdrawn_at is not None
    assert enrolment.letter_phone == "+31611112222"
    last = enrolment.changes.first()
    assert (last.action, last.changes) == (EnrolmentAction.WITHDRAW, {"status": ["aangemeld", "afgemeld"]})
    with pytest.raises(EnrolmentError):
        enrolment_withdraw(municipality=groningen, user=user)
    with pytest.raises(EnrolmentError):
        enrolment_change(municipality=groningen, user=user, data={**VALID, "contact_name": "Ander"})
    assert enrolment.changes.count() == 2


@pytest.mark.django_db
def test_re_enrolling_after_withdrawal_works_and_keeps_the_history(groningen, user):
    first = enrolment_enrol(municipality=groningen, user=user, data=VALID)
    enrolment_withdraw(municipality=groningen, user=user)
    again = enrolment_enrol(municipality=groningen, user=user, data={**VALID, "letter_email": "nieuw@groningen.nl"})
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.status == EnrolmentStatus.ENROLLED
    assert again.withdrawn_at is None
    assert again.letter_email == "nieuw@groningen.nl"
    actions = list(again.changes.order_by("at", "pk").values_list("action", flat=True))
    assert actions == [EnrolmentAction.ENROL, EnrolmentAction.WITHDRAW, EnrolmentAction.ENROL]
    last = again.changes.order_by("-pk").first()
    assert last.changes == {
        "status": ["afgemeld", "aangemeld"],
        "letter_email": ["elip@groningen.nl", "nieuw@groningen.nl"],
    }


@pytest.mark.django_db
def test_enrolments_of_two_municipalities_are_independent(groningen, user):
    enrolment_enrol(municipality=groningen, user=user, data=VALID)
    enrolment_enrol(municipality=municipality("GM0363"), user=user, data=VALID)
    enrolment_withdraw(municipality=groningen, user=user)
    assert ElipEnrolment.objects.get(municipality__code="GM0363").is_enrolled
