"""pib.formatting, the one home of Dutch formatting: amounts, counts, dates and phone numbers."""

import datetime as dt
from decimal import Decimal

import pytest

from pib.formatting import amount, date_figures, date_words, datetime_figures, euro, format_phone, number

# --- amounts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("0"), "0,00"),
        (0, "0,00"),
        (None, "0,00"),
        (Decimal("10000"), "10.000,00"),
        (Decimal("1000000"), "1.000.000,00"),
        (Decimal("1234567.891"), "1.234.567,89"),
        (Decimal("999.5"), "999,50"),
        (Decimal("-12.5"), "-12,50"),
        (Decimal("-1234.56"), "-1.234,56"),
        # Rounded half up to cents (the letter's rule; the screens rounded half to even before).
        (Decimal("9999.995"), "10.000,00"),
        (Decimal("9999.994"), "9.999,99"),
        (Decimal("0.125"), "0,13"),
        (Decimal("-0.125"), "-0,13"),
        # A negative amount that rounds to zero is not shown negative.
        (Decimal("-0.004"), "0,00"),
    ],
)
def test_amount_has_thousands_dots_a_decimal_comma_and_rounds_half_up(value, shown):
    assert amount(value) == shown


def test_amount_refuses_what_is_no_number():
    with pytest.raises(ValueError):
        amount("geen bedrag")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("1234.56"), "€ 1.234,56"),
        (Decimal("0"), "€ 0,00"),
        (Decimal("-12.5"), "€ -12,50"),
        (Decimal("1000000"), "€ 1.000.000,00"),
        (Decimal("9999.995"), "€ 10.000,00"),
        ("1280.50", "€ 1.280,50"),
        (7, "€ 7,00"),
        (None, "-"),
        ("", "-"),
        ("geen bedrag", "-"),
        (Decimal("NaN"), "-"),
        (Decimal("Infinity"), "-"),
        (True, "-"),
    ],
)
def test_euro_for_screens(value, shown):
    assert euro(value) == shown


def test_euro_empty_text_can_be_chosen():
    assert euro(None, empty="") == ""


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (999, "999"), (1280, "1.280"), (1000000, "1.000.000"), (-1234567, "-1.234.567"), ("42", "42")],
)
def test_number_groups_thousands_with_a_dot(value, shown):
    assert number(value) == shown


def test_number_of_nothing_is_a_dash():
    assert number(None) == "-"
    assert number("veel") == "-"


# --- dates ---------------------------------------------------------------------------------------


def test_date_in_figures_for_screens_and_csv_and_with_dots_for_the_letter():
    assert date_figures(dt.date(2026, 12, 1)) == "01-12-2026"
    assert date_figures(dt.date(2023, 6, 14), separator=".") == "14.06.2023"
    assert date_figures(dt.date(999, 1, 2)) == "02-01-0999"
    assert date_figures(None) == "-"
    assert date_figures(None, separator=".", empty="") == ""
    assert date_figures("2026-12-01") == "-"


def test_aware_datetimes_are_shown_in_amsterdam_time():
    moment = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)  # 00:30 on 1 December in Amsterdam (CET)
    assert date_figures(moment) == "01-12-2026"
    assert date_words(moment) == "1 december 2026"
    assert datetime_figures(moment) == "01-12-2026 00:30"
    summer = dt.datetime(2026, 6, 30, 22, 5, tzinfo=dt.UTC)  # CEST: two hours ahead
    assert datetime_figures(summer) == "01-07-2026 00:05"
    assert datetime_figures(dt.date(2026, 12, 1)) == "01-12-2026"


def test_date_in_words_uses_dutch_months_without_locale():
    assert date_words(dt.date(2026, 12, 1)) == "1 december 2026"
    assert date_words(dt.date(2020, 12, 15)) == "15 december 2020"
    assert date_words(dt.date(2021, 3, 1)) == "1 maart 2021"
    assert [date_words(dt.date(2021, m, 2)).split()[1] for m in range(1, 13)] == [
        "januari", "februari", "maart", "april", "mei", "juni",
        "juli", "augustus", "september", "oktober", "november", "december",
    ]  # fmt: skip
    assert date_words(None) == "-"


# --- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        # Geographic: area code, then the subscriber number grouped from the right.
        ("0503679111", "050 367 91 11"),
        ("050-3679111", "050 367 91 11"),
        ("050 367 91 11", "050 367 91 11"),
        ("+31 50 367 91 11", "050 367 91 11"),
        ("+31 (0)50 3679111", "050 367 91 11"),
        ("0031503679111", "050 367 91 11"),
        ("020 255 29 09", "020 255 29 09"),
        ("(0575) 123456", "0575 12 34 56"),
        # Mobile and non-geographic numbers as libphonenumber groups them.
        ("0612345678", "06 12345678"),
        ("06-1234 5678", "06 12345678"),
        ("+31612345678", "06 12345678"),
        ("0800 1234", "0800 1234"),
        ("0900-1234567", "0900 1234567"),
        ("088 123 4567", "088 123 4567"),
        # The municipal number.
        ("14050", "14 050"),
        ("14 050", "14 050"),
        ("140591", "14 0591"),
    ],
)
def test_format_phone_groups_dutch_numbers(value, shown):
    assert format_phone(value) == shown


@pytest.mark.parametrize("value", ["", None, "   "])
def test_format_phone_of_nothing_is_empty(value):
    assert format_phone(value) == ""


@pytest.mark.parametrize("value", ["bel ons", "12345", "0612", "+32 2 123 45 67", "050 367 91 11 99"])
def test_format_phone_leaves_what_is_no_dutch_number_as_given(value):
    assert format_phone(f"  {value} ") == value
