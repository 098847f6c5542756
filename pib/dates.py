"""Calendar arithmetic shared by the selection and the letter (formatting lives in ``pib.formatting``)."""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, the day clamped to the target month's length
    (31-01 + 1 month = 28-02 or 29-02; 29-02-2024 + 12 months = 28-02-2025). Negative goes back."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))
