"""Every write of the admission process. Forms, the admin, imports and commands call these.

`move_candidate` is the one mutator of `Candidate.stage`: it locks the row, checks the order of
stages and the step's own rules, writes a `StageEvent`, applies the step's effects and saves.
Each public function below is one step; each raises `PipelineError` with a message that names
the rule that refused it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from establishments.choices import LeftReason, OrganisationKind
from establishments.models import Commune, PartyCell, PartyMember
from establishments.services import DecidingCommittees, record_membership
from establishments.units import UnitMap
from sonla_party import bulk
from sonla_party.dates import past_date_problem
from sonla_party.exceptions import RuleViolation
from sonla_party.scoping import ScopeClosed, require_open_on
from sonla_party.search import fold
from sonla_party.workdays import add_months

from .. import rules
from ..choices import DOSSIER_OPEN, DecidingLevel, Stage
from ..models import STEP_FIELDS, Candidate, Introducer, SourceList, SourceListEntry, StageEvent


class PipelineError(RuleViolation):
    """A rule of the admission process refused the step."""


class PipelineConflict(PipelineError):
    """The candidate was moved by someone else since the page was opened."""


@dataclass
class Step:
    """What a step records besides the stage: its date and document, votes, deciding body, note."""

    occurred_on: datetime.date
    document_number: str = ""
    votes_for: int | None = None
    official_members: int | None = None
    deciding_level: str = ""
    deciding_body: str = ""
    deciding_committee: object = None
    note: str = ""


# --- The one mutator -----------------------------------------------------------------------


@transaction.atomic
def move_candidate(
    *,
    candidate: Candidate,
    to_stage: str,
    step: Step,
    by,
    expected_stage: str | None = None,
    check: Callable[[Candidate], list[rules.Requirement]] | None = None,
    apply: Callable[[Candidate, StageEvent], None] | None = None,
) -> StageEvent:
    """Move `candidate` to `to_stage`, recording `step`.

    Locks the candidate's row, so two people recording at once cannot both move it: the second
    gets PipelineConflict. Refuses (PipelineError) a stage out of order, a date in the future or
    before the previous step, a user without the right or outside their scope, and any failing
    requirement returned by `check`. `apply` makes the step's effects on the locked row.
    """
    _check_permission(by, candidate, to_stage, step.occurred_on)
    locked = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("establishment__commune", "party_member")
        .get(pk=candidate.pk)
    )
    if expected_stage is not None and locked.stage != expected_stage:
        raise PipelineConflict(_conflict_message(locked))
    if not locked.can_move_to(to_stage):
        raise PipelineError(_order_message(locked, to_stage), field="stage")
    _check_date(locked, step.occurred_on)
    failing = [req for req in (check(locked) if check else []) if not req.ok]
    if failing:
        raise PipelineError(" ".join(req.message for req in failing))
    locked.events.filter(ended_on__isnull=True).update(ended_on=step.occurred_on)  # the stage it leaves
    event = StageEvent.objects.create(
        candidate=locked, from_stage=locked.stage, stage=to_stage, recorded_by=by, **step.__dict__
    )
    locked.stage, locked.stage_since = to_stage, step.occurred_on
    if apply is not None:
        apply(locked, event)
    _refresh_due(locked)
    locked._history_user = by
    locked.save()
    candidate.refresh_from_db()
    return event


def step_permission(to_stage: str) -> str:
    """The permission a user needs to record a step into `to_stage`."""
    return {
        Stage.DECISION: "candidates.record_decision",
        Stage.TRAINED: "candidates.record_training",
    }.get(to_stage, "candidates.move_candidate")


def require_open(by, on: datetime.date) -> None:
    """An account of a unit that has ended records nothing dated after its end."""
    try:
        require_open_on(by, on)
    except ScopeClosed as error:
        raise PipelineError(error.message) from error


def _check_permission(by, candidate: Candidate, to_stage: str, on: datetime.date) -> None:
    require_open(by, on)
    if not by.has_perm(step_permission(to_stage)):
        raise PipelineError(_("Your role may not record this step (%(stage)s).") % {"stage": Stage(to_stage).label})
    if not Candidate.objects.for_user(by).filter(pk=candidate.pk).exists():
        raise PipelineError(_("This candidate is outside your district or commune."))


def _conflict_message(locked: Candidate) -> str:
    last = locked.events.select_related("recorded_by").order_by("-recorded_at", "-pk").first()
    who = last.recorded_by.get_full_name() or last.recorded_by.username if last else "?"
    return _(
        "Someone else has just recorded a step for %(name)s: the file is now at “%(stage)s” (recorded by %(who)s). "
        "Nothing was saved; reload the page to see the file as it is now."
    ) % {"name": locked.full_name, "stage": locked.get_stage_display(), "who": who}


def _order_message(locked: Candidate, to_stage: str) -> str:
    allowed = ", ".join(f"“{Stage(stage).label}”" for stage in locked.allowed_stages()) or "—"
    return _(
        "Order of stages: %(name)s is at “%(stage)s”, so the next step cannot be “%(to)s”. "
        "Possible next steps: %(allowed)s."
    ) % {
        "name": locked.full_name,
        "stage": locked.get_stage_display(),
        "to": Stage(to_stage).label,
        "allowed": allowed,
    }


def check_recorded_date(on: datetime.date | None, field: str) -> None:
    """A step's or a document's date lies between 1930 and today (`sonla_party.dates`)."""
    problem = past_date_problem(on)
    if problem:
        raise PipelineError(_("Date: %(problem)s") % {"problem": problem}, field=field)


def _check_date(locked: Candidate, on: datetime.date) -> None:
    check_recorded_date(on, "occurred_on")
    if locked.stage_since and on < locked.stage_since:
        raise PipelineError(
            _("Date: %(date)s is before the previous step (%(since)s).")
            % {"date": rules.short_date(on), "since": rules.short_date(locked.stage_since)},
            field="occurred_on",
        )


def _event_dates(candidate: Candidate) -> dict[str, datetime.date]:
    """The latest date of each stage the candidate entered."""
    return dict(candidate.events.order_by("occurred_on", "pk").values_list("stage", "occurred_on"))


def _refresh_due(candidate: Candidate) -> None:
    introductions = list(candidate.introducers.values_list("introduced_on", flat=True))
    candidate.next_due_on, candidate.next_due_kind = rules.next_due(candidate, _event_dates(candidate), introductions)


@transaction.atomic
def refresh_due(*, candidate: Candidate) -> None:
    """Recompute what the file waits for next (after its certificate or introductions change).
    The deadline is derived from the history's facts, so it is not itself tracked there."""
    _refresh_due(candidate)
    Candidate.objects.filter(pk=candidate.pk).update(
        next_due_on=candidate.next_due_on, next_due_kind=candidate.next_due_kind
    )


