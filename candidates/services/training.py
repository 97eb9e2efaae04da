"""Awareness classes: enrolling candidates in bulk and recording the roster.

Completion goes through the pipeline (`record_training`), so a candidate becomes `trained`
under the same rules whichever page records it.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from establishments.choices import UnitLevel
from establishments.units import UnitMap

from ..choices import EssayResult, Stage
from ..models import Candidate, Enrollment, SourceListEntry, TrainingClass
from .pipeline import PipelineError, record_training, refresh_due


class TrainingError(PipelineError):
    """A training rule refused the change."""


class RosterError(TrainingError):
    """Some rows of the roster are wrong: nothing was saved. `errors` maps row index → {field: message}."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        super().__init__(
            _("Nothing was saved: %(count)s row(s) of the roster need correcting.") % {"count": len(errors)}
        )
        self.errors = errors


# Why a candidate was not enrolled (shown grouped in the summary).
REFUSAL_REASONS = {
    "other_district": gettext_lazy("lives outside the unit the class is for"),
    "already_member": gettext_lazy("already a member of the Party"),
    "not_on_source_list": gettext_lazy("not on a source list"),
    "valid_certificate": gettext_lazy("already holds a valid certificate"),
    "already_enrolled": gettext_lazy("already enrolled in this class"),
    "enrolled_elsewhere": gettext_lazy("already enrolled in another class that has not ended"),
    "full": gettext_lazy("the class is full"),
}


@dataclass
class EnrolmentResult:
    """Who was enrolled, who was not and why; keys outside the user's scope are only counted
    (`outside_scope`): whose they are is not the user's to learn."""

    enrolled: list[Candidate] = field(default_factory=list)
    refused: list[tuple[Candidate, str]] = field(default_factory=list)
    outside_scope: int = 0

    def refused_by_reason(self) -> dict[str, list[Candidate]]:
        grouped = defaultdict(list)
        for candidate, reason in self.refused:
            grouped[str(REFUSAL_REASONS[reason])].append(candidate)
        return dict(grouped)


def default_organiser(unit) -> str:
    """Who gives the certificates: a district's political centre (until 30/06/2025), else the
    party committee of the commune-level unit (or of the province)."""
    if unit.level == UnitLevel.DISTRICT:
        return _("Political centre of %(district)s") % {"district": unit.name}
    return _("Party committee of %(unit)s") % {"unit": unit.full_name}


def _check_class_access(training_class: TrainingClass, by, permission: str) -> None:
    if not by.has_perm(permission):
        raise TrainingError(_("Your role may not manage training classes."))
    if not TrainingClass.objects.for_user(by).filter(pk=training_class.pk).exists():
        raise TrainingError(_("This class is outside your district."))


def check_training_class(*, training_class: TrainingClass) -> None:
    """The rules across rows of a class (for the forms and the admin): a new organiser must not
    have issued already one of the certificate numbers of this class. Raises TrainingError."""
    if training_class.pk is None or not training_class.organiser:
        return
    numbers = (
        Enrollment.objects.filter(training_class=training_class)
        .exclude(certificate_number="")
        .exclude(organiser=training_class.organiser)
        .values("certificate_number")
    )
    clash = (
        Enrollment.objects.filter(organiser=training_class.organiser, certificate_number__in=numbers)
        .exclude(training_class=training_class)
        .values_list("certificate_number", flat=True)
        .first()
    )
    if clash:
        raise TrainingError(
            _("%(organiser)s has already issued certificate number %(number)s, which this class also uses.")
            % {"organiser": training_class.organiser, "number": clash},
            field="organiser",
        )


@transaction.atomic
def save_training_class(*, training_class: TrainingClass, by) -> TrainingClass:
    """Save a class after `check_training_class`; its enrolments follow a change of organiser
    (certificate numbers stay unique). Raises TrainingError."""
    check_training_class(training_class=training_class)
    training_class.full_clean()
    training_class._history_user = by
    try:
        with transaction.atomic():
            training_class.save()
            stale = list(training_class.enrollments.exclude(organiser=training_class.organiser))
            for enrollment in stale:
                enrollment.organiser = training_class.organiser
            bulk_update_with_history(stale, Enrollment, ["organiser"], default_user=by)
    except IntegrityError as error:
        raise TrainingError(
            _("The new organiser has already issued some of this class's certificate numbers."), field="organiser"
        ) from error
    return training_class


@transaction.atomic
def enrol_candidates(
    *, training_class: TrainingClass, candidate_ids, enrolled_on: datetime.date, by
) -> EnrolmentResult:
    """Enrol the given candidates, in a constant number of queries whatever their number.

    Not enrolled, each with its reason: anyone outside the user's scope or the class's district,
    already a member (admitted or official), not on a source list, already holding a valid
    certificate, already in this class or in another class that has not ended, or beyond the
    class's capacity. A class that has ended still receives the enrolments that happened, dated
    on or before its last day; a date after it, or in the future, raises TrainingError.
    """
    _check_class_access(training_class, by, "candidates.add_enrollment")
    check_enrolment_date(training_class=training_class, enrolled_on=enrolled_on)
    locked = TrainingClass.objects.select_for_update().get(pk=training_class.pk)  # capacity is shared
    result = EnrolmentResult()
    if isinstance(candidate_ids, QuerySet):  # "all that match the filter": a subquery, whatever its size
        rows = list(_enrolment_candidates(locked, candidate_ids.values("pk"), by))
    else:
        wanted = set(candidate_ids)
        rows = list(_enrolment_candidates(locked, wanted, by))
        result.outside_scope = len(wanted - {row.pk for row in rows})
    free = locked.capacity - Enrollment.objects.filter(training_class=locked).count()
    area = UnitMap.load().territory(locked.unit_id)
    for candidate in rows:
        reason = _refusal(candidate, locked, area)
        if reason is None and free <= 0:
            reason = "full"
        if reason:
            result.refused.append((candidate, reason))
        else:
            result.enrolled.append(candidate)
            free -= 1
    enrollments = [
        Enrollment(training_class=locked, candidate=c, enrolled_on=enrolled_on, organiser=locked.organiser)
        for c in result.enrolled
    ]
    bulk_create_with_history(enrollments, Enrollment, batch_size=500, default_user=by)
    return result


def check_enrolment_date(*, training_class: TrainingClass, enrolled_on: datetime.date) -> None:
    """People are enrolled before or while the class runs, never later, nor on a day to come
    (an ended class's enrolments are entered afterwards with the day they happened). Raises TrainingError."""
    if enrolled_on > timezone.localdate():
        raise TrainingError(_("An enrolment cannot be dated in the future."), field="enrolled_on")
    if enrolled_on > training_class.ends_on:
        raise TrainingError(
            _("The class ended on %(date)s: an enrolment is dated on or before its last day.")
            % {"date": training_class.ends_on.strftime("%d/%m/%Y")},
            field="enrolled_on",
        )


def _enrolment_candidates(training_class: TrainingClass, ids, by):
    others = Enrollment.objects.filter(candidate=OuterRef("pk"), training_class__ends_on__gte=training_class.starts_on)
    return (
        Candidate.objects.for_user(by)
        .filter(pk__in=ids)
        .select_related("establishment__commune")
        .annotate(
            on_source_list=Exists(SourceListEntry.objects.filter(candidate=OuterRef("pk"), removed_on__isnull=True)),
            in_this_class=Exists(Enrollment.objects.filter(candidate=OuterRef("pk"), training_class=training_class)),
            in_other_class=Exists(others.exclude(training_class=training_class).filter(completed=False)),
        )
        .order_by("sort_key", "pk")
    )


def _refusal(candidate: Candidate, training_class: TrainingClass, area: set[int]) -> str | None:
    if candidate.establishment.commune_id not in area:
        return "other_district"
    if candidate.stage in (Stage.ADMITTED, Stage.OFFICIAL):
        return "already_member"
    if candidate.in_this_class:
        return "already_enrolled"
    if not candidate.on_source_list:
        return "not_on_source_list"
    if candidate.certificate_valid_on(training_class.starts_on):
        return "valid_certificate"
    if candidate.in_other_class:
        return "enrolled_elsewhere"
    return None


@dataclass
class RosterRow:
    enrollment: Enrollment
    attended: bool
    completed: bool
    essay_result: str
    certificate_number: str
    certificate_on: datetime.date | None


