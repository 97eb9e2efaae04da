"""The registry: the administrative units, the establishments, their party cells and members.

Facts are dated, so history is derived: an establishment "has a party cell on D" when a cell
covering it was founded on or before D and not dissolved by D; "has party members on D" when a
member attached to it was admitted on or before D and had not left by D. Both are SQL
annotations (`EstablishmentQuerySet.with_facts`), valid for any date.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sonla_party.citizen_id import normalise_citizen_id, validate_citizen_id
from sonla_party.scoping import ScopedQuerySet, ScopeLevel, scope_of
from sonla_party.search import SearchTextModel, SearchTextQuerySetMixin

from .choices import (
    AssignmentRole,
    CadreForce,
    CommuneKind,
    DistrictKind,
    EstablishmentKind,
    Ethnicity,
    FoundingMethod,
    Gender,
    LeftReason,
    MemberStatus,
)


def choice_constraint(field: str, choices, name: str, allow_blank: bool = False) -> models.CheckConstraint:
    """Choices alone do not protect the database: back each with a CHECK constraint."""
    condition = Q(**{f"{field}__in": choices.values})
    if allow_blank:
        condition |= Q(**{field: ""})
    return models.CheckConstraint(condition=condition, name=name)


def active_on_q(start: str, end: str, on: datetime.date) -> Q:
    """`start` on or before `on`, and `end` unset or after `on`."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gt": on}))


def existing_on_q(on: datetime.date, prefix: str = "") -> Q:
    """The establishment existed on `on`: opened by then (or before records) and not yet closed."""
    return (Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": on})) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on})
    )


def has_party_members_on(on: datetime.date) -> Exists:
    """For an Establishment queryset: a member attached to it was in the Party on `on`."""
    return Exists(PartyMember.objects.filter(establishment=OuterRef("pk")).active_on(on))


def has_party_cell_on(on: datetime.date) -> Exists:
    """For an Establishment queryset: a cell covering it was active on `on`."""
    return Exists(PartyCell.objects.filter(establishments=OuterRef("pk")).active_on(on))


def _count_covered(rows, start: str, end: str, establishment: str, dates) -> list[int]:
    """How many distinct existing establishments have at least one of `rows` active on each date:
    rows grouped by establishment with one conditional count per date, then counted."""
    per_establishment = (
        rows.order_by()
        .values(f"{establishment}_id")
        .annotate(
            **{
                f"d{i}": models.Count(
                    "pk", filter=active_on_q(start, end, on) & existing_on_q(on, f"{establishment}__")
                )
                for i, on in enumerate(dates)
            }
        )
    )
    totals = per_establishment.aggregate(
        **{f"n{i}": models.Count(f"{establishment}_id", filter=Q(**{f"d{i}__gt": 0})) for i in range(len(dates))}
    )
    return [totals[f"n{i}"] for i in range(len(dates))]


# On an establishment annotated by `with_facts`: "blank" — no party member or no party cell.
BLANK = Q(has_party_members=False) | Q(has_party_cell=False)
FACT_COUNTS = ("total", "without_members", "without_cell", "blank_without_cadre")


class DistrictQuerySet(ScopedQuerySet):
    district_path = "pk"
    commune_path = None


class District(models.Model):
    """A district-level unit (huyện / thành phố / thị xã), named by its official GSO code."""

    code = models.CharField(
        _("code"), max_length=3, unique=True, validators=[RegexValidator(r"^\d{3}$", _("Three digits."))]
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DistrictKind.choices, default=DistrictKind.DISTRICT)
    history = HistoricalRecords()

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["code"]
        constraints = [choice_constraint("kind", DistrictKind, "district_kind_valid")]

    def __str__(self):
        return self.name


class CommuneQuerySet(ScopedQuerySet):
    district_path = "district"
    commune_path = "pk"