# --- Entering the pipeline -----------------------------------------------------------------


def source_list_for(*, commune, year: int) -> SourceList:
    source_list, _created = SourceList.objects.get_or_create(commune=commune, year=year)
    return source_list


def list_commune_id(home_unit_id: int, on: datetime.date, units: UnitMap | None = None) -> int:
    """The commune whose source list a person of `home_unit_id` joins on `on`: the unit it stood
    for then (a village of the old ward Chiềng Lề joins the list of the ward Tô Hiệu from 2025)."""
    units = units or UnitMap.load()
    return units.unit_on(home_unit_id, on) or home_unit_id


@transaction.atomic
def create_candidate(*, candidate: Candidate, added_on: datetime.date, by, year: int | None = None) -> Candidate:
    """Save a new candidate and put them on their commune's source list of `year` (stage `source`).

    Raises PipelineError when the citizen ID belongs to a party member already.
    """
    if not by.has_perm("candidates.add_candidate"):
        raise PipelineError(_("Your role may not add candidates."))
    _check_not_a_member(candidate, by)
    candidate.stage, candidate.stage_since = Stage.SOURCE, added_on
    candidate._history_user = by
    candidate.save()
    StageEvent.objects.create(candidate=candidate, stage=Stage.SOURCE, occurred_on=added_on, recorded_by=by)
    commune = Commune.objects.get(pk=list_commune_id(candidate.establishment.commune_id, added_on))
    source_list = source_list_for(commune=commune, year=year or added_on.year)
    SourceListEntry.objects.create(
        source_list=source_list, candidate=candidate, establishment=candidate.establishment, added_on=added_on
    )
    return candidate


def field_value(candidate: Candidate, name: str):
    """A field's value, a foreign key by its id (no query)."""
    return candidate.establishment_id if name == "establishment" else getattr(candidate, name)


def check_frozen(*, candidate: Candidate, stored: Candidate) -> None:
    """Refuse (PipelineError naming the field) an edit of `candidate` that changes a fact
    frozen in `stored`, the row as saved (`Candidate.frozen_fields`)."""
    for name in stored.frozen_fields:
        if field_value(candidate, name) != field_value(stored, name):
            label = str(Candidate._meta.get_field(name).verbose_name)
            if name in STEP_FIELDS:
                message = _(
                    "%(field)s is recorded by a step of the admission process and cannot be changed here. "
                    "If it is wrong, the organisation board records a correction, with its reason."
                )
            else:
                message = _(
                    "%(field)s was checked by the cell's vote and cannot be changed here. "
                    "If it is wrong, the organisation board records a correction, with its reason."
                )
            raise PipelineError(message % {"field": label[:1].upper() + label[1:]}, field=name)