@transaction.atomic
def save_roster(*, training_class: TrainingClass, rows: list[RosterRow], by) -> int:
    """Record attendance, results and certificates for the whole class at once.

    A row newly marked completed moves its candidate from `source` to `trained` through the
    pipeline (or renews the certificate of someone already trained). Any wrong row — a failed
    essay marked completed or given a certificate, a missing or duplicate certificate number
    (unique per organiser), a date outside the class, a step the pipeline refuses — raises
    RosterError listing every wrong row, and nothing is saved.
    Returns how many candidates became trained.
    """
    _check_class_access(training_class, by, "candidates.change_enrollment")
    # One roster save at a time per class; what is already completed is read after the lock, so a
    # second submission of the same roster (a double click) moves no candidate twice.
    TrainingClass.objects.select_for_update().filter(pk=training_class.pk).first()
    completed = dict(
        Enrollment.objects.filter(pk__in=[row.enrollment.pk for row in rows]).values_list("pk", "completed")
    )
    for row in rows:
        row.enrollment.completed = completed.get(row.enrollment.pk, row.enrollment.completed)
    errors = _roster_errors(training_class, rows)
    if errors:
        raise RosterError(errors)
    moved = 0
    try:
        with transaction.atomic():
            for index, row in enumerate(rows):
                moved += _save_row(training_class, row, by, index, errors)
            if errors:
                raise RosterError(errors)
    except IntegrityError as error:
        raise TrainingError(_("Two rows of the roster use the same certificate number.")) from error
    return moved


def _roster_errors(training_class: TrainingClass, rows: list[RosterRow]) -> dict[int, dict[str, str]]:
    errors: dict[int, dict[str, str]] = defaultdict(dict)
    today = timezone.localdate()
    numbers = [row.certificate_number.strip() for row in rows if row.certificate_number.strip()]
    taken = dict(
        Enrollment.objects.filter(organiser=training_class.organiser, certificate_number__in=numbers)
        .exclude(pk__in=[row.enrollment.pk for row in rows])
        .values_list("certificate_number", "candidate__full_name")
    )
    for index, row in enumerate(rows):
        number = row.certificate_number.strip()
        if row.essay_result == EssayResult.FAIL and (row.completed or number):
            errors[index]["essay_result"] = _(
                "The essay did not pass (“Fail”): the class is not completed and no certificate is given."
            )
        elif row.completed and not (number and row.certificate_on):
            errors[index]["certificate_number"] = _("Completion needs the certificate's number and date.")
        if row.certificate_on and not (training_class.starts_on <= row.certificate_on <= today):
            errors[index]["certificate_on"] = _("The certificate date must fall between the class's start and today.")
        if number and number in taken:
            errors[index]["certificate_number"] = _(
                "Number %(number)s was already issued by %(organiser)s to %(name)s."
            ) % {"number": number, "organiser": training_class.organiser, "name": taken[number]}
        if number and numbers.count(number) > 1:
            errors[index]["certificate_number"] = _("Number %(number)s appears twice in this roster.") % {
                "number": number
            }
        if row.enrollment.completed and not row.completed and row.enrollment.candidate.stage != Stage.SOURCE:
            errors[index]["completed"] = _("Completion is already in the candidate's file and cannot be undone here.")
    return dict(errors)


def _save_row(training_class, row: RosterRow, by, index: int, errors) -> int:
    enrollment = row.enrollment
    newly_completed = row.completed and not enrollment.completed
    enrollment.attended = row.attended or row.completed
    enrollment.completed = row.completed
    enrollment.essay_result = row.essay_result
    enrollment.certificate_number = row.certificate_number.strip()
    enrollment.certificate_on = row.certificate_on
    enrollment.organiser = training_class.organiser
    enrollment._history_user = by
    enrollment.save()
    if not newly_completed:
        return 0
    candidate = enrollment.candidate
    try:
        if candidate.stage == Stage.SOURCE:
            record_training(
                candidate=candidate,
                certificate_number=enrollment.certificate_number,
                certificate_on=enrollment.certificate_on,
                issuer=training_class.organiser,
                by=by,
            )
            return 1
        renew_certificate(candidate=candidate, enrollment=enrollment, by=by)
    except PipelineError as error:
        errors[index] = {"completed": error.message}
    return 0


@transaction.atomic
def renew_certificate(*, candidate: Candidate, enrollment: Enrollment, by) -> None:
    """Someone already trained completed a class again (their certificate had expired)."""
    if not candidate.dossier_is_open:
        raise TrainingError(
            _("%(name)s is at “%(stage)s”: a new certificate is not needed.")
            % {"name": candidate.full_name, "stage": candidate.get_stage_display()}
        )
    candidate.certificate_number = enrollment.certificate_number
    candidate.certificate_on = enrollment.certificate_on
    candidate.certificate_issuer = enrollment.organiser
    candidate._history_user = by
    candidate.save(update_fields=["certificate_number", "certificate_on", "certificate_issuer"])
    refresh_due(candidate=candidate)
