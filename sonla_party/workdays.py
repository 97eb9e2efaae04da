"""Working days: Monday to Friday, except Vietnamese public holidays (Tết included).

The `holidays` package knows the holidays of each year, the five or so days of Tết and the
substituted days off among them. Deadlines of the admission process are counted here.
"""

import datetime
from functools import lru_cache

import holidays

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=128)
def _holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    """The date `count` working days after `start` (the day of the act itself does not count)."""
    day = start
    remaining = count
    while remaining > 0:
        day += ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later; the 29–31st falls back to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate_day))
        except ValueError:
            continue
    raise ValueError(day)
