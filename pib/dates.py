"""Dutch calendar helpers shared by the selection, the letter and the screens (no locale needed)."""

import calendar
import datetime as dt

MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the day clamped to the target month's length
    (31-01 + 1 month = 28-02 or 29-02; 29-02-2024 + 12 months = 28-02-2025). Negative goes back."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def date_in_words(value: dt.date) -> str:
    """``15 december 2020``, as the manual's letter and 'Overzicht ELIP' write it."""
    return f"{value.day} {MONTHS_NL[value.month - 1]} {value.year}"
