import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from hypothesis import given
from hypothesis import strategies as st

from pib.forms import BsnField
from pib.validators import BSN_INVALID, is_valid_bsn, normalize_bsn, normalize_postcode, validate_bsn, validate_postcode
from tests.pib.factories import PersonFactory


def elfproef_check_digit(prefix: str) -> int:
    """Independent oracle for the tests: weights 9..2 over eight digits, last digit weight -1."""
    return sum((9 - i) * int(c) for i, c in enumerate(prefix)) % 11


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990", "012345672", "1112.22.333"])
def test_valid_bsns_pass(bsn):
    assert is_valid_bsn(bsn)
    validate_bsn(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "111222334", "12345678a", "", "1234567890", "000000000"])
def test_invalid_bsns_are_rejected_with_a_dutch_message(bsn):
    assert not is_valid_bsn(bsn)
    with pytest.raises(ValidationError, match="elfproef"):
        validate_bsn(bsn)


def test_bsn_with_leading_zero_written_with_eight_digits_is_padded():
    assert normalize_bsn("12345672") == "012345672"
    assert is_valid_bsn("12345672")


@given(st.integers(min_value=1_000_000, max_value=99_999_999))
def test_every_prefix_with_its_elfproef_check_digit_is_valid_and_a_wrong_last_digit_is_not(n):
    prefix = f"{n:08d}"
    check = elfproef_check_digit(prefix)
    if check <= 9:
        assert is_valid_bsn(prefix + str(check))
    for wrong in set(range(10)) - {check}:
        assert not is_valid_bsn(prefix + str(wrong))


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_nine_digits_are_valid_exactly_when_the_elfproef_holds(digits):
    expected = digits != "000000000" and elfproef_check_digit(digits[:8]) == int(digits[8])
    assert is_valid_bsn(digits) is expected


@pytest.mark.parametrize("value,expected", [("1234ab", "1234 AB"), ("1234 AB", "1234 AB"), (" 9722tb ", "9722 TB")])
def test_postcodes_are_normalised(value, expected):
    assert normalize_postcode(value) == expected
    validate_postcode(expected)


@pytest.mark.parametrize("value", ["0123 AB", "1234 SS", "12345", "ABCD 12", "1234 A"])
def test_invalid_postcodes_are_rejected(value):
    with pytest.raises(ValidationError, match="postcode"):
        validate_postcode(value)


@pytest.mark.django_db
def test_person_with_invalid_bsn_fails_full_clean():
    person = PersonFactory.build(bsn="123456789", municipality=PersonFactory().municipality)
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean(exclude=["public_id"])
    assert "bsn" in excinfo.value.message_dict


@pytest.mark.django_db
def test_database_rejects_a_bsn_that_is_not_nine_digits():
    with pytest.raises(IntegrityError):
        PersonFactory(bsn="12345")


# --- BsnField: the one BSN form field -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("123456782", "123456782"),
        (" 123.456.782 ", "123456782"),
        ("1234 56 782", "123456782"),
        ("12345672", "012345672"),  # eight digits: the leading zero comes back
    ],
)
def test_bsn_field_cleans_to_nine_digits(typed, cleaned):
    assert BsnField().clean(typed) == cleaned


@pytest.mark.parametrize("typed", ["123456780", "000000000", "1234", "12345678901", "abcdefghi", "²23456782", "x" * 30])
def test_bsn_field_refuses_with_the_one_dutch_message(typed):
    with pytest.raises(ValidationError) as raised:
        BsnField().clean(typed)
    assert raised.value.messages == [BSN_INVALID]


def test_bsn_field_required_and_optional():
    with pytest.raises(ValidationError) as raised:
        BsnField().clean("  ")
    assert raised.value.messages == ["Vul een burgerservicenummer in."]
    assert BsnField(required=False).clean("") == ""


def test_bsn_field_input_opens_a_numeric_keyboard_and_never_autocompletes():
    html = BsnField().widget.render("bsn", "")
    assert 'inputmode="numeric"' in html and 'autocomplete="off"' in html and 'maxlength="20"' in html


@pytest.mark.parametrize("typed", ["61", "1", "0000061", "1234567"])
def test_a_number_shorter_than_eight_digits_is_no_bsn_even_if_padding_would_pass_the_elfproef(typed):
    """CI's fuzz found "61" accepted: python-stdnum's compact() pads anything to nine digits, and
    000000061 passes the elfproef. Only a dropped leading zero (eight digits) is padded."""
    assert not is_valid_bsn(typed)
    with pytest.raises(ValidationError):
        BsnField().clean(typed)


def test_eight_digits_get_their_leading_zero_back():
    assert normalize_bsn("11122233") == "011122233"
    assert normalize_bsn("111.222.333") == normalize_bsn("111 222 333") == normalize_bsn("111-222-333") == "111222333"