class Commune(models.Model):
    """A commune-level unit (xã / phường / thị trấn).

    `is_mountainous` marks communes in mountain, border or ethnic-minority areas, where completed
    primary school is enough education for admission.
    """

    code = models.CharField(
        _("code"), max_length=5, unique=True, validators=[RegexValidator(r"^\d{5}$", _("Five digits."))]
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CommuneKind.choices, default=CommuneKind.COMMUNE)
    district = models.ForeignKey(
        District, verbose_name=_("district"), on_delete=models.PROTECT, related_name="communes"
    )
    is_border = models.BooleanField(_("border commune"), default=False)
    is_mountainous = models.BooleanField(
        _("mountain / ethnic-minority area"),
        default=False,
        help_text=_("Completed primary school is then enough education for admission."),
    )
    history = HistoricalRecords()

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["district__code", "name"]
        constraints = [choice_constraint("kind", CommuneKind, "commune_kind_valid")]

    def __str__(self):
        return self.name


class EstablishmentQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    district_path = "commune__district"
    commune_path = "commune"

    def existing_on(self, on: datetime.date):
        return self.filter(existing_on_q(on))

    def with_facts(self, on: datetime.date):
        """Annotate `has_party_members`, `has_party_cell` and `has_cadre` (a responsible cadre
        follows it or its commune) as they stood on `on`."""
        return self.annotate(
            has_party_members=has_party_members_on(on),
            has_party_cell=has_party_cell_on(on),
            has_cadre=has_cadre_on(on),
        )

    def blank(self, value: bool = True):
        """After `with_facts`: the "blank" establishments (no party member or no party cell), or
        with `value` False the others."""
        return self.filter(BLANK) if value else self.exclude(BLANK)

    def fact_counts_on(self, on: datetime.date, group_by: str) -> dict:
        """Per value of `group_by`, on `on`: the existing establishments, those without party
        members, without a party cell, and blank with no responsible cadre (one query)."""
        rows = (
            self.existing_on(on)
            .with_facts(on)
            .order_by()
            .values(group_by)
            .annotate(
                total=models.Count("pk"),
                without_members=models.Count("pk", filter=Q(has_party_members=False)),
                without_cell=models.Count("pk", filter=Q(has_party_cell=False)),
                blank_without_cadre=models.Count("pk", filter=BLANK & Q(has_cadre=False)),
            )
        )
        return {row.pop(group_by): row for row in rows}

    def blank_counts_on(self, dates: list[datetime.date]) -> list[dict[str, int]]:
        """For each date: how many of these establishments existed, and how many had no party
        members / no party cell. Three queries whatever the number of dates (a series over
        years would cost one correlated subquery per row and date otherwise)."""
        ids = self.order_by().values("pk")
        existing = self.order_by().aggregate(
            **{f"d{i}": models.Count("pk", filter=existing_on_q(on)) for i, on in enumerate(dates)}
        )
        members = _count_covered(
            PartyMember.objects.filter(establishment__in=ids), "admitted_on", "left_on", "establishment", dates
        )
        coverage = PartyCell.establishments.through.objects.filter(establishment__in=ids)
        cells = _count_covered(coverage, "partycell__founded_on", "partycell__dissolved_on", "establishment", dates)
        return [
            {
                "total": existing[f"d{i}"],
                "without_members": existing[f"d{i}"] - members[i],
                "without_cell": existing[f"d{i}"] - cells[i],
            }
            for i in range(len(dates))
        ]


