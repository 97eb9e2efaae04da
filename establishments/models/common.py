"""Conditions shared by the registry's dated facts."""

import datetime

from django.db import models
from django.db.models import Q


def choice_constraint(field: str, choices, name: str, allow_blank: bool = False) -> models.CheckConstraint:
    """Choices alone do not protect the database: back each with a CHECK constraint."""
    condition = Q(**{f"{field}__in": choices.values})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def active_on_q(start: str, end: str, on: datetime.date) -> Q:
    """`start` on or before `on`, and `end` unset or after `on`."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": on}))


def open_interval_on_q(start: str, end: str, on: datetime.date) -> Q:
    """`start` unset (since records began) or on or before `on`, and `end` unset or after `on`."""
    return (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": on})) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": on})
    )


def valid_on_q(on: datetime.date, prefix: str = "") -> Q:
    """A dated unit valid on `on`: `valid_from` unset or on or before it, `valid_to` unset or on or after it
    (both days included: a unit ended on 30/06/2025 is valid that day)."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )
