from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scoping import Scope, ScopeLevel, scope_of


class User(AbstractUser):
    """A person who signs in. Their scope (commune, district or province) bounds every row they see."""

    district = models.ForeignKey(
        "establishments.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("District reviewers: the only district this user sees."),
    )
    commune = models.ForeignKey(
        "establishments.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Commune staff: the only commune this user sees."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("scope_province", _("Can see and edit the whole province")),
            ("view_full_citizen_id", _("Can see full citizen ID numbers")),
        ]

    def clean(self):
        super().clean()
        if self.commune_id and self.district_id and self.commune.district_id != self.district_id:
            raise ValidationError({"commune": _("The commune is not in the chosen district.")})
        if self.commune_id and not self.district_id:
            self.district_id = self.commune.district_id

    @property
    def scope(self) -> Scope:
        return scope_of(self)

    def scope_label(self) -> str:
        scope = self.scope
        if scope.level == ScopeLevel.PROVINCE:
            return str(_("Whole province"))
        if scope.level == ScopeLevel.COMMUNE:
            return str(self.commune)
        if scope.level == ScopeLevel.DISTRICT:
            return str(self.district)
        return str(_("No scope assigned"))
