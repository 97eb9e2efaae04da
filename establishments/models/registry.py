"""The registry: establishments and party members, and the dated facts about them.

Facts are dated, so history is derived: an establishment "has a party cell on D" when a cell
covering it was founded on or before D and not dissolved by D; "has party members on D" when a
member living or working there on D (their placement, see `MemberPlacement`) was admitted on or
before D and had not left by D. Both are SQL annotations (`EstablishmentQuerySet.with_facts`),
valid for any date.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sonla_party.citizen_id import normalise_citizen_id, validate_citizen_id
from sonla_party.dates import validate_past_date
from sonla_party.history import USER_UNCHECKED
from sonla_party.scoping import ScopedQuerySet
from sonla_party.search import SearchTextModel, SearchTextQuerySetMixin, fold

from ..choices import EstablishmentKind, Ethnicity, Gender, Lacking, LeftReason, MemberStatus
from .common import active_on_q, choice_constraint, open_interval_on_q

# A new member is probationary (dự bị) for 12 months from the admission ceremony, then official.
PROBATION_MONTHS = 12


def existing_on_q(on: datetime.date, prefix: str = "") -> Q:
    """The establishment existed on `on`: opened by then (or before records) and not yet closed."""
    return open_interval_on_q(f"{prefix}opened_on", f"{prefix}closed_on", on)


def placed_on_q(on: datetime.date, prefix: str = "") -> Q:
    """For PartyMember: in the Party on `on` and living or working at their current establishment by then."""
    return active_on_q(f"{prefix}admitted_on", f"{prefix}left_on", on) & (
        Q(**{f"{prefix}establishment_since__isnull": True}) | Q(**{f"{prefix}establishment_since__lte": on})
    )


def past_placed_on_q(on: datetime.date) -> Q:
    """For MemberPlacement: the member lived or worked there on `on`, and was in the Party then."""
    return open_interval_on_q("since", "until", on) & active_on_q("member__admitted_on", "member__left_on", on)


def has_party_members_on(on: datetime.date) -> Q:
    """For an Establishment queryset: a member placed there was in the Party on `on` (the current
    placement, or an earlier one — a village merged into another keeps its past members)."""
    current = PartyMember.objects.filter(placed_on_q(on), establishment=OuterRef("pk"))
    past = MemberPlacement.objects.filter(past_placed_on_q(on), establishment=OuterRef("pk"))
    return Q(Exists(current)) | Q(Exists(past))


def has_party_cell_on(on: datetime.date) -> Exists:
    """For an Establishment queryset: a cell covering it was active on `on`. (No index leads with
    the organisation's level: SQLite, without statistics, would scan every cell for each
    establishment through it instead of reading this establishment's coverage rows.)"""
    from .party import PartyCell

    return Exists(PartyCell.objects.filter(establishments=OuterRef("pk")).active_on(on))


def lacking_on(on: datetime.date, lacking: str = Lacking.EITHER) -> Q:
    """For an Establishment queryset: blank on `on` — without party members, without a party
    cell, or either (`lacking`, a `Lacking` value)."""
    if lacking == Lacking.NO_MEMBER:
        return ~has_party_members_on(on)
    if lacking == Lacking.NO_CELL:
        return ~Q(has_party_cell_on(on))
    if lacking == Lacking.EITHER:
        return ~has_party_members_on(on) | ~Q(has_party_cell_on(on))
    raise ValueError(lacking)


def first_in_establishment_q() -> Q:
    """For PartyMember: the member's admission gave their establishment its first party members
    — "has party members" (`has_party_members_on`) was false there on the day before it. The
    same test written against each member's own admission date: no other member placed there
    had been admitted earlier and was still in the Party, and the member was placed there from
    admission. Of several admitted there the same day, only the first recorded counts, so that
    each time an establishment gets its first members counts once."""
    admitted = OuterRef("admitted_on")
    in_party_before = Q(left_on__isnull=True) | Q(left_on__gte=admitted)
    others = PartyMember.objects.filter(
        (Q(admitted_on__lt=admitted) | Q(admitted_on=admitted, pk__lt=OuterRef("pk")))
        & in_party_before
        & (Q(establishment_since__isnull=True) | Q(establishment_since__lt=admitted)),
        establishment=OuterRef("establishment"),
    )
    earlier_placements = MemberPlacement.objects.filter(
        (Q(since__isnull=True) | Q(since__lt=admitted))
        & Q(until__gte=admitted, member__admitted_on__lt=admitted)
        & (Q(member__left_on__isnull=True) | Q(member__left_on__gte=admitted)),
        establishment=OuterRef("establishment"),
    )
    placed_from_admission = Q(establishment_since__isnull=True) | Q(establishment_since__lte=models.F("admitted_on"))
    return placed_from_admission & ~Q(Exists(others)) & ~Q(Exists(earlier_placements))


def _covered(rows, condition, establishment: str, dates) -> list[set[int]]:
    """For each date, the existing establishments that have at least one of `rows` meeting
    `condition(date)` on it: one grouped query for all the dates."""
    per_establishment = (
        rows.order_by()
        .values(f"{establishment}_id")
        .annotate(
            **{
                f"d{i}": models.Count("pk", filter=condition(on) & existing_on_q(on, f"{establishment}__"))
                for i, on in enumerate(dates)
            }
        )
    )
    found = [set() for _date in dates]
    for row in per_establishment:
        for i in range(len(dates)):
            if row[f"d{i}"]:
                found[i].add(row[f"{establishment}_id"])
    return found


def _count_covered(rows, condition, establishment: str, dates) -> list[int]:
    """How many distinct existing establishments are covered on each date, counted in SQL."""
    per_establishment = (
        rows.order_by()
        .values(f"{establishment}_id")
        .annotate(
            **{
                f"d{i}": models.Count("pk", filter=condition(on) & existing_on_q(on, f"{establishment}__"))
                for i, on in enumerate(dates)
            }
        )
    )
    totals = per_establishment.aggregate(
        **{f"n{i}": models.Count(f"{establishment}_id", filter=Q(**{f"d{i}__gt": 0})) for i in range(len(dates))}
    )
    return [totals[f"n{i}"] for i in range(len(dates))]


def _members_covered(ids, dates) -> list[int]:
    """Establishments with party members on each date: current placements, plus earlier ones."""
    members = PartyMember.objects.filter(establishment__in=ids)
    past = MemberPlacement.objects.filter(establishment__in=ids)
    if not past.exists():
        return _count_covered(members, placed_on_q, "establishment", dates)
    current = _covered(members, placed_on_q, "establishment", dates)
    earlier = _covered(past, past_placed_on_q, "establishment", dates)
    return [len(a | b) for a, b in zip(current, earlier, strict=True)]


# On an establishment annotated by `with_facts`: "blank" — no party member or no party cell.
BLANK = Q(has_party_members=False) | Q(has_party_cell=False)
FACT_COUNTS = ("total", "without_members", "without_cell", "blank_without_cadre")


class EstablishmentQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "commune"

    def existing_on(self, on: datetime.date):
        return self.filter(existing_on_q(on))

    def with_facts(self, on: datetime.date):
        """Annotate `has_party_members`, `has_party_cell` and `has_cadre` (a responsible cadre
        follows it or its commune) as they stood on `on`."""
        from .cadres import has_cadre_on

        return self.annotate(
            has_party_members=has_party_members_on(on),
            has_party_cell=has_party_cell_on(on),
            has_cadre=has_cadre_on(on),
        )

    def blank(self, value: bool = True):
        """After `with_facts`: the "blank" establishments (no party member or no party cell), or
        with `value` False the others."""
        return self.filter(BLANK) if value else self.exclude(BLANK)

    def blank_on(self, on: datetime.date, lacking: str = Lacking.EITHER):
        """The establishments that existed on `on` and were blank then (see `lacking_on`)."""
        return self.existing_on(on).filter(lacking_on(on, lacking))

    def fact_counts_on_dates(self, dates: list[datetime.date], group_by: list[str]) -> dict[tuple, list[dict]]:
        """Per value of `group_by` (a tuple), for each date: how many of these establishments
        existed (`total`), and how many had no party members (`without_members`) / no party cell
        (`without_cell`). Five queries whatever the number of dates and establishments: the
        coverage is counted per establishment in SQL (as `blank_counts_on` does), then summed
        per group; a correlated subquery per establishment and date would cost minutes."""
        from .party import PartyCell

        ids = self.order_by().values("pk")
        groups = {row[0]: tuple(row[1:]) for row in self.order_by().values_list("pk", *group_by)}
        existing = (
            self.order_by()
            .values(*group_by)
            .annotate(**{f"d{i}": models.Count("pk", filter=existing_on_q(on)) for i, on in enumerate(dates)})
        )
        result = {
            tuple(row[name] for name in group_by): [
                {"total": row[f"d{i}"], "without_members": row[f"d{i}"], "without_cell": row[f"d{i}"]}
                for i in range(len(dates))
            ]
            for row in existing
        }
        members = _covered(PartyMember.objects.filter(establishment__in=ids), placed_on_q, "establishment", dates)
        earlier = _covered(
            MemberPlacement.objects.filter(establishment__in=ids), past_placed_on_q, "establishment", dates
        )
        cells = _covered(
            PartyCell.establishments.through.objects.filter(establishment__in=ids),
            lambda on: active_on_q("partyorganisation__founded_on", "partyorganisation__dissolved_on", on),
            "establishment",
            dates,
        )
        for i in range(len(dates)):
            for pk in members[i] | earlier[i]:
                result[groups[pk]][i]["without_members"] -= 1
            for pk in cells[i]:
                result[groups[pk]][i]["without_cell"] -= 1
        return result

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
        from .party import PartyCell

        members = _members_covered(ids, dates)
        coverage = PartyCell.establishments.through.objects.filter(establishment__in=ids)
        cells = _count_covered(
            coverage,
            lambda on: active_on_q("partyorganisation__founded_on", "partyorganisation__dissolved_on", on),
            "establishment",
            dates,
        )
        return [
            {
                "total": existing[f"d{i}"],
                "without_members": existing[f"d{i}"] - members[i],
                "without_cell": existing[f"d{i}"] - cells[i],
            }
            for i in range(len(dates))
        ]


# Words a name may open with that already say its kind, besides the kind's label ("Trường Tiểu học
# Chiềng Mung" is a school, "Công ty TNHH Chè Mộc Châu" an enterprise), accent-free and lower case.
KIND_NAME_WORDS = {
    EstablishmentKind.SCHOOL: ("truong",),
    EstablishmentKind.ENTERPRISE: ("cong ty", "doanh nghiep"),
    EstablishmentKind.COOPERATIVE: ("htx",),
}


class Establishment(SearchTextModel):
    """A cơ sở: a village, sub-region, residential group, school, health station, enterprise or cooperative."""

    search_source_fields = ("name", "code")

    commune = models.ForeignKey(
        "establishments.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="establishments",
        limit_choices_to={"level": "commune"},
        help_text=_("The commune-level unit it was entered in; after a reorganisation it lies in the successor."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EstablishmentKind.choices)
    name = models.CharField(_("name"), max_length=150)
    code = models.CharField(_("code"), max_length=20, help_text=_("Unique within its commune."))
    opened_on = models.DateField(
        _("established on"),
        null=True,
        blank=True,
        validators=[validate_past_date],
        help_text=_("Empty: before records (the registry's first load only)."),
    )
    closed_on = models.DateField(_("closed or merged on"), null=True, blank=True, validators=[validate_past_date])
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_from",
    )
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"], user_db_constraint=USER_UNCHECKED)

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("establishment")
        verbose_name_plural = _("establishments")
        ordering = ["commune__sort_key", "sort_key", "pk"]
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

    @property
    def title(self) -> str:
        """The kind and the name ("Bản Mường Hốc" for the village named "Mường Hốc"), without saying
        the kind twice when the name already starts with it (a village named "Bản Mường Hốc")."""
        kind = self.get_kind_display()
        with translation.override("vi"):
            words = {fold(kind), fold(EstablishmentKind(self.kind).label), *KIND_NAME_WORDS.get(self.kind, ())}
        name = fold(self.name)
        if any(name == word or name.startswith(word + " ") for word in words if word):
            return self.name
        return f"{kind} {self.name}"

    def get_absolute_url(self):
        return reverse("establishments:establishment_detail", args=[self.pk])


class PartyMemberQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "establishment__commune"

    def active_on(self, on: datetime.date):
        """Members of the Party on `on`: admitted by then and not left."""
        return self.filter(active_on_q("admitted_on", "left_on", on))

    def first_in_establishment(self, value: bool = True):
        """The members who gave their establishment its first party members (see
        `first_in_establishment_q`), or with `value` False the others."""
        return self.filter(first_in_establishment_q()) if value else self.exclude(first_in_establishment_q())

    def official_on(self, on: datetime.date):
        return self.active_on(on).filter(official_on__isnull=False, official_on__lte=on)

    def in_cell_on(self, cell, on: datetime.date):
        """Members whose party activity was in `cell` on `on` (their dated cell membership)."""
        from .party import CellMembership

        return self.filter(pk__in=CellMembership.objects.active_on(on).filter(cell=cell).values("member"))

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

    search_source_fields = ("full_name",)
    search_restricted_fields = {"citizen_id": "sonla_party.view_full_citizen_id"}
    sensitive_fields = ("ethnicity",)  # sonla_party.sensitive: behind view_sensitive_data
    sort_as_person = True

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
    establishment_since = models.DateField(
        _("at this establishment since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Empty: since admission. Earlier places are kept as placements."),
    )
    party_cell = models.ForeignKey(
        "establishments.PartyCell",
        verbose_name=_("party cell"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_members",
        help_text=_("The cell the member belongs to today; the dated record is the cell memberships."),
    )
    admitted_on = models.DateField(
        _("admitted on"), validators=[validate_past_date], help_text=_("Date of the admission ceremony.")
    )
    official_on = models.DateField(_("official on"), null=True, blank=True, validators=[validate_past_date])
    left_on = models.DateField(_("left on"), null=True, blank=True, validators=[validate_past_date])
    left_reason = models.CharField(_("reason for leaving"), max_length=20, choices=LeftReason.choices, blank=True)
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"], user_db_constraint=USER_UNCHECKED)

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["sort_key", "pk"]
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
            models.Index(fields=["sort_key", "id"], name="party_member_sort_idx"),
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


class MemberPlacement(models.Model):
    """An earlier establishment of a member (where they lived or worked), from a date until a
    date: what a merge of villages or a move leaves behind, so past facts stay true."""

    member = models.ForeignKey(
        PartyMember, verbose_name=_("party member"), on_delete=models.CASCADE, related_name="placements"
    )
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.PROTECT, related_name="member_placements"
    )
    since = models.DateField(_("since"), null=True, blank=True, help_text=_("Empty: since admission."))
    until = models.DateField(_("until"), help_text=_("The first day at the next establishment."))
    note = models.CharField(_("note"), max_length=250, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("earlier placement")
        verbose_name_plural = _("earlier placements")
        ordering = ["member", "until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(since__isnull=True) | Q(until__gt=models.F("since")),
                name="member_placement_until_after_since",
                violation_error_message=_("A placement must end after it begins."),
            )
        ]
        indexes = [models.Index(fields=["establishment", "until"], name="member_placement_estab_idx")]

    def __str__(self):
        return f"{self.member} — {self.establishment}"
