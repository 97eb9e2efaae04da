"""Row-level scope: which districts and communes a user may see.

Every list, detail page, export, report and admin screen starts from `Model.objects.for_user(user)`,
so the rule lives here and nowhere else. A user's scope is, from narrowest to widest: one commune
(commune staff), one district (district committee reviewers) or the whole province (organisation
board staff and superusers). A user with none of these sees nothing.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db import models


class ScopeLevel(StrEnum):
    NONE = "none"
    COMMUNE = "commune"
    DISTRICT = "district"
    PROVINCE = "province"


@dataclass(frozen=True)
class Scope:
    level: ScopeLevel
    district_id: int | None = None
    commune_id: int | None = None

    @property
    def is_province(self) -> bool:
        return self.level == ScopeLevel.PROVINCE


NO_SCOPE = Scope(ScopeLevel.NONE)
PROVINCE_PERMISSION = "sonla_party.scope_province"


def scope_of(user) -> Scope:
    """The scope of `user`, computed once per user object (and so once per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_scope_cache", None)
    if cached is not None:
        return cached
    if user.commune_id:
        commune_model = user._meta.get_field("commune").related_model
        district_id = commune_model.objects.values_list("district_id", flat=True).get(pk=user.commune_id)
        scope = Scope(ScopeLevel.COMMUNE, district_id=district_id, commune_id=user.commune_id)
    elif user.district_id:
        scope = Scope(ScopeLevel.DISTRICT, district_id=user.district_id)
    elif user.has_perm(PROVINCE_PERMISSION):
        scope = Scope(ScopeLevel.PROVINCE)
    else:
        scope = NO_SCOPE
    user._scope_cache = scope
    return scope


class ScopedQuerySet(models.QuerySet):
    """A QuerySet that knows the path from its model to a district and to a commune.

    Subclasses set `district_path` (e.g. "commune__district") and `commune_path` (e.g. "commune").
    A model that belongs to a district but not to one commune (a training class) leaves
    `commune_path` as None: commune users then see the rows of their district.
    """

    district_path: str = "district"
    commune_path: str | None = "commune"

    def for_user(self, user):
        scope = scope_of(user)
        if scope.level == ScopeLevel.PROVINCE:
            return self
        if scope.level == ScopeLevel.DISTRICT:
            return self.in_district(scope.district_id)
        if scope.level == ScopeLevel.COMMUNE:
            if self.commune_path is None:
                return self.in_district(scope.district_id)
            return self.in_commune(scope.commune_id)
        return self.none()

    def in_district(self, district):
        return self.filter(**{self.district_path: district})

    def in_commune(self, commune):
        if self.commune_path is None:
            raise TypeError(f"{self.model.__name__} rows do not belong to one commune")
        return self.filter(**{self.commune_path: commune})