def check_candidate_edit(*, candidate: Candidate, by) -> None:
    """The refusals of an edit of the person's data, whatever the door (form, admin): the citizen
    ID of a party member (named only within `by`'s scope), and a frozen fact. Raises PipelineError."""
    _check_not_a_member(candidate, by)
    if candidate.pk is not None:
        stored = Candidate.objects.filter(pk=candidate.pk).first()
        if stored is not None:
            if (candidate.stage, candidate.stage_since, candidate.party_member_id) != (
                stored.stage,
                stored.stage_since,
                stored.party_member_id,
            ):
                raise PipelineError(_("The stage changes through the steps of the admission process only."))
            check_frozen(candidate=candidate, stored=stored)


@transaction.atomic
def update_candidate(*, candidate: Candidate, by) -> Candidate:
    """Save edits of the person's data (never the stage, never a frozen fact). Same refusals as
    `create_candidate`, and `check_frozen`."""
    if not by.has_perm("candidates.change_candidate"):
        raise PipelineError(_("Your role may not edit candidates."))
    if not Candidate.objects.for_user(by).filter(pk=candidate.pk).exists():
        raise PipelineError(_("This candidate is outside your district or commune."))
    check_candidate_edit(candidate=candidate, by=by)
    candidate._history_user = by
    candidate.save()
    return candidate


# IDs asked for in one query: for a thousand, PostgreSQL reads the whole members table rather than
# its index (17 ms against under 1 ms for each of four quarters).
ID_SLICE = 250


def member_names_by_citizen_id(citizen_ids, user) -> dict[str, str | None]:
    """Citizen ID → name of the party member holding it, for the IDs given (a query per
    `ID_SLICE` IDs, and one). The name is None for a member outside `user`'s scope: that an ID is
    taken may be said, not by whom."""
    ids = [i for i in citizen_ids if i]
    if not ids:
        return {}
    holders = {}
    for start in range(0, len(ids), ID_SLICE):
        part = ids[start : start + ID_SLICE]
        holders.update(PartyMember.objects.filter(citizen_id__in=part).values_list("citizen_id", "pk"))
    visible = dict(PartyMember.objects.for_user(user).filter(pk__in=holders.values()).values_list("pk", "full_name"))
    return {citizen_id: visible.get(pk) for citizen_id, pk in holders.items()}


def taken_citizen_id_message(citizen_id: str, member_name: str | None) -> str:
    """Why a candidate cannot have this citizen ID: a party member holds it (named when in scope)."""
    if member_name is None:
        return _(
            "Citizen ID %(id)s is already registered for someone outside your scope: check the number; "
            "the organisation board can help."
        ) % {"id": citizen_id}
    return _("Citizen ID %(id)s belongs to party member %(name)s: a member cannot be a candidate.") % {
        "id": citizen_id,
        "name": member_name,
    }


@transaction.atomic
def create_candidates_bulk(
    *, rows: list[tuple[Candidate, datetime.date]], by, reason: str = "", units: UnitMap | None = None
) -> list[Candidate]:
    """The bulk door of `create_candidate`, for imports: each candidate is saved at stage `source`
    with its first event and its line on the commune's source list of the year — the same effects,
    in a constant number of queries. The caller has checked every row with the model's rules
    and `member_names_by_citizen_id` (a member cannot be a candidate); `units`, the caller's map
    of the units when it has one (it is the same for every chunk of a file)."""
    if not rows:
        return []
    if not by.has_perm("candidates.add_candidate"):
        raise PipelineError(_("Your role may not add candidates."))
    for candidate, added_on in rows:
        candidate.stage, candidate.stage_since = Stage.SOURCE, added_on
    candidates = bulk.create_with_history(Candidate, [c for c, _on in rows], by=by, reason=reason)
    units = units or UnitMap.load()
    list_of = {id(c): list_commune_id(c.establishment.commune_id, on, units) for c, on in rows}
    lists = _source_lists({(list_of[id(c)], on.year) for c, on in rows})
    bulk.create_with_history(
        StageEvent,
        bulk.instances(
            StageEvent,
            [
                {"candidate": c, "stage": Stage.SOURCE, "occurred_on": on, "recorded_by": by, "note": reason}
                for c, on in rows
            ],
        ),
        by=by,
        reason=reason,
    )
    entries = bulk.instances(
        SourceListEntry,
        [
            {
                "source_list": lists[(list_of[id(c)], on.year)],
                "candidate": c,
                "establishment": c.establishment,
                "added_on": on,
            }
            for c, on in rows
        ],
    )
    bulk.create_with_history(SourceListEntry, entries, by=by, reason=reason)
    return candidates


