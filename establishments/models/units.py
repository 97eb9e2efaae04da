"""Administrative units with their validity: the province, the districts, the commune-level units.

Units are facts with dates, like the registry's other facts. Until 30/06/2025 Sơn La had 12
districts and 200 commune-level units; from 01/07/2025 (Resolution 1681/NQ-UBTVQH15) it has no
districts and 75 commune-level units directly under the province. Each unit keeps one parent for
its whole validity (a change of parent is a new unit that succeeds the old one), and
`UnitSuccession` says where each old unit went. Commune codes were reused by the new units, so a
unit is identified by its code *and* its validity, never by the code alone.
"""

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sonla_party.scoping import Scope, ScopedQuerySet, ScopeLevel
from sonla_party.search import SearchTextModel, SearchTextQuerySetMixin

from ..choices import UNIT_KINDS_OF_LEVEL, UnitKind, UnitLevel
from .common import choice_constraint, valid_on_q


class AdministrativeUnitQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "pk"

    def valid_on(self, on: datetime.date):
        return self.filter(valid_on_q(on))

    def of_level(self, level: str):
        return self.filter(level=level)

    def scope_for_unit(self, unit_id: int) -> Scope:
        """The scope of an account of `unit_id` (see sonla_party.scoping)."""
        from ..units import UnitMap

        units = UnitMap.load()
        unit = units.unit(unit_id)
        territory = units.territory(unit_id)
        level = ScopeLevel.DISTRICT if unit.level == UnitLevel.DISTRICT else ScopeLevel.COMMUNE
        if unit.level == UnitLevel.PROVINCE:
            level = ScopeLevel.PROVINCE
        visible = territory | {unit_id} | {units.unit(u).parent_id for u in territory if units.unit(u).parent_id}
        return Scope(level, unit_id, frozenset(visible), frozenset(territory), unit.valid_to)


class AdministrativeUnit(SearchTextModel):
    """An administrative unit (đơn vị hành chính): tỉnh, huyện / thành phố / thị xã, xã / phường /
    thị trấn — valid from a date until a date, with its parent unit."""

    search_source_fields = ("name", "code")

    code = models.CharField(
        _("code"),
        max_length=5,
        validators=[RegexValidator(r"^\d{2,5}$", _("The official code: two to five digits."))],
        help_text=_("The statistics office's code. Codes were reused in 2025: the validity tells the units apart."),
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices, default=UnitLevel.COMMUNE)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.COMMUNE)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("A commune's district until 30/06/2025; the province from 01/07/2025."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True, help_text=_("Empty: before records."))
    valid_to = models.DateField(_("valid until"), null=True, blank=True, help_text=_("The last day; empty: today."))
    legal_act = models.CharField(_("legal act"), max_length=200, blank=True)
    is_border = models.BooleanField(_("border commune"), default=False)
    is_mountainous = models.BooleanField(
        _("mountain / ethnic-minority area"),
        default=False,
        help_text=_("Completed primary school is then enough education for admission."),
    )
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"])

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "code", models.F("valid_from").asc(nulls_first=True)]
        constraints = [
            choice_constraint("level", UnitLevel, "unit_level_valid"),
            choice_constraint("kind", UnitKind, "unit_kind_valid"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_to_after_from",
                violation_error_message=_("A unit cannot end before it begins."),
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"],
                name="unit_code_unique_per_validity",
                violation_error_message=_("Another unit of this level already has this code from that date."),
            ),
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=Q(valid_from__isnull=True),
                name="unit_code_unique_before_records",
                violation_error_message=_("Another unit of this level already has this code from before records."),
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_from", "valid_to"], name="unit_level_validity_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("establishments:unit_detail", args=[self.pk])

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.kind and self.level and self.kind not in UNIT_KINDS_OF_LEVEL[self.level]:
            raise ValidationError({"kind": _("This kind does not belong to that level.")})

    @property
    def full_name(self) -> str:
        """The name with its kind, as documents write it: "Phường Tô Hiệu", "Huyện Mộc Châu"."""
        return f"{UnitKind(self.kind).label} {self.name}"

    @property
    def validity_label(self) -> str:
        start = date_format(self.valid_from, "SHORT_DATE_FORMAT") if self.valid_from else "…"
        end = date_format(self.valid_to, "SHORT_DATE_FORMAT") if self.valid_to else "…"
        return f"{start} – {end}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    @property
    def district(self):
        """The district of a commune-level unit, while districts existed (None after the reform)."""
        parent = self.parent
        return parent if parent is not None and parent.level == UnitLevel.DISTRICT else None


class _LevelManager(models.Manager.from_queryset(AdministrativeUnitQuerySet)):
    level = ""

    def get_queryset(self):
        return super().get_queryset().filter(level=self.level)


class DistrictManager(_LevelManager):
    level = UnitLevel.DISTRICT


class CommuneManager(_LevelManager):
    level = UnitLevel.COMMUNE


class District(AdministrativeUnit):
    """A district-level unit (huyện / thành phố / thị xã); all ended on 30/06/2025."""

    objects = DistrictManager()

    class Meta:
        proxy = True
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code", models.F("valid_from").asc(nulls_first=True)]


class Commune(AdministrativeUnit):
    """A commune-level unit (xã / phường / thị trấn): 200 until 30/06/2025, 75 from 01/07/2025."""

    objects = CommuneManager()

    class Meta:
        proxy = True
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["sort_key", models.F("valid_from").asc(nulls_first=True)]


class UnitSuccession(models.Model):
    """Where a unit went when it ended: the predecessor's whole territory joined the successor
    (the 2025 reform: every old commune-level unit went whole into exactly one new one)."""

    predecessor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("predecessor"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("successor"), on_delete=models.PROTECT, related_name="predecessions"
    )
    on = models.DateField(_("on"), help_text=_("The first day of the successor."))
    legal_act = models.CharField(_("legal act"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("succession of units")
        verbose_name_plural = _("successions of units")
        ordering = ["on", "successor__code", "predecessor__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="unit_succession_once",
                violation_error_message=_("This succession is already recorded."),
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="unit_succession_not_itself",
                violation_error_message=_("A unit cannot succeed itself."),
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} ({self.on:%d/%m/%Y})"
