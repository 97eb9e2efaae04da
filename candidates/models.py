"""Candidates for admission and everything dated about them.

A candidate (quần chúng ưu tú / đối tượng kết nạp) moves through the stages of `choices.Stage`;
every move is a `StageEvent` written by `services.move_candidate`, the only code that assigns
`stage`. The rules that allow or refuse a move live in `services.py`.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from establishments.choices import Ethnicity, Gender
from establishments.models import Commune, Establishment, PartyCell, PartyMember, choice_constraint
from sonla_party.citizen_id import normalise_citizen_id, validate_citizen_id
from sonla_party.dates import validate_past_date, validate_since_1930
from sonla_party.history import USER_UNCHECKED
from sonla_party.scoping import ScopedQuerySet
from sonla_party.search import SearchTextModel, SearchTextQuerySetMixin
from sonla_party.workdays import add_months

from .choices import (
    AFTER_CELL_VOTE,
    BEFORE_ADMISSION,
    DOSSIER_OPEN,
    ENDED_WITHOUT_ADMISSION,
    IN_PROCEDURE,
    TRANSITIONS,
    ClassStatus,
    DecidingLevel,
    DueKind,
    EssayResult,
    LegalBasis,
    Religion,
    Stage,
)


class SourceListQuerySet(ScopedQuerySet):
    unit_path = "commune"


class SourceList(models.Model):
    """Danh sách nguồn: a commune's list of candidates for one year (tạo nguồn phát triển đảng)."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="source_lists"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    approved_on = models.DateField(_("approved on"), null=True, blank=True, validators=[validate_past_date])
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    objects = SourceListQuerySet.as_manager()

    class Meta:
        verbose_name = _("source list")
        verbose_name_plural = _("source lists")
        ordering = ["-year", "commune__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "year"],
                name="source_list_one_per_commune_and_year",
                violation_error_message=_("This commune already has a source list for that year."),
            )
        ]

    def __str__(self):
        return f"{self.commune} {self.year}"

    def get_absolute_url(self):
        return reverse("candidates:source_list_detail", args=[self.pk])


def without_legal_basis_q() -> Q:
    """For a Candidate queryset: a file that records no basis for processing the person's data (an
    anonymised file holds no personal data left to process)."""
    return Q(legal_basis="", anonymised_on__isnull=True)


class CandidateQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "establishment__commune"

    def without_legal_basis(self):
        """The files the work queue lists under "Missing legal basis for data processing"."""
        return self.filter(without_legal_basis_q())

    def due_for_anonymisation(self, on: datetime.date):
        """Files that ended without an admission (withdrawn, rejected, moved away) on a day at
        least PERSONAL_DATA_RETENTION_YEARS before `on`, and not yet anonymised."""
        cutoff = add_months(on, -12 * settings.PERSONAL_DATA_RETENTION_YEARS)
        return self.filter(stage__in=ENDED_WITHOUT_ADMISSION, stage_since__lte=cutoff, anonymised_on__isnull=True)


PHASES = {
    "on_source_list": _("On a source list"),
    "certified": _("Holding a valid certificate"),
    "in_procedure": _("In the dossier and voting stages"),
}


def event_open_on_q(on: datetime.date) -> Q:
    """For StageEvent: the step the file was at on `on` (entered by then, not yet followed)."""
    return Q(occurred_on__lte=on) & (Q(ended_on__isnull=True) | Q(ended_on__gt=on))


def certificate_expires_on(certificate_on: datetime.date) -> datetime.date:
    """The first day a certificate of `certificate_on` is no longer valid (CERTIFICATE_VALIDITY_MONTHS
    later; a certificate of 29 February expires on the last day of February)."""
    return add_months(certificate_on, settings.CERTIFICATE_VALIDITY_MONTHS)


def certificate_valid_on(certificate_on: datetime.date | None, on: datetime.date) -> bool:
    """The one rule of a certificate's validity: from its date, until it expires. The cell's
    vote, the enrolment and the reports' "valid certificate" all ask this."""
    return certificate_on is not None and certificate_on <= on < certificate_expires_on(certificate_on)


def oldest_valid_certificate_on(on: datetime.date) -> datetime.date:
    """The earliest certificate date still valid on `on`, by `certificate_valid_on` itself (the
    expiry only grows with the certificate's date), so a query filtering on it agrees with it."""
    day = add_months(on, -settings.CERTIFICATE_VALIDITY_MONTHS) - datetime.timedelta(days=4)
    while certificate_expires_on(day) <= on:
        day += datetime.timedelta(days=1)
    return day


