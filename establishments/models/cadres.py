"""Responsible cadres and their assignments to the places that still lack members or a cell."""

import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sonla_party.scoping import ScopedQuerySet
from sonla_party.search import SearchTextModel, SearchTextQuerySetMixin

from ..choices import AssignmentRole, CadreForce
from .common import active_on_q, choice_constraint


class CadreQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "area"  # commune staff see the cadres of their unit and of its district, while it existed


class Cadre(SearchTextModel):
    """A cán bộ phụ trách: a border guard, soldier, police officer or official who follows
    establishments or communes that still lack party members or a cell, in one unit (a district
    until 30/06/2025, a commune-level unit after)."""

    search_source_fields = ("full_name", "unit")
    sort_as_person = True

    full_name = models.CharField(_("full name"), max_length=150)
    force = models.CharField(_("force"), max_length=30, choices=CadreForce.choices)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    rank = models.CharField(_("rank or position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    area = models.ForeignKey(
        "establishments.AdministrativeUnit",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="cadres",
        help_text=_("The district (until 30/06/2025) or commune where the cadre follows places."),
    )
    party_member = models.ForeignKey(
        "establishments.PartyMember",
        verbose_name=_("party member record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre_records",
    )
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"])

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["sort_key", "pk"]
        constraints = [choice_constraint("force", CadreForce, "cadre_force_valid")]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("establishments:cadre_detail", args=[self.pk])


class AssignmentQuerySet(ScopedQuerySet):
    def units_q(self, unit_ids) -> Q:
        """What concerns the units: the establishment, or the whole commune, followed."""
        units = sorted(unit_ids)
        return Q(commune__in=units) | Q(establishment__commune__in=units)

    def active_on(self, on: datetime.date):
        return self.filter(active_on_q("starts_on", "ends_on", on))

    def open(self):
        return self.filter(ends_on__isnull=True)


class Assignment(models.Model):
    """A cadre following one establishment, or one whole commune (e.g. the border guard serving
    as deputy party secretary of a border commune), from a date until a date."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="assignments")
    commune = models.ForeignKey(
        "establishments.Commune",
        verbose_name=_("commune followed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    establishment = models.ForeignKey(
        "establishments.Establishment",
        verbose_name=_("establishment followed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    role = models.CharField(_("role"), max_length=30, choices=AssignmentRole.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while the assignment lasts."))
    note = models.CharField(_("note"), max_length=250, blank=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-starts_on", "pk"]
        constraints = [
            choice_constraint("role", AssignmentRole, "assignment_role_valid"),
            models.CheckConstraint(
                condition=Q(commune__isnull=True, establishment__isnull=False)
                | Q(commune__isnull=False, establishment__isnull=True),
                name="assignment_one_place",
                violation_error_message=_("An assignment follows either one commune or one establishment."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["cadre", "establishment"],
                condition=Q(ends_on__isnull=True, establishment__isnull=False),
                name="assignment_one_open_per_cadre_and_establishment",
                violation_error_message=_("This cadre already has an open assignment to this establishment."),
            ),
            models.UniqueConstraint(
                fields=["cadre", "commune"],
                condition=Q(ends_on__isnull=True, commune__isnull=False),
                name="assignment_one_open_per_cadre_and_commune",
                violation_error_message=_("This cadre already has an open assignment to this commune."),
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "starts_on"], name="assignment_estab_idx"),
            models.Index(fields=["commune", "starts_on"], name="assignment_commune_idx"),
        ]

    def __str__(self):
        return f"{self.cadre} → {self.place}"

    def get_absolute_url(self):
        return reverse("establishments:assignment_detail", args=[self.pk])

    @property
    def place(self):
        return self.establishment or self.commune

    def is_active_on(self, on: datetime.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or self.ends_on > on)


def has_cadre_on(on: datetime.date) -> Q:
    """For an Establishment queryset: a cadre followed it, or its whole commune, on `on` — the
    commune it was entered in, or the unit that commune went into. (Subqueries each on its own
    index, rather than one with an OR that can use none.)"""
    from .units import UnitSuccession

    active = Assignment.objects.active_on(on)
    successors = UnitSuccession.objects.filter(predecessor=OuterRef(OuterRef("commune_id"))).values("successor")
    return (
        Q(Exists(active.filter(establishment=OuterRef("pk"))))
        | Q(Exists(active.filter(commune=OuterRef("commune_id"))))
        | Q(Exists(active.filter(commune__in=successors)))
    )
