"""The bounds of a recorded date: a step, a document, a member's, an establishment's or a class's
date happened, so it is not in the future; and nothing the app records predates 1930 (the
Party's founding), so such a date is a typing mistake. One rule, used by the model fields'
validators (forms, admin, imports) and by the services."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_DATE = datetime.date(1930, 1, 1)
NEAR = datetime.timedelta(days=2)


def past_date_problem(value: datetime.date | None, *, future_allowed: bool = False) -> str | None:
    """Why `value` cannot be a recorded date, or None when it can (or is empty)."""
    if value is None:
        return None
    if value < EARLIEST_DATE:
        return _("%(date)s is before 1930: check the year.") % {"date": value.strftime("%d/%m/%Y")}
    # the time zone's date only for a date near the machine's (time zones differ by 26 hours at
    # most): asked of every date of every row of an import, it cost more than the rest of the rule
    if not future_allowed and value > datetime.date.today() - NEAR and value > timezone.localdate():
        return _("%(date)s is in the future: only what has happened is recorded.") % {
            "date": value.strftime("%d/%m/%Y")
        }
    return None


def validate_past_date(value) -> None:
    """Field validator: from 1930 to today."""
    problem = past_date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")


def validate_since_1930(value) -> None:
    """Field validator for planned dates (a class may be announced ahead): from 1930."""
    problem = past_date_problem(value, future_allowed=True)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")