def phase_event_q(phase: str, on: datetime.date) -> Q:
    """For StageEvent: the file was in `phase` on `on` ("certified": at a stage before admission
    with a certificate still valid — `certificate_valid_on`; "in_procedure": at the dossier or
    voting stages)."""
    if phase == "certified":
        return (
            event_open_on_q(on)
            & Q(stage__in=BEFORE_ADMISSION)
            & Q(candidate__certificate_on__lte=on, candidate__certificate_on__gte=oldest_valid_certificate_on(on))
        )
    if phase == "in_procedure":
        return event_open_on_q(on) & Q(stage__in=IN_PROCEDURE)
    raise ValueError(phase)


def step_event_q(stage: str, start: datetime.date, end: datetime.date) -> Q:
    """For StageEvent: a step into `stage` between `start` and `end` (both included)."""
    return Q(stage=stage, occurred_on__range=(start, end))


def entry_open_on_q(on: datetime.date) -> Q:
    """For SourceListEntry: the person was on the list on `on`."""
    return Q(added_on__lte=on) & (Q(removed_on__isnull=True) | Q(removed_on__gt=on))


def entry_added_q(start: datetime.date, end: datetime.date) -> Q:
    return Q(added_on__range=(start, end))


def candidates_in_phase(phase: str, on: datetime.date) -> Q:
    """For a Candidate queryset: the same conditions as the quarterly report counts, so a figure
    and its drill-down list always agree."""
    if phase == "on_source_list":
        return Q(Exists(SourceListEntry.objects.filter(entry_open_on_q(on), candidate=OuterRef("pk"))))
    return Q(Exists(StageEvent.objects.filter(phase_event_q(phase, on), candidate=OuterRef("pk"))))


