"""The party's own hierarchy, dated: the Provincial Party Committee, the committees directly under
it, the grassroots organisations and the cells.

Each organisation is founded and dissolved on a date and sits under one parent on each date
(`PartyOrganisationParent`): until 30/06/2025 a village's cell was under its commune's grassroots
party committee, itself under the district party committee; from 01/07/2025 the cell is under
the new commune party committee, directly under the Provincial Party Committee. A member belongs
to one cell on each date (`CellMembership`): a transfer of party activity (chuyển sinh hoạt đảng)
is a dated move, never an edit.

Dates of the party's facts are half-open, like the registry's: founded (or starting) on a day,
dissolved (or ending) on the first day it no longer holds.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sonla_party.scoping import ScopedQuerySet
from sonla_party.search import SearchTextModel, SearchTextQuerySetMixin

from ..choices import DECIDING_KINDS, FoundingMethod, OrganisationKind, OrganisationLevel
from .common import active_on_q, choice_constraint, open_interval_on_q


class PartyOrganisationQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "unit"

    def active_on(self, on: datetime.date):
        return self.filter(open_interval_on_q("founded_on", "dissolved_on", on))

    def of_level(self, level: str):
        return self.filter(level=level)

    def under_on(self, parent, on: datetime.date):
        """The organisations directly under `parent` on `on`."""
        links = PartyOrganisationParent.objects.filter(open_interval_on_q("starts_on", "ends_on", on), parent=parent)
        return self.filter(pk__in=links.values("organisation"))

    def deciding_for(self, unit_ids, on: datetime.date):
        """The committees that decide admissions for any of `unit_ids` on `on` (district party
        committees while the districts existed; commune party committees from 01/07/2025)."""
        return self.active_on(on).filter(kind__in=DECIDING_KINDS, unit__in=list(unit_ids))


class PartyOrganisation(SearchTextModel):
    """A tổ chức đảng: the Provincial Party Committee (Tỉnh ủy), a committee directly under it
    (huyện ủy, đảng ủy xã from 2025, the sectoral đảng bộ), a grassroots organisation (đảng bộ cơ
    sở, chi bộ cơ sở) or a cell (chi bộ).

    A cell's `seat` is the establishment that places it in a commune; a combined cell (chi bộ
    ghép) covers several small establishments (`establishments`)."""

    search_source_fields = ("name",)

    name = models.CharField(_("name"), max_length=150)
    level = models.CharField(
        _("level"), max_length=20, choices=OrganisationLevel.choices, default=OrganisationLevel.CELL
    )
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.CELL)
    unit = models.ForeignKey(
        "establishments.AdministrativeUnit",
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_organisations",
        help_text=_("The unit it leads or sits in (a cell: its seat's commune)."),
    )
    seat = models.ForeignKey(
        "establishments.Establishment",
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seated_party_cells",
    )
    establishments = models.ManyToManyField(
        "establishments.Establishment",
        verbose_name=_("establishments covered"),
        related_name="party_cells",
        blank=True,
        help_text=_("The seat and any other establishment whose members meet in this cell."),
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True, help_text=_("Empty: before records."))
    founding_method = models.CharField(_("founded by"), max_length=20, choices=FoundingMethod.choices, blank=True)
    dissolved_on = models.DateField(
        _("dissolved on"), null=True, blank=True, help_text=_("The first day it no longer exists.")
    )
    founding_document = models.CharField(_("founding document"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"], m2m_fields=[establishments])

    objects = PartyOrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["level", "sort_key", "pk"]
        constraints = [
            choice_constraint("level", OrganisationLevel, "party_org_level_valid"),
            choice_constraint("kind", OrganisationKind, "party_org_kind_valid"),
            choice_constraint("founding_method", FoundingMethod, "party_cell_founding_method_valid", allow_blank=True),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=models.F("founded_on")),
                name="party_cell_dissolved_after_founded",
                violation_error_message=_("An organisation cannot be dissolved before it was founded."),
            ),
            models.CheckConstraint(
                condition=~Q(level=OrganisationLevel.CELL) | (Q(founded_on__isnull=False) & ~Q(founding_method="")),
                name="party_cell_founding_known",
                violation_error_message=_("A party cell needs its founding date and how it was founded."),
            ),
        ]
        indexes = [
            models.Index(fields=["founded_on", "dissolved_on"], name="party_cell_dates_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        if self.level == OrganisationLevel.CELL:
            return reverse("establishments:party_cell_detail", args=[self.pk])
        return reverse("establishments:party_organisation_detail", args=[self.pk])

    def is_active_on(self, on: datetime.date) -> bool:
        return (self.founded_on is None or self.founded_on <= on) and (
            self.dissolved_on is None or self.dissolved_on > on
        )

    def parent_on(self, on: datetime.date):
        link = (
            self.parent_links.filter(open_interval_on_q("starts_on", "ends_on", on)).select_related("parent").first()
        )
        return link.parent if link else None


class CellManager(models.Manager.from_queryset(PartyOrganisationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(level=OrganisationLevel.CELL)


class PartyCell(PartyOrganisation):
    """A chi bộ: the basic party organisation, with at least three official members to vote."""

    objects = CellManager()

    class Meta:
        proxy = True
        verbose_name = _("party cell")
        verbose_name_plural = _("party cells")
        ordering = ["sort_key", "pk"]

    def save(self, *args, **kwargs):
        self.level, self.kind = OrganisationLevel.CELL, OrganisationKind.CELL
        super().save(*args, **kwargs)


class PartyOrganisationParent(models.Model):
    """The organisation directly above another, from a date until a date."""

    organisation = models.ForeignKey(
        PartyOrganisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="parent_links"
    )
    parent = models.ForeignKey(
        PartyOrganisation, verbose_name=_("directly under"), on_delete=models.PROTECT, related_name="child_links"
    )
    starts_on = models.DateField(_("from"), null=True, blank=True, help_text=_("Empty: before records."))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("The first day under another parent."))
    legal_act = models.CharField(_("decision"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("place in the hierarchy")
        verbose_name_plural = _("places in the hierarchy")
        ordering = ["organisation", models.F("starts_on").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gt=models.F("starts_on")),
                name="party_org_parent_ends_after_start",
                violation_error_message=_("A place in the hierarchy must end after it begins."),
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(ends_on__isnull=True),
                name="party_org_one_open_parent",
                violation_error_message=_("This organisation already sits under another one today."),
            ),
        ]
        indexes = [models.Index(fields=["parent", "starts_on", "ends_on"], name="party_org_parent_idx")]

    def __str__(self):
        return f"{self.organisation} ⊂ {self.parent}"


class CellMembershipQuerySet(ScopedQuerySet):
    unit_path = "member__establishment__commune"

    def active_on(self, on: datetime.date):
        return self.filter(active_on_q("starts_on", "ends_on", on))


class CellMembership(models.Model):
    """A member's party activity in one cell (sinh hoạt đảng), from a date until a transfer."""

    member = models.ForeignKey(
        "establishments.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.CASCADE,
        related_name="cell_memberships",
    )
    cell = models.ForeignKey(
        PartyOrganisation, verbose_name=_("party cell"), on_delete=models.PROTECT, related_name="memberships"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("The first day in the next cell."))
    note = models.CharField(_("note"), max_length=250, blank=True)
    history = HistoricalRecords()

    objects = CellMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("cell membership")
        verbose_name_plural = _("cell memberships")
        ordering = ["member", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="cell_membership_ends_after_start",
                violation_error_message=_("A membership must end after it begins."),
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ends_on__isnull=True),
                name="cell_membership_one_open",
                violation_error_message=_("This member already belongs to a cell today."),
            ),
        ]
        indexes = [models.Index(fields=["cell", "starts_on"], name="cell_membership_cell_idx")]

    def __str__(self):
        return f"{self.member} — {self.cell}"