def _source_lists(keys: set[tuple[int, int]]) -> dict[tuple[int, int], SourceList]:
    communes, years = {commune for commune, _year in keys}, {year for _commune, year in keys}
    lists = SourceList.objects.filter(commune__in=communes, year__in=years)
    found = {(s.commune_id, s.year): s for s in lists}
    missing = [SourceList(commune_id=commune, year=year) for commune, year in sorted(keys - set(found))]
    for source_list in SourceList.objects.bulk_create(missing):
        found[(source_list.commune_id, source_list.year)] = source_list
    if any(sl.pk is None for sl in found.values()):  # databases that do not return ids
        found = {(s.commune_id, s.year): s for s in lists.all()}
    return found


@transaction.atomic
def update_candidates_bulk(*, candidates: list[Candidate], fields: list[str], by, reason: str = "") -> None:
    """The bulk door of `update_candidate`, for imports: person fields only, never the stage nor a
    frozen fact (`check_frozen`; the importer reports such rows before)."""
    if not candidates:
        return
    if not by.has_perm("candidates.change_candidate"):
        raise PipelineError(_("Your role may not edit candidates."))
    stored = Candidate.objects.in_bulk([c.pk for c in candidates])
    for candidate in candidates:
        check_frozen(candidate=candidate, stored=stored[candidate.pk])
        candidate.search_text = candidate.build_search_text()
    bulk_update_with_history(
        candidates, Candidate, [*fields, "search_text"], batch_size=500, default_user=by, default_change_reason=reason
    )


def _check_not_a_member(candidate: Candidate, by) -> None:
    if candidate.citizen_id:
        member = PartyMember.objects.filter(citizen_id=candidate.citizen_id).first()
        if member is not None and getattr(member, "candidate", None) != candidate:
            names = member_names_by_citizen_id([candidate.citizen_id], by)
            raise PipelineError(
                taken_citizen_id_message(candidate.citizen_id, names.get(candidate.citizen_id)), field="citizen_id"
            )


@dataclass
class Duplicates:
    """Candidates who may be the same person: those the user may see, and how many others exist."""

    shown: list[Candidate]
    elsewhere: int

    def __bool__(self):
        return bool(self.shown or self.elsewhere)


def possible_duplicates(*, full_name: str, birth_date: datetime.date, user, exclude_pk=None) -> Duplicates:
    """Other candidates with the same name (ignoring accents and case) and the same birth date:
    those in `user`'s scope by name, the others only counted (their names are not the user's to know)."""
    name = fold(full_name)
    same_day = Candidate.objects.filter(birth_date=birth_date).exclude(pk=exclude_pk).select_related("establishment")
    matches = [other for other in same_day if fold(other.full_name) == name]
    visible = set(Candidate.objects.for_user(user).filter(pk__in=[m.pk for m in matches]).values_list("pk", flat=True))
    shown = [m for m in matches if m.pk in visible]
    return Duplicates(shown=shown, elsewhere=len(matches) - len(shown))


def _close_source_entries(candidate: Candidate, on: datetime.date, reason: str, by) -> None:
    entries = list(candidate.source_list_entries.filter(removed_on__isnull=True))
    for entry in entries:
        entry.removed_on, entry.removed_reason = on, reason
    bulk_update_with_history(entries, SourceListEntry, ["removed_on", "removed_reason"], default_user=by)


@transaction.atomic
def return_to_source(*, candidate: Candidate, added_on: datetime.date, by, year: int | None = None) -> StageEvent:
    """Put someone who withdrew, moved away or was turned down on a source list again."""

    def apply(locked, event):
        commune = Commune.objects.get(pk=list_commune_id(locked.establishment.commune_id, added_on))
        source_list = source_list_for(commune=commune, year=year or added_on.year)
        SourceListEntry.objects.update_or_create(
            source_list=source_list,
            candidate=locked,
            defaults={
                "establishment": locked.establishment,
                "added_on": added_on,
                "removed_on": None,
                "removed_reason": "",
            },
        )

    return move_candidate(candidate=candidate, to_stage=Stage.SOURCE, step=Step(added_on), by=by, apply=apply)


# --- The steps -----------------------------------------------------------------------------