def candidates_with_step(stage: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(Exists(StageEvent.objects.filter(step_event_q(stage, start, end), candidate=OuterRef("pk"))))


def candidates_added(start: datetime.date, end: datetime.date) -> Q:
    return Q(Exists(SourceListEntry.objects.filter(entry_added_q(start, end), candidate=OuterRef("pk"))))


# Facts written by the steps only (training, certificate renewal, dossier), never by an edit.
STEP_FIELDS = (
    "certificate_number",
    "certificate_on",
    "certificate_issuer",
    "application_on",
    "personal_history_on",
    "verification_concluded_on",
    "comments_on",
    "over_age_decision",
    "over_age_decision_on",
)
# Facts the cell's vote checks (age, education, the commune's rule, the introducers' rule).
VOTE_CHECKED_FIELDS = ("birth_date", "education_grade", "establishment", "is_youth_union_member")


class Candidate(SearchTextModel):
    """An outstanding non-member being brought towards admission (quần chúng ưu tú)."""

    search_source_fields = ("full_name",)
    search_restricted_fields = {"citizen_id": "sonla_party.view_full_citizen_id"}
    sensitive_fields = ("ethnicity", "religion")  # sonla_party.sensitive: behind view_sensitive_data
    sort_as_person = True

    full_name = models.CharField(_("full name"), max_length=150)
    birth_date = models.DateField(_("birth date"), validators=[validate_past_date])
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, choices=Ethnicity.choices)
    religion = models.CharField(_("religion"), max_length=20, choices=Religion.choices, blank=True)
    citizen_id = models.CharField(_("citizen ID"), max_length=12, null=True, blank=True, unique=True)
    education_grade = models.PositiveSmallIntegerField(
        _("general education (grade completed)"),
        validators=[MaxValueValidator(12)],
        help_text=_("Out of 12: 5 = primary, 9 = lower secondary, 12 = upper secondary."),
    )
    qualification = models.CharField(_("professional qualification"), max_length=150, blank=True)
    occupation = models.CharField(_("occupation"), max_length=150, blank=True)
    is_youth_union_member = models.BooleanField(_("Youth Union member"), default=False)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text=_("Where the candidate lives or works."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    helper = models.ForeignKey(
        PartyMember,
        verbose_name=_("party member helping"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="helped_candidates",
    )
    notes = models.TextField(_("notes"), blank=True)
    legal_basis = models.CharField(
        _("legal basis for processing the personal data"),
        max_length=20,
        choices=LegalBasis.choices,
        blank=True,
        help_text=_("The person's written consent (with its date), or the Party's rules requiring the file."),
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True, validators=[validate_past_date])
    legal_basis_note = models.CharField(_("note on the legal basis"), max_length=250, blank=True)
    anonymised_on = models.DateField(
        _("anonymised on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The retention period ended: the personal data were erased (anonymise_personal_data)."),
    )

    # The pipeline. Only services.move_candidate writes `stage`.
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices, default=Stage.SOURCE, editable=False)
    stage_since = models.DateField(_("in this stage since"), null=True, blank=True, editable=False)
    party_cell = models.ForeignKey(
        PartyCell,
        verbose_name=_("party cell considering the admission"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidates",
    )
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    certificate_on = models.DateField(_("certificate date"), null=True, blank=True, validators=[validate_past_date])
    certificate_issuer = models.CharField(_("certificate issued by"), max_length=150, blank=True)
    application_on = models.DateField(
        _("application (form 1-KNĐ)"), null=True, blank=True, validators=[validate_past_date]
    )
    personal_history_on = models.DateField(
        _("personal history (form 2-KNĐ)"), null=True, blank=True, validators=[validate_past_date]
    )
    verification_concluded_on = models.DateField(
        _("background verification concluded"), null=True, blank=True, validators=[validate_past_date]
    )
    comments_on = models.DateField(
        _("comments of organisations and the residence cell (form 5-KNĐ)"),
        null=True,
        blank=True,
        validators=[validate_past_date],
    )
    over_age_decision = models.CharField(
        _("provincial committee decision for admission over 60"),
        max_length=100,
        blank=True,
        help_text=_("Over 60 years of age, admission needs the written decision of the provincial party committee."),
    )
    over_age_decision_on = models.DateField(
        _("date of that decision"), null=True, blank=True, validators=[validate_past_date]
    )
    party_member = models.OneToOneField(
        PartyMember,
        verbose_name=_("party member record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="candidate",
    )
    next_due_on = models.DateField(_("next deadline"), null=True, blank=True, editable=False)
    next_due_kind = models.CharField(
        _("what is due"), max_length=30, choices=DueKind.choices, blank=True, editable=False
    )
    # The deadline is derived from the tracked facts; tracking it too would only add noise.
    # History rows are read by the file's id and date only: indexes on their other fields would
    # be written by every save and import, and read by nothing. Their user is not checked by the
    # database (`sonla_party.history.USER_UNCHECKED`).
    history = HistoricalRecords(
        excluded_fields=["search_text", "sort_key", "next_due_on", "next_due_kind"],
        no_db_index=["citizen_id", "establishment", "helper", "party_cell", "party_member"],
        user_db_constraint=USER_UNCHECKED,
    )

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["sort_key", "pk"]
        permissions = [
            ("move_candidate", _("Can record the steps of the admission process")),
            ("record_decision", _("Can record admission decisions")),
            ("record_training", _("Can record the completion of the awareness class")),
        ]
        constraints = [
            choice_constraint("stage", Stage, "candidate_stage_valid"),
            choice_constraint("gender", Gender, "candidate_gender_valid"),
            choice_constraint("ethnicity", Ethnicity, "candidate_ethnicity_valid"),
            choice_constraint("religion", Religion, "candidate_religion_valid", allow_blank=True),
            choice_constraint("next_due_kind", DueKind, "candidate_due_kind_valid", allow_blank=True),
            choice_constraint("legal_basis", LegalBasis, "candidate_legal_basis_valid", allow_blank=True),
            models.CheckConstraint(
                condition=(Q(legal_basis=LegalBasis.CONSENT) & Q(consent_on__isnull=False))
                | (~Q(legal_basis=LegalBasis.CONSENT) & Q(consent_on__isnull=True)),
                name="candidate_consent_dated",
                violation_error_message=_("A written consent has its date, and only a consent has one."),
            ),
            models.CheckConstraint(
                condition=Q(education_grade__lte=12),
                name="candidate_education_at_most_12",
                violation_error_message=_("General education goes up to grade 12."),
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "next_due_on"], name="candidate_stage_due_idx"),
            models.Index(fields=["next_due_on"], name="candidate_due_idx"),
            models.Index(fields=["sort_key", "id"], name="candidate_sort_idx"),
            models.Index(fields=["birth_date"], name="candidate_birth_date_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("candidates:candidate_detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.citizen_id = normalise_citizen_id(self.citizen_id)
        validate_citizen_id(self.citizen_id, self.birth_date, self.gender)
        if self.legal_basis == LegalBasis.CONSENT and not self.consent_on:
            raise ValidationError({"consent_on": _("Give the date of the written consent.")})
        if self.legal_basis != LegalBasis.CONSENT and self.consent_on:
            raise ValidationError({"consent_on": _("A consent date goes with the person's written consent only.")})

    @property
    def frozen_fields(self) -> tuple[str, ...]:
        """The facts no ordinary edit may change at this stage: the steps' own, and after the
        cell's vote the facts it checked. A wrong one is corrected by `services.correct_candidate`."""
        if self.stage in AFTER_CELL_VOTE:
            return (*STEP_FIELDS, *VOTE_CHECKED_FIELDS)
        return STEP_FIELDS

    @property
    def dossier_is_open(self) -> bool:
        """Trained or at the dossier: documents, introductions and a renewed certificate may come."""
        return self.stage in DOSSIER_OPEN

    def can_move_to(self, stage: str) -> bool:
        """Whether the pipeline allows going from the current stage to `stage` (no other rule)."""
        return stage in TRANSITIONS.get(self.stage, set())

    def allowed_stages(self) -> list[str]:
        return [stage for stage in Stage.values if self.can_move_to(stage)]

    def age_on(self, day: datetime.date) -> int:
        """Full years of age on `day`."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def certificate_expires_on(self) -> datetime.date | None:
        return certificate_expires_on(self.certificate_on) if self.certificate_on else None

    def certificate_valid_on(self, day: datetime.date) -> bool:
        return certificate_valid_on(self.certificate_on, day)


class IntroducerQuerySet(ScopedQuerySet):
    unit_path = "candidate__establishment__commune"


class Introducer(models.Model):
    """Người giới thiệu: an official member who has worked or lived with the candidate for 12
    months (form 3-KNĐ), or — for a Youth Union member — the Youth Union's resolution (4-KNĐ)."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="introducers"
    )
    party_member = models.ForeignKey(
        PartyMember,
        verbose_name=_("introducing party member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="introductions",
    )
    youth_union_resolution = models.CharField(_("Youth Union resolution number"), max_length=50, blank=True)
    introduced_on = models.DateField(_("introduced on"), validators=[validate_past_date])
    known_since = models.DateField(
        _("has worked or lived with the candidate since"),
        null=True,
        blank=True,
        validators=[validate_past_date],
        help_text=_("At least 12 months before the cell's vote (the introducer's own statement, form 3-KNĐ)."),
    )
    note = models.CharField(_("note"), max_length=250, blank=True)
    history = HistoricalRecords()

    objects = IntroducerQuerySet.as_manager()

    class Meta:
        verbose_name = _("introducer")
        verbose_name_plural = _("introducers")
        ordering = ["introduced_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(party_member__isnull=False) & Q(youth_union_resolution=""))
                | (Q(party_member__isnull=True) & ~Q(youth_union_resolution="")),
                name="introducer_member_or_youth_union",
                violation_error_message=_(
                    "An introduction comes from a party member or from a Youth Union resolution."
                ),
            ),
            models.UniqueConstraint(
                fields=["candidate", "party_member"],
                name="introducer_once_per_candidate",
                violation_error_message=_("This member already introduced the candidate."),
            ),
        ]

    def __str__(self):
        if self.party_member_id:
            return str(self.party_member)
        return _("Youth Union resolution %(number)s") % {"number": self.youth_union_resolution}

    @property
    def is_youth_union(self) -> bool:
        return not self.party_member_id


class StageEventQuerySet(ScopedQuerySet):
    unit_path = "candidate__establishment__commune"


class StageEvent(models.Model):
    """One step of a candidate's file: the stage entered, its date and document, who recorded it."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="events"
    )
    from_stage = models.CharField(_("from stage"), max_length=30, choices=Stage.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=30, choices=Stage.choices)
    occurred_on = models.DateField(_("date"), validators=[validate_past_date])
    ended_on = models.DateField(
        _("until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The date of the next step: the file was at this stage from its date until then."),
    )
    document_number = models.CharField(_("document number"), max_length=50, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes in favour"), null=True, blank=True)
    official_members = models.PositiveSmallIntegerField(_("official members of the cell"), null=True, blank=True)
    deciding_level = models.CharField(_("deciding level"), max_length=20, choices=DecidingLevel.choices, blank=True)
    deciding_body = models.CharField(_("deciding body"), max_length=200, blank=True)
    deciding_committee = models.ForeignKey(
        "establishments.PartyOrganisation",
        verbose_name=_("deciding committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="admission_decisions",
        help_text=_("The committee competent on the decision's date, as recorded."),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords(
        excluded_fields=["ended_on"],  # derived from the next step
        no_db_index=["candidate", "deciding_committee", "recorded_by"],  # read by the step's id only
        user_db_constraint=USER_UNCHECKED,
    )

    objects = StageEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage event")
        verbose_name_plural = _("stage events")
        ordering = ["occurred_on", "recorded_at", "pk"]
        constraints = [
            choice_constraint("stage", Stage, "stage_event_stage_valid"),
            choice_constraint("from_stage", Stage, "stage_event_from_stage_valid", allow_blank=True),
            choice_constraint("deciding_level", DecidingLevel, "stage_event_deciding_level_valid", allow_blank=True),
            models.CheckConstraint(
                condition=Q(votes_for__isnull=True)
                | Q(official_members__isnull=True)
                | Q(votes_for__lte=models.F("official_members")),
                name="stage_event_votes_within_members",
                violation_error_message=_("Votes in favour cannot exceed the number of official members."),
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "occurred_on"], name="stage_event_stage_date_idx"),
            models.Index(fields=["candidate", "stage"], name="stage_event_candidate_idx"),
            models.Index(fields=["candidate", "occurred_on"], name="stage_event_cand_date_idx"),
            models.Index(fields=["occurred_on", "ended_on"], name="stage_event_open_idx"),
            models.Index(fields=["ended_on"], name="stage_event_ended_idx"),
        ]

    def __str__(self):
        return f"{self.candidate} → {self.get_stage_display()} ({self.occurred_on:%d/%m/%Y})"


class SourceListEntryQuerySet(ScopedQuerySet):
    unit_path = "source_list__commune"

    def from_blank(self, on: datetime.date, lacking: str):
        """Lines of people whose establishment (on the line) was blank on `on` (see `lacking_on`)."""
        return self.filter(establishment__in=Establishment.objects.blank_on(on, lacking).values("pk"))


class SourceListEntry(models.Model):
    """A candidate's line on a source list: added on a date, maybe removed later with a reason."""

    source_list = models.ForeignKey(
        SourceList, verbose_name=_("source list"), on_delete=models.CASCADE, related_name="entries"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="source_list_entries"
    )
    establishment = models.ForeignKey(
        Establishment, verbose_name=_("establishment"), on_delete=models.PROTECT, related_name="source_list_entries"
    )
    added_on = models.DateField(_("added on"), validators=[validate_past_date])
    removed_on = models.DateField(_("removed on"), null=True, blank=True, validators=[validate_past_date])
    removed_reason = models.CharField(_("reason for removal"), max_length=250, blank=True)
    history = HistoricalRecords(  # read by the line's id
        no_db_index=["source_list", "candidate", "establishment"], user_db_constraint=USER_UNCHECKED
    )

    objects = SourceListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("source list entry")
        verbose_name_plural = _("source list entries")
        ordering = ["source_list", "candidate__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_list", "candidate"],
                name="source_list_entry_once",
                violation_error_message=_("The candidate is already on this source list."),
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("added_on")),
                name="source_list_entry_removed_after_added",
                violation_error_message=_("A removal cannot come before the addition."),
            ),
        ]
        indexes = [
            models.Index(fields=["added_on", "removed_on"], name="source_list_entry_open_idx"),
            models.Index(fields=["added_on"], name="source_list_entry_added_idx"),
            models.Index(fields=["candidate", "added_on"], name="source_entry_candidate_idx"),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.source_list}"


