"""Row-level scope: which administrative units a user may see, on any date.

Every list, detail page, export, report and admin screen starts from `Model.objects.for_user(user)`,
so the rule lives here and nowhere else. A user's scope is one administrative unit (on the user
record): a commune-level unit (commune staff, a commune party committee), a district (district
committee reviewers, while the districts existed) — or the whole province (organisation-board
staff and superusers). A user with none of these sees nothing.

Units are dated (the July 2025 reform ended the districts and merged 200 communes into 75), so a
unit's territory is the set of commune-level units whose establishments lie in it on some date:
a new commune and the old ones it was formed from, a district and its communes. The unit model
answers that (`territory_of`); this module only applies it. A scope also knows when its unit
ended: an account of a unit that has ended may read its unit's history but record nothing dated
after that day (`require_open_on`).
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .exceptions import RuleViolation


class ScopeLevel(StrEnum):
    NONE = "none"
    COMMUNE = "commune"
    DISTRICT = "district"
    PROVINCE = "province"


@dataclass(frozen=True)
class Scope:
    level: ScopeLevel
    unit_id: int | None = None
    # The units whose rows the user sees: the territory's commune-level units, the unit itself,
    # and the districts those communes belonged to (their classes and cadres).
    visible: frozenset[int] = field(default_factory=frozenset)
    territory: frozenset[int] = field(default_factory=frozenset)  # commune-level units only
    valid_to: datetime.date | None = None  # the last day of the user's unit, if it has ended

    @property
    def is_province(self) -> bool:
        return self.level == ScopeLevel.PROVINCE

    def is_open_on(self, day: datetime.date) -> bool:
        return self.valid_to is None or day <= self.valid_to


NO_SCOPE = Scope(ScopeLevel.NONE)
PROVINCE = Scope(ScopeLevel.PROVINCE)
PROVINCE_PERMISSION = "sonla_party.scope_province"


class ScopeClosed(RuleViolation):
    """The user's unit has ended: nothing dated after its end may be recorded with this account."""


def scope_of(user) -> Scope:
    """The scope of `user`, computed once per user object (and so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    if user.unit_id:
        unit_model = user._meta.get_field("unit").related_model
        scope = unit_model.objects.scope_for_unit(user.unit_id)
    elif user.has_perm(PROVINCE_PERMISSION):
        scope = PROVINCE
    else:
        scope = NO_SCOPE
    user._scope_cache = scope
    return scope


def require_open_on(user, day: datetime.date) -> None:
    """Refuse (ScopeClosed) a record dated `day` by a user whose unit had ended by then."""
    scope = scope_of(user)
    if not scope.is_open_on(day):
        raise ScopeClosed(
            _(
                "Your unit ended on %(end)s: this account keeps its history but can record nothing dated "
                "after that day (%(day)s). The account of the unit that succeeded it, or the organisation "
                "board, can record it."
            )
            % {"end": date_format(scope.valid_to, "SHORT_DATE_FORMAT"), "day": date_format(day, "SHORT_DATE_FORMAT")}
        )


class ScopedQuerySet(models.QuerySet):
    """A QuerySet that knows the path from its model to the administrative unit it belongs to.

    Subclasses set `unit_path` (e.g. "commune" for an establishment, "establishment__commune" for
    a member, "unit" for a training class). A model whose rows belong to a place in a way one path
    cannot say overrides `scope_q`.
    """

    unit_path: str = "commune"

    def for_user(self, user):
        scope = scope_of(user)
        if scope.level == ScopeLevel.PROVINCE:
            return self
        if scope.level == ScopeLevel.NONE:
            return self.none()
        return self.filter(self.scope_q(scope))

    def units_q(self, unit_ids) -> models.Q:
        """Rows belonging to any of `unit_ids`."""
        return models.Q(**{f"{self.unit_path}__in": sorted(unit_ids)})

    def scope_q(self, scope: Scope) -> models.Q:
        return self.units_q(scope.visible)

    def in_units(self, unit_ids):
        """Rows belonging to any of `unit_ids` (e.g. a territory, for a filter)."""
        return self.filter(self.units_q(unit_ids))