def record_training(
    *, candidate, certificate_number: str, certificate_on: datetime.date, issuer: str, by, expected_stage=None
) -> StageEvent:
    """source → trained: completed the awareness class, with the certificate's number and date."""

    def apply(locked, event):
        locked.certificate_number, locked.certificate_on, locked.certificate_issuer = (
            certificate_number,
            certificate_on,
            issuer,
        )

    step = Step(certificate_on, document_number=certificate_number, note=issuer)
    return move_candidate(
        candidate=candidate, to_stage=Stage.TRAINED, step=step, by=by, expected_stage=expected_stage, apply=apply
    )


DOSSIER_FIELDS = ("application_on", "personal_history_on", "verification_concluded_on", "comments_on")


def open_dossier(
    *, candidate, opened_on: datetime.date, by, note: str = "", expected_stage=None, **dossier
) -> StageEvent:
    """trained → dossier: the application is received; the dossier's documents may follow."""

    for name in DOSSIER_FIELDS:
        check_recorded_date(dossier.get(name), name)

    def apply(locked, event):
        for name in DOSSIER_FIELDS:
            if dossier.get(name):
                setattr(locked, name, dossier[name])
        locked.application_on = locked.application_on or opened_on

    return move_candidate(
        candidate=candidate,
        to_stage=Stage.DOSSIER,
        step=Step(opened_on, note=note),
        by=by,
        expected_stage=expected_stage,
        apply=apply,
    )


OVER_AGE_FIELDS = ("over_age_decision", "over_age_decision_on")


@transaction.atomic
def update_dossier(*, candidate: Candidate, by, over_age_decision: str = "", over_age_decision_on=None, **dossier):
    """Record the dates the dossier's documents were received (no change of stage), and for a
    candidate over 60 the provincial party committee's decision (number and date, both or none)."""
    if bool(over_age_decision.strip()) != bool(over_age_decision_on):
        raise PipelineError(
            _("Give both the number and the date of the provincial committee's decision."), field="over_age_decision"
        )
    check_recorded_date(over_age_decision_on, "over_age_decision_on")
    candidate.over_age_decision, candidate.over_age_decision_on = over_age_decision.strip(), over_age_decision_on
    if not candidate.dossier_is_open:
        raise PipelineError(_("The dossier can be completed before the cell's vote only."))
    if not by.has_perm("candidates.move_candidate"):
        raise PipelineError(_("Your role may not record this step (%(stage)s).") % {"stage": Stage.DOSSIER.label})
    for name in DOSSIER_FIELDS:
        value = dossier.get(name)
        check_recorded_date(value, name)
        setattr(candidate, name, value)
    candidate._history_user = by
    candidate.save(update_fields=[*DOSSIER_FIELDS, *OVER_AGE_FIELDS])
    return candidate


def check_introducer(*, introducer: Introducer) -> None:
    """The introducer rules, whatever the door (the candidate's page, the admin): introductions are
    recorded while the dossier is open (the cell's vote checked them, then they are frozen), by
    a member official on that date, or by a Youth Union resolution for a Youth Union member, on
    a date not in the future. Raises PipelineError naming the field."""
    candidate = introducer.candidate
    if candidate.stage not in (Stage.SOURCE, *DOSSIER_OPEN):
        raise PipelineError(
            _("Introducers: %(name)s is at “%(stage)s”; introductions are recorded before the cell's vote only.")
            % {"name": candidate.full_name, "stage": candidate.get_stage_display()}
        )
    on = introducer.introduced_on
    check_recorded_date(on, "introduced_on")
    member = introducer.party_member
    if member is not None and not rules._is_official(member, on):
        raise PipelineError(
            _("Introducers: %(name)s is not an official party member on %(date)s.")
            % {"name": member.full_name, "date": rules.short_date(on)},
            field="party_member",
        )
    check_recorded_date(introducer.known_since, "known_since")
    if member is not None and introducer.known_since is None:
        raise PipelineError(
            _("Introducers: say since when %(name)s has worked or lived with the candidate.")
            % {"name": member.full_name},
            field="known_since",
        )
    if introducer.known_since and introducer.known_since > on:
        raise PipelineError(
            _("Introducers: the acquaintance cannot start after the introduction (%(date)s).")
            % {"date": rules.short_date(on)},
            field="known_since",
        )
    if member is None and not candidate.is_youth_union_member:
        raise PipelineError(
            _("Introducers: only a Youth Union member may be introduced by a Youth Union resolution."),
            field="youth_union_resolution",
        )


def check_introducer_edit(*, introducer: Introducer) -> None:
    """`check_introducer` for an edit: the saved introduction must itself still be open to change."""
    if introducer.pk is not None:
        stored = Introducer.objects.select_related("candidate").get(pk=introducer.pk)
        if stored.candidate_id != introducer.candidate_id:
            raise PipelineError(_("An introduction cannot move to another candidate."), field="candidate")
    check_introducer(introducer=introducer)