class TrainingClassQuerySet(SearchTextQuerySetMixin, ScopedQuerySet):
    unit_path = "unit"  # a district's class: its communes' staff see it too

    def with_counts(self):
        enrolled = Enrollment.objects.filter(training_class=OuterRef("pk")).order_by().values("training_class")
        return self.annotate(
            enrolled_count=Coalesce(Subquery(enrolled.annotate(n=Count("pk")).values("n")), 0),
            completed_count=Coalesce(Subquery(enrolled.filter(completed=True).annotate(n=Count("pk")).values("n")), 0),
        )

    def status_on(self, status: str, on: datetime.date):
        """The classes upcoming, running or finished on `on` (`ClassStatus`)."""
        if status == ClassStatus.UPCOMING:
            return self.filter(starts_on__gt=on)
        if status == ClassStatus.RUNNING:
            return self.filter(starts_on__lte=on, ends_on__gte=on)
        return self.filter(ends_on__lt=on)


class TrainingClass(SearchTextModel):
    """Lớp bồi dưỡng nhận thức về Đảng: 5 days, 50 periods, 5 lessons, run by the district's
    political centre (until 30/06/2025) or, since, for a commune-level unit. Completing it gives the
    certificate the admission rules require; its candidates live in the class's unit."""

    search_source_fields = ("name", "organiser", "venue")  # and the unit's name: see the list's search
    name = models.CharField(_("name / course number"), max_length=150)
    organiser = models.CharField(
        _("organiser"), max_length=150, help_text=_("Certificate numbers are unique per organiser.")
    )
    unit = models.ForeignKey(
        "establishments.AdministrativeUnit",
        verbose_name=_("for the unit"),
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    starts_on = models.DateField(_("starts on"), validators=[validate_since_1930])
    ends_on = models.DateField(_("ends on"), validators=[validate_since_1930])
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords(excluded_fields=["search_text", "sort_key"])

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-starts_on", "unit__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="training_class_ends_after_start",
                violation_error_message=_("A class cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="training_class_capacity_positive",
                violation_error_message=_("The capacity must be at least 1."),
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], name="training_class_dates_idx")]

    def __str__(self):
        return f"{self.name} ({self.unit})"

    def get_absolute_url(self):
        return reverse("candidates:training_class_detail", args=[self.pk])

    def enrollments_seen_by(self, user):
        """The class's enrolments the user may see: those of candidates in their scope (a class
        of a district is shared by its communes; each commune sees its own people)."""
        return Enrollment.objects.for_user(user).filter(training_class=self)

    def status_on(self, on: datetime.date) -> str:
        if self.starts_on > on:
            return ClassStatus.UPCOMING
        return ClassStatus.RUNNING if self.ends_on >= on else ClassStatus.FINISHED