class Establishment(SearchTextModel):
    """A cơ sở: a village, sub-region, residential group, school, health station, enterprise or cooperative."""

    search_source_fields = ("name", "code")

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="establishments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EstablishmentKind.choices)
    name = models.CharField(_("name"), max_length=150)
    code = models.CharField(_("code"), max_length=20, help_text=_("Unique within its commune."))
    opened_on = models.DateField(_("established on"), null=True, blank=True, help_text=_("Empty: before records."))
    closed_on = models.DateField(_("closed or merged on"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        ordering = ["commune__district__code", "commune__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "code"],
                name="establishment_code_unique_in_commune",
                violation_error_message=_("Another establishment of this commune already has this code."),
            ),
            choice_constraint("kind", EstablishmentKind, "establishment_kind_valid"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="establishment_closed_after_opened",
                violation_error_message=_("An establishment cannot close before it was established."),
            ),
        ]
        indexes = [models.Index(fields=["kind"], name="establishment_kind_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("establishments:establishment_detail", args=[self.pk])


class PartyCellQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    district_path = "seat__commune__district"
    commune_path = "seat__commune"

    def active_on(self, on: datetime.date):
        return self.filter(active_on_q("founded_on", "dissolved_on", on))


class PartyCell(SearchTextModel):
    """A chi bộ: the basic party organisation. A combined cell (chi bộ ghép) covers several
    small establishments; one of them is its seat, which places the cell in a commune."""

    search_source_fields = ("name",)

    name = models.CharField(_("name"), max_length=150)
    seat = models.ForeignKey(
        Establishment, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="seated_party_cells"
    )
    establishments = models.ManyToManyField(
        Establishment,
        verbose_name=_("establishments covered"),
        related_name="party_cells",
        help_text=_("The seat and any other establishment whose members meet in this cell."),
    )
    founded_on = models.DateField(_("founded on"))
    founding_method = models.CharField(_("founded by"), max_length=20, choices=FoundingMethod.choices)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["search_text"], m2m_fields=[establishments])

    objects = PartyCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("party cell")
        verbose_name_plural = _("party cells")
        ordering = ["seat__commune__district__code", "seat__commune__name", "name"]
        constraints = [
            choice_constraint("founding_method", FoundingMethod, "party_cell_founding_method_valid"),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=models.F("founded_on")),
                name="party_cell_dissolved_after_founded",
                violation_error_message=_("A cell cannot be dissolved before it was founded."),
            ),
        ]
        indexes = [
            models.Index(fields=["founded_on", "dissolved_on"], name="party_cell_dates_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("establishments:party_cell_detail", args=[self.pk])

    def is_active_on(self, on: datetime.date) -> bool:
        return self.founded_on <= on and (self.dissolved_on is None or self.dissolved_on > on)


class PartyMemberQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    district_path = "establishment__commune__district"
    commune_path = "establishment__commune"

    def active_on(self, on: datetime.date):
        """Members of the Party on `on`: admitted by then and not left."""
        return self.filter(active_on_q("admitted_on", "left_on", on))

    def official_on(self, on: datetime.date):
        return self.active_on(on).filter(official_on__isnull=False, official_on__lte=on)

    def with_status(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.annotate(
            status=models.Case(
                models.When(Q(left_on__isnull=False, left_on__lte=on), then=models.Value(MemberStatus.LEFT)),
                models.When(
                    Q(official_on__isnull=False, official_on__lte=on), then=models.Value(MemberStatus.OFFICIAL)
                ),
                default=models.Value(MemberStatus.PROBATIONARY),
                output_field=models.CharField(),
            )
        )


class PartyMember(SearchTextModel):
    """A đảng viên. Probationary (dự bị) from the admission ceremony (`admitted_on`), official
    (chính thức) from `official_on`, gone from `left_on`."""

    search_source_fields = ("full_name", "citizen_id")

    full_name = models.CharField(_("full name"), max_length=150)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity.choices)
    citizen_id = models.CharField(_("citizen ID"), max_length=12, null=True, blank=True, unique=True)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="party_members",
        help_text=_("Where the member lives or works."),
    )
    party_cell = models.ForeignKey(
        PartyCell,
        verbose_name=_("party cell"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_members",
    )
    admitted_on = models.DateField(_("admitted on"), help_text=_("Date of the admission ceremony."))
    official_on = models.DateField(_("official on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(_("reason for leaving"), max_length=20, choices=LeftReason.choices, blank=True)
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["full_name", "pk"]
        constraints = [
            choice_constraint("gender", Gender, "party_member_gender_valid"),
            choice_constraint("ethnicity", Ethnicity, "party_member_ethnicity_valid"),
            choice_constraint("left_reason", LeftReason, "party_member_left_reason_valid", allow_blank=True),
            models.CheckConstraint(
                condition=Q(official_on__isnull=True) | Q(official_on__gte=models.F("admitted_on")),
                name="party_member_official_after_admitted",
                violation_error_message=_("A member cannot become official before being admitted."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("admitted_on")),
                name="party_member_left_after_admitted",
                violation_error_message=_("A member cannot leave before being admitted."),
            ),
            models.CheckConstraint(
                condition=(Q(left_on__isnull=True) & Q(left_reason=""))
                | (Q(left_on__isnull=False) & ~Q(left_reason="")),
                name="party_member_left_reason_with_date",
                violation_error_message=_("A leaving date needs a reason, and a reason needs a date."),
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "admitted_on"], name="party_member_estab_admit_idx"),
            models.Index(fields=["admitted_on"], name="party_member_admitted_idx"),
            models.Index(fields=["official_on"], name="party_member_official_idx"),
            models.Index(fields=["full_name", "id"], name="party_member_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("establishments:party_member_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.citizen_id = normalise_citizen_id(self.citizen_id)
        validate_citizen_id(self.citizen_id, self.birth_date, self.gender)
        if self.left_on and not self.left_reason:
            raise ValidationError({"left_reason": _("Say why the member left.")})
        if self.left_reason and not self.left_on:
            raise ValidationError({"left_on": _("Give the date the member left.")})

    @property
    def status_label(self) -> str:
        return MemberStatus(self.status_on()).label

    def status_on(self, on: datetime.date | None = None) -> str:
        on = on or timezone.localdate()
        if self.left_on and self.left_on <= on:
            return MemberStatus.LEFT
        if self.official_on and self.official_on <= on:
            return MemberStatus.OFFICIAL
        return MemberStatus.PROBATIONARY


class CadreQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    district_path = "district"
    commune_path = None  # commune staff see the cadres of their district


class Cadre(SearchTextModel):
    """A cán bộ phụ trách: a border guard, soldier, police officer or official who follows
    establishments or communes that still lack party members or a cell, in one district."""

    search_source_fields = ("full_name", "unit")

    full_name = models.CharField(_("full name"), max_length=150)
    force = models.CharField(_("force"), max_length=30, choices=CadreForce.choices)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    rank = models.CharField(_("rank or position"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="cadres",
        help_text=_("The district where the cadre follows places."),
    )
    party_member = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member record"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre_records",
    )
    history = HistoricalRecords(excluded_fields=["search_text"])

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["full_name", "pk"]
        constraints = [choice_constraint("force", CadreForce, "cadre_force_valid")]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("establishments:cadre_detail", args=[self.pk])


class AssignmentQuerySet(ScopedQuerySet):
    district_path = "cadre__district"
    commune_path = None

    def for_user(self, user):
        scope = scope_of(user)
        queryset = super().for_user(user)
        if scope.level == ScopeLevel.COMMUNE:  # commune staff: what concerns their commune
            queryset = queryset.filter(Q(commune=scope.commune_id) | Q(establishment__commune=scope.commune_id))
        return queryset

    def active_on(self, on: datetime.date):
        return self.filter(active_on_q("starts_on", "ends_on", on))

    def open(self):
        return self.filter(ends_on__isnull=True)


class Assignment(models.Model):
    """A cadre following one establishment, or one whole commune (e.g. the border guard serving
    as deputy party secretary of a border commune), from a date until a date."""

    cadre = models.ForeignKey(Cadre, verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="assignments")
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune followed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    establishment = models.ForeignKey(
        Establishment,
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
    """For an Establishment queryset: a cadre followed it, or its whole commune, on `on`.
    (Two subqueries, each on its own index, rather than one with an OR that can use neither.)"""
    active = Assignment.objects.active_on(on)
    return Q(Exists(active.filter(establishment=OuterRef("pk")))) | Q(
        Exists(active.filter(commune=OuterRef("commune_id")))
    )