@transaction.atomic
def save_introducer(*, introducer: Introducer, by) -> Introducer:
    """Save a new or edited introduction (3-KNĐ, or the Youth Union's resolution 4-KNĐ) after
    `check_introducer_edit`, and recompute the file's next deadline. Raises PipelineError."""
    if not by.has_perm("candidates.move_candidate"):
        raise PipelineError(_("Your role may not record introductions."))
    if not Candidate.objects.for_user(by).filter(pk=introducer.candidate_id).exists():
        raise PipelineError(_("This candidate is outside your district or commune."))
    check_introducer_edit(introducer=introducer)
    introducer._history_user = by
    try:
        with transaction.atomic():
            introducer.save()
    except IntegrityError as error:
        raise PipelineError(
            _("Introducers: this member already introduced the candidate."), field="party_member"
        ) from error
    refresh_due(candidate=introducer.candidate)
    return introducer


def add_introducer(
    *,
    candidate: Candidate,
    introduced_on: datetime.date,
    by,
    party_member: PartyMember | None = None,
    known_since: datetime.date | None = None,
    youth_union_resolution: str = "",
    note: str = "",
) -> Introducer:
    """Record an introduction (3-KNĐ) by an official member, or the Youth Union's resolution (4-KNĐ),
    through `save_introducer` (its rules: `check_introducer`)."""
    introducer = Introducer(
        candidate=candidate,
        party_member=party_member,
        known_since=known_since if party_member is not None else None,
        youth_union_resolution=youth_union_resolution,
        introduced_on=introduced_on,
        note=note,
    )
    return save_introducer(introducer=introducer, by=by)


def official_members_on(cell, on: datetime.date) -> int:
    """The cell's official members on `on`, counted from the register (dated cell memberships and
    the members' official dates) — never a number typed in a form."""
    return PartyMember.objects.official_on(on).in_cell_on(cell, on).count()


def voting_cell(candidate: Candidate, on: datetime.date, chosen: PartyCell | None = None) -> PartyCell:
    """The cell that votes for `candidate` on `on`: the one chosen, the file's, or the cell
    covering the candidate's establishment then. Raises PipelineError when there is none."""
    cell = chosen or candidate.party_cell
    if cell is None:
        cell = candidate.establishment.party_cells.active_on(on).order_by("-founded_on", "pk").first()
    if cell is None:
        raise PipelineError(
            _("Party cell: no party cell covers %(establishment)s on %(date)s.")
            % {"establishment": candidate.establishment, "date": rules.short_date(on)},
            field="party_cell",
        )
    return cell


def record_cell_resolution(
    *,
    candidate,
    voted_on: datetime.date,
    document_number: str,
    votes_for: int,
    by,
    party_cell: PartyCell | None = None,
    note: str = "",
    expected_stage=None,
) -> StageEvent:
    """dossier → cell_resolution (6-KNĐ): the cell votes to admit.

    The cell's official members on the vote date are counted from the register. Refused unless
    the cell has at least three of them, the dossier is complete, the candidate is 18 to 60 on
    the vote date, the education and certificate rules hold, the introducers are enough, and at
    least two thirds of the official members voted in favour.
    """
    cell = voting_cell(candidate, voted_on, party_cell)
    official_members = official_members_on(cell, voted_on)

    def check(locked):
        return [
            *rules.cell_resolution_requirements(locked, voted_on),
            rules.cell_size_requirement(official_members, voted_on),
            rules.votes_requirement(votes_for, official_members),
        ]

    def apply(locked, event):
        locked.party_cell = cell

    step = Step(voted_on, document_number, votes_for, official_members, note=note)
    return move_candidate(
        candidate=candidate,
        to_stage=Stage.CELL_RESOLUTION,
        step=step,
        by=by,
        expected_stage=expected_stage,
        check=check,
        apply=apply,
    )


def record_grassroots_resolution(
    *, candidate, resolved_on: datetime.date, document_number: str, by, note: str = "", expected_stage=None
) -> StageEvent:
    """cell_resolution → grassroots_resolution (8-KNĐ): the grassroots party committee agrees."""
    step = Step(resolved_on, document_number, note=note)
    return move_candidate(
        candidate=candidate, to_stage=Stage.GRASSROOTS_RESOLUTION, step=step, by=by, expected_stage=expected_stage
    )