class EnrollmentQuerySet(ScopedQuerySet):
    unit_path = "candidate__establishment__commune"


class Enrollment(models.Model):
    """A candidate in a class: attendance, completion, essay result and the certificate.

    `organiser` repeats the class's organiser so the database itself keeps certificate numbers
    unique per organiser; services keep the two equal."""

    training_class = models.ForeignKey(
        TrainingClass, verbose_name=_("training class"), on_delete=models.CASCADE, related_name="enrollments"
    )
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="enrollments"
    )
    enrolled_on = models.DateField(_("enrolled on"), validators=[validate_past_date])
    attended = models.BooleanField(_("attended"), default=False)
    completed = models.BooleanField(_("completed"), default=False)
    essay_result = models.CharField(_("essay result"), max_length=20, choices=EssayResult.choices, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=50, blank=True)
    certificate_on = models.DateField(_("certificate date"), null=True, blank=True, validators=[validate_past_date])
    organiser = models.CharField(_("organiser"), max_length=150, editable=False)
    history = HistoricalRecords()

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["training_class", "candidate__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "candidate"],
                name="enrollment_once_per_class",
                violation_error_message=_("The candidate is already enrolled in this class."),
            ),
            models.UniqueConstraint(
                fields=["organiser", "certificate_number"],
                condition=~Q(certificate_number=""),
                name="enrollment_certificate_unique_per_organiser",
                violation_error_message=_("This organiser has already issued a certificate with this number."),
            ),
            choice_constraint("essay_result", EssayResult, "enrollment_essay_result_valid", allow_blank=True),
            models.CheckConstraint(
                condition=Q(completed=False) | (~Q(certificate_number="") & Q(certificate_on__isnull=False)),
                name="enrollment_completion_has_certificate",
                violation_error_message=_("Completing the class needs the certificate's number and date."),
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.training_class}"