def deciding_body_of(committee) -> tuple[str, str]:
    """(deciding level, the standing committee's name) of a competent committee."""
    if committee is None:
        return "", ""
    level = DecidingLevel.COMMUNE if committee.kind == OrganisationKind.COMMUNE_COMMITTEE else DecidingLevel.DISTRICT
    return level, _("Standing committee of %(committee)s") % {"committee": committee.name}


def default_deciding_body(candidate: Candidate, on: datetime.date | None = None) -> tuple[str, str]:
    """The standing committee competent for the candidate's admission on `on` (default today)."""
    committee = DecidingCommittees().on(candidate.establishment.commune_id, on or timezone.localdate())
    return deciding_body_of(committee)


def _check_competence(committee, candidate: Candidate, decided_on: datetime.date, by) -> None:
    """The decision is the competent committee's on its date; only its own accounts (or the
    organisation board, entering it on its behalf) record it."""
    day = rules.short_date(decided_on)
    if committee is None:
        raise PipelineError(
            _("Competent committee: no party committee decided admissions for %(name)s's unit on %(date)s.")
            % {"name": candidate.full_name, "date": day},
            field="decided_on",
        )
    if by.scope.is_province or by.scope.unit_id == committee.unit_id:
        return
    raise PipelineError(
        _(
            "Competent committee: on %(date)s the admission of %(name)s is decided by the standing committee of "
            "%(committee)s; your account is for %(unit)s."
        )
        % {"date": day, "name": candidate.full_name, "committee": committee.name, "unit": by.unit},
        field="decided_on",
    )


def _require_number(document_number: str, document: str) -> None:
    """A decision is printed and filed under its number and symbol (e.g. "125-QĐ/HU")."""
    if not (document_number or "").strip():
        raise PipelineError(
            _("Document number: %(document)s needs its number and symbol.") % {"document": document},
            field="document_number",
        )


def record_decision(
    *,
    candidate,
    decided_on: datetime.date,
    document_number: str,
    by,
    deciding_body: str = "",
    note: str = "",
    expected_stage=None,
) -> StageEvent:
    """grassroots_resolution → decision (9-KNĐ), due 60 working days after the cell resolution;
    a late decision needs a note saying why."""

    def check(locked):
        cell_on = _event_dates(locked).get(Stage.CELL_RESOLUTION)
        due = rules.decision_due(cell_on) if cell_on else None
        return [rules.deadline_requirement(_("Decision deadline"), due, decided_on, note)]

    _require_number(document_number, _("the admission decision (form 9-KNĐ)"))
    require_open(by, decided_on)
    committee = DecidingCommittees().on(candidate.establishment.commune_id, decided_on)
    _check_competence(committee, candidate, decided_on, by)
    level, body = deciding_body_of(committee)
    step = Step(
        decided_on,
        document_number,
        deciding_level=level,
        deciding_body=deciding_body or body,
        deciding_committee=committee,
        note=note,
    )
    return move_candidate(
        candidate=candidate, to_stage=Stage.DECISION, step=step, by=by, expected_stage=expected_stage, check=check
    )


def admit_candidate(*, candidate, ceremony_on: datetime.date, by, note: str = "", expected_stage=None) -> StageEvent:
    """decision → admitted: the admission ceremony. Creates the probationary PartyMember in the
    candidate's establishment and cell, admitted on the ceremony date. Due 30 working days after
    the decision; a late ceremony needs a note."""

    def check(locked):
        decided_on = _event_dates(locked).get(Stage.DECISION)
        due = rules.ceremony_due(decided_on) if decided_on else None
        return [rules.deadline_requirement(_("Ceremony deadline"), due, ceremony_on, note)]

    def apply(locked, event):
        locked.party_member = _create_member(locked, ceremony_on, by)
        _close_source_entries(locked, ceremony_on, str(Stage.ADMITTED.label), by)

    return move_candidate(
        candidate=candidate,
        to_stage=Stage.ADMITTED,
        step=Step(ceremony_on, note=note),
        by=by,
        expected_stage=expected_stage,
        check=check,
        apply=apply,
    )


def member_for(candidate: Candidate, admitted_on: datetime.date) -> PartyMember:
    """The probationary member (unsaved) a candidate becomes at the admission ceremony."""
    return PartyMember(
        full_name=candidate.full_name,
        birth_date=candidate.birth_date,
        gender=candidate.gender,
        ethnicity=candidate.ethnicity,
        citizen_id=candidate.citizen_id,
        establishment=candidate.establishment,
        party_cell=candidate.party_cell,
        admitted_on=admitted_on,
    )


def _create_member(candidate: Candidate, admitted_on: datetime.date, by) -> PartyMember:
    if candidate.citizen_id and PartyMember.objects.filter(citizen_id=candidate.citizen_id).exists():
        raise PipelineError(_("Citizen ID %(id)s already belongs to a party member.") % {"id": candidate.citizen_id})
    member = member_for(candidate, admitted_on)
    member._history_user = by
    member.save()
    if member.party_cell_id:
        record_membership(member=member, cell=member.party_cell, starts_on=admitted_on, by=by)
    return member


def member_cell_on(member: PartyMember, on: datetime.date):
    """The cell a member belonged to on `on` (their dated membership), or their current cell."""
    membership = member.cell_memberships.active_on(on).select_related("cell").first()
    return membership.cell if membership else member.party_cell


def recognise_official(
    *,
    candidate,
    voted_on: datetime.date,
    document_number: str,
    votes_for: int,
    by,
    note: str = "",
    expected_stage=None,
) -> StageEvent:
    """admitted → official: the cell votes after 12 months of probation (two thirds of its official
    members on the vote date, counted from the register, in favour); the member is official from
    the ceremony date + 12 months. Due 30 working days after the probation ends; a late vote
    needs a note."""
    member = PartyMember.objects.filter(candidate=candidate).first()
    cell = member_cell_on(member, voted_on) if member else None
    official_members = official_members_on(cell, voted_on) if cell else 0

    def check(locked):
        admitted_on = locked.party_member.admitted_on
        return [
            rules.probation_requirement(admitted_on, voted_on),
            rules.votes_requirement(votes_for, official_members),
            rules.deadline_requirement(_("Recognition deadline"), rules.recognition_due(admitted_on), voted_on, note),
        ]

    def apply(locked, event):
        member = locked.party_member
        member.official_on = add_months(member.admitted_on, rules.PROBATION_MONTHS)
        member._history_user = by
        member.save(update_fields=["official_on"])

    _require_number(document_number, _("the recognition decision (form 16-KNĐ)"))
    step = Step(voted_on, document_number, votes_for, official_members, note=note)
    return move_candidate(
        candidate=candidate,
        to_stage=Stage.OFFICIAL,
        step=step,
        by=by,
        expected_stage=expected_stage,
        check=check,
        apply=apply,
    )


def remove_from_probation(
    *, candidate, removed_on: datetime.date, document_number: str, note: str, by, expected_stage=None
) -> StageEvent:
    """admitted → removed: dropped from the probationary list; the member leaves on that date."""

    def check(locked):
        return [rules.Requirement(_("Reason"), bool(note.strip()), _("say why the member is removed."))]

    def apply(locked, event):
        member = locked.party_member
        member.left_on, member.left_reason = removed_on, LeftReason.REMOVED
        member._history_user = by
        member.save(update_fields=["left_on", "left_reason"])

    step = Step(removed_on, document_number, note=note)
    return move_candidate(
        candidate=candidate,
        to_stage=Stage.REMOVED,
        step=step,
        by=by,
        expected_stage=expected_stage,
        check=check,
        apply=apply,
    )


def _exit(
    stage: str,
    *,
    candidate,
    on: datetime.date,
    by,
    note: str,
    document_number: str = "",
    votes_for=None,
    official_members=None,
    expected_stage=None,
) -> StageEvent:
    def check(locked):
        return [rules.Requirement(_("Reason"), bool(note.strip()), _("say what happened in the note."))]

    def apply(locked, event):
        _close_source_entries(locked, on, str(Stage(stage).label), by)

    step = Step(on, document_number, votes_for, official_members, note=note)
    return move_candidate(
        candidate=candidate, to_stage=stage, step=step, by=by, expected_stage=expected_stage, check=check, apply=apply
    )


def reject_candidate(
    *, candidate, rejected_on, note, by, document_number="", votes_for=None, official_members=None, expected_stage=None
) -> StageEvent:
    """A vote or decision said no."""
    return _exit(
        Stage.REJECTED,
        candidate=candidate,
        on=rejected_on,
        by=by,
        note=note,
        document_number=document_number,
        votes_for=votes_for,
        official_members=official_members,
        expected_stage=expected_stage,
    )


def withdraw_candidate(*, candidate, withdrawn_on, note, by, expected_stage=None) -> StageEvent:
    """The candidate withdrew, or the cell stopped following them."""
    return _exit(
        Stage.WITHDRAWN, candidate=candidate, on=withdrawn_on, by=by, note=note, expected_stage=expected_stage
    )


def record_moved_away(*, candidate, moved_on, note, by, expected_stage=None) -> StageEvent:
    """The candidate went to work or live far away (a main cause of loss in remote areas)."""
    return _exit(Stage.MOVED_AWAY, candidate=candidate, on=moved_on, by=by, note=note, expected_stage=expected_stage)
