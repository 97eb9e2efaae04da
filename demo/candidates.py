"""Demo candidates: the files behind the registry's members, and a pipeline in every stage today.

- Every party member admitted since 2006 gets the file that led to the admission (source list,
  class, dossier, introducers, resolutions, decision, ceremony, recognition), so "has party
  members" follows from a ceremony recorded in the pipeline.
- The establishments without members on 01/01/2006 get, from 2006 to 2014, exactly 4,758 people
  on source lists, 3,903 of them trained — the published figures, as the Resolution 03 report
  counts them (`Establishment.objects.blank_on`).
- Today's pipeline: candidates in every stage in every district, with overdue cases.

The files are historical fixtures written in bulk (the services' rules are respected by
construction, and checked by tests/candidates/test_demo.py); real steps go through services.py.
Like the registry's members, these seeded rows get no "created" history record (see
establishments/demo.py): the history starts with the first real change.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from candidates import rules
from candidates.choices import LegalBasis, Stage
from candidates.models import Candidate, Enrollment, Introducer, SourceList, SourceListEntry, StageEvent, TrainingClass
from candidates.services.pipeline import deciding_body_of, list_commune_id, member_for
from candidates.services.training import default_organiser
from establishments.choices import EstablishmentKind, Lacking, LeftReason
from establishments.models import AdministrativeUnit, CellMembership, Commune, Establishment, PartyCell, PartyMember
from establishments.services import DecidingCommittees
from establishments.units import UnitMap
from sonla_party.workdays import add_months

from .people import CitizenIds, make_person

SOURCE_LIST_TOTAL = 4758  # people of the establishments without members in 2006 put on source lists, 2006–2014
SOURCE_LIST_TRAINED = 3903
WINDOW = (datetime.date(2006, 1, 1), datetime.date(2014, 12, 31))


@dataclass
class File:
    """A candidate's file before it is written: the candidate, its events and its lines."""

    candidate: Candidate
    events: list[tuple[str, datetime.date, dict]] = field(default_factory=list)
    introductions: list[tuple[PartyMember | None, datetime.date]] = field(default_factory=list)
    source: tuple[Commune, datetime.date, datetime.date | None, str] | None = None

    def add(self, stage, on, **extra):
        self.events.append((stage, on, extra))


class Builder:
    def __init__(self, rng: random.Random, by, today: datetime.date):
        self.rng, self.by, self.today = rng, by, today
        self.ids = CitizenIds(start=600000)
        self.files: list[File] = []
        self.officials_by_commune: dict[int, list[PartyMember]] = defaultdict(list)
        self.certificates = defaultdict(int)
        self.units = UnitMap.load()
        self.unit_objects = {unit.pk: unit for unit in AdministrativeUnit.objects.all()}
        self.committees = DecidingCommittees()

    def issuing_unit(self, home: int, on: datetime.date) -> AdministrativeUnit:
        """Who trained people of `home` on `on`: its district's political centre while districts
        existed, the commune-level unit after."""
        level = self.units.row_level(on)
        return self.unit_objects[self.units.row_of(home, on, level) or home]

    # --- pieces of a file ------------------------------------------------------------------

    def days(self, low: int, high: int) -> datetime.timedelta:
        return datetime.timedelta(days=self.rng.randint(low, high))

    def certificate(self, file: File, on: datetime.date) -> None:
        unit = self.issuing_unit(file.candidate.establishment.commune_id, on)
        self.certificates[(unit.code, on.year)] += 1
        cand = file.candidate
        cand.certificate_number = f"{unit.code}/{on.year}/{self.certificates[(unit.code, on.year)]:04d}"
        cand.certificate_on = on
        cand.certificate_issuer = default_organiser(unit)
        file.add(Stage.TRAINED, on, document_number=cand.certificate_number, note=cand.certificate_issuer)

    def introducers(self, file: File, on: datetime.date) -> None:
        """Two members of the commune official on `on` (a few random draws, not a scan)."""
        pool = self.officials_by_commune[file.candidate.establishment.commune_id]
        chosen = []
        for _attempt in range(30 if pool else 0):
            member = self.rng.choice(pool)
            if member not in chosen and rules._is_official(member, on):
                chosen.append(member)
                if len(chosen) == 2:
                    break
        file.introductions += [(member, on) for member in chosen]
        if len(chosen) < 2:
            file.candidate.is_youth_union_member = True
            file.introductions.append((None, on))

    def dossier(self, file: File, opened: datetime.date, complete_by: datetime.date) -> None:
        cand = file.candidate
        cand.application_on = opened
        cand.personal_history_on = opened + self.days(0, 10)
        cand.verification_concluded_on = min(complete_by, opened + self.days(10, 40))
        cand.comments_on = min(complete_by, opened + self.days(5, 30))
        file.add(Stage.DOSSIER, opened)
        self.introducers(file, opened + self.days(0, 5))

    def resolutions(self, file: File, cell_on: datetime.date, grassroots_on: datetime.date | None) -> None:
        members = self.rng.randint(5, 25)
        file.add(
            Stage.CELL_RESOLUTION,
            cell_on,
            document_number=f"{self.rng.randint(1, 99)}-NQ/CB",
            votes_for=self.rng.randint(-(-2 * members // 3), members),
            official_members=members,
        )
        if grassroots_on:
            file.add(Stage.GRASSROOTS_RESOLUTION, grassroots_on, document_number=f"{self.rng.randint(1, 300)}-NQ/ĐU")

    def decision(self, file: File, on: datetime.date) -> None:
        committee = self.committees.on(file.candidate.establishment.commune_id, on)
        level, body = deciding_body_of(committee)
        file.add(
            Stage.DECISION,
            on,
            document_number=f"{self.rng.randint(100, 2999)}-QĐ/{'ĐU' if level == 'commune' else 'HU'}",
            deciding_level=level,
            deciding_body=body,
            deciding_committee=committee,
        )

    def new_file(self, establishment: Establishment, person=None, source_on=None) -> File:
        person = person or make_person(self.rng, self.ids, source_on or self.today, 18, 34)
        commune = establishment.commune
        grade_floor = rules.required_education_grade(commune)
        candidate = Candidate(
            full_name=person.full_name,
            birth_date=person.birth_date,
            gender=person.gender,
            ethnicity=person.ethnicity,
            citizen_id=person.citizen_id,
            establishment=establishment,
            education_grade=self.rng.randint(grade_floor, 12),
            occupation=self.rng.choice(
                ["Làm nông nghiệp", "Giáo viên", "Y sĩ", "Trưởng bản", "Bí thư chi đoàn", "Kinh doanh", "Công nhân"]
            ),
            is_youth_union_member=self.rng.random() < 0.5,
        )
        self.legal_basis(candidate, source_on or self.today)
        file = File(candidate)
        self.files.append(file)
        return file

    def legal_basis(self, candidate: Candidate, on: datetime.date) -> None:
        """Most files rest on the Party's rules, some on a written consent, one in twelve on nothing
        yet (the work queue's "missing legal basis"). Counted, not drawn: the random draws, and so
        the calibrated figures, stay as they were."""
        turn = len(self.files) % 12
        if turn == 0:
            return
        if turn == 1:
            candidate.legal_basis, candidate.consent_on = LegalBasis.CONSENT, on
        else:
            candidate.legal_basis = LegalBasis.REGULATION

    # --- the three kinds of files -----------------------------------------------------------

    def from_member(self, member: PartyMember) -> File:
        """The file of a member admitted since 2006, dated backwards from the ceremony."""
        admitted = member.admitted_on
        decided = admitted - self.days(7, 35)
        grassroots = decided - self.days(10, 30)
        cell_on = grassroots - self.days(7, 20)
        opened = cell_on - self.days(30, 80)
        trained = opened - self.days(15, 120)
        source_on = trained - self.days(30, 200)
        file = self.new_file(member.establishment, person=member, source_on=source_on)
        file.candidate.citizen_id = member.citizen_id
        file.candidate.party_member = member
        file.candidate.party_cell = member.party_cell
        file.add(Stage.SOURCE, source_on)
        file.source = (member.establishment.commune, source_on, admitted, str(Stage.ADMITTED.label))
        self.certificate(file, trained)
        self.dossier(file, opened, cell_on)
        self.resolutions(file, cell_on, grassroots)
        self.decision(file, decided)
        file.add(Stage.ADMITTED, admitted)
        if member.left_reason == LeftReason.REMOVED:
            file.add(Stage.REMOVED, member.left_on, document_number="QĐ", note="Không đủ tư cách đảng viên")
        elif member.official_on:
            file.add(
                Stage.OFFICIAL,
                min(self.today, member.official_on + self.days(0, 25)),
                document_number="NQ/CB",
                votes_for=8,
                official_members=9,
            )
        return file

    def source_only(self, establishment: Establishment, added: datetime.date, trained: bool) -> File:
        """Someone put on a source list who did not reach admission there."""
        file = self.new_file(establishment, source_on=added)
        file.add(Stage.SOURCE, added)
        end = added + self.days(60, 700)
        if trained:
            self.certificate(file, added + self.days(20, 150))
            end = max(end, file.candidate.certificate_on + self.days(10, 300))
        end = min(end, self.today)
        stage = self.rng.choice([Stage.WITHDRAWN, Stage.MOVED_AWAY, Stage.MOVED_AWAY])
        note = "Đi làm ăn xa" if stage == Stage.MOVED_AWAY else "Gia đình không đồng ý"
        file.add(stage, end, note=note)
        file.source = (establishment.commune, added, end, str(Stage(stage).label))
        return file

    def current(self, establishment: Establishment, stage: str) -> File:
        """A file in progress today, at `stage`; about a third of the dated ones are overdue."""
        today, late = self.today, self.rng.random() < 0.35
        end = {
            Stage.SOURCE: today - self.days(5, 300),
            Stage.TRAINED: today - (self.days(1770, 1820) if late else self.days(20, 500)),
            Stage.DOSSIER: today - (self.days(330, 360) if late else self.days(10, 200)),
            Stage.CELL_RESOLUTION: today - (self.days(95, 140) if late else self.days(3, 50)),
            Stage.GRASSROOTS_RESOLUTION: today - (self.days(70, 100) if late else self.days(3, 30)),
            Stage.DECISION: today - (self.days(50, 90) if late else self.days(2, 30)),
            Stage.ADMITTED: today - (self.days(420, 470) if late else self.days(20, 330)),
        }[stage]
        return self.file_until(establishment, stage, end)

    def file_until(self, establishment: Establishment, stage: str, end: datetime.date) -> File:
        order = [
            Stage.SOURCE,
            Stage.TRAINED,
            Stage.DOSSIER,
            Stage.CELL_RESOLUTION,
            Stage.GRASSROOTS_RESOLUTION,
            Stage.DECISION,
            Stage.ADMITTED,
        ]
        steps = order[: order.index(stage) + 1]
        dates = [end]
        for _ in steps[:-1]:
            dates.insert(0, dates[0] - self.days(15, 60))
        file = self.new_file(establishment, source_on=dates[0])
        file.add(Stage.SOURCE, dates[0])
        file.source = (
            establishment.commune,
            dates[0],
            dates[-1] if stage == Stage.ADMITTED else None,
            str(Stage.ADMITTED.label) if stage == Stage.ADMITTED else "",
        )
        for step, on in zip(steps[1:], dates[1:], strict=True):
            if step == Stage.TRAINED:
                self.certificate(file, on)
            elif step == Stage.DOSSIER:
                self.dossier(file, on, on + self.days(5, 40))
            elif step == Stage.CELL_RESOLUTION:
                self.resolutions(file, on, None)
            elif step == Stage.GRASSROOTS_RESOLUTION:
                file.add(Stage.GRASSROOTS_RESOLUTION, on, document_number=f"{self.rng.randint(1, 300)}-NQ/ĐU")
            elif step == Stage.DECISION:
                self.decision(file, on)
            elif step == Stage.ADMITTED:
                file.add(Stage.ADMITTED, on)
        return file


def build_candidates(*, seed: int, scale: str, by) -> dict[str, int]:
    rng = random.Random(seed + 1)
    today = timezone.localdate()
    builder = Builder(rng, by, today)
    members = list(PartyMember.objects.select_related("establishment__commune", "party_cell").order_by("pk"))
    for member in members:
        if member.official_on:
            builder.officials_by_commune[member.establishment.commune_id].append(member)
    since_2006 = [m for m in members if m.admitted_on >= WINDOW[0]]
    for member in since_2006:
        builder.from_member(member)
    _source_list_story(builder)
    _current_pipeline(builder, scale)
    admitted_now = _write(builder)
    classes, enrollments = _training_classes(builder)
    return {
        "training_classes": classes,
        "enrollments": enrollments,
        "candidates": len(builder.files),
        "candidates_admitted_today": admitted_now,
        "stage_events": sum(len(f.events) for f in builder.files),
    }


def _source_list_story(builder: Builder) -> None:
    """Top the source lists of the establishments without members on 01/01/2006 up to the
    published totals for 2006–2014 (the files of their later members count too); the people
    added are villagers, put on a list before their village's first member."""
    blank = {
        est.pk: est for est in Establishment.objects.blank_on(WINDOW[0], Lacking.NO_MEMBER).select_related("commune")
    }
    first_member = _first_member_dates()
    villages = [est for pk, est in blank.items() if est.kind == EstablishmentKind.VILLAGE and pk in first_member]
    counted = [
        f
        for f in builder.files
        if f.source and f.candidate.establishment.pk in blank and WINDOW[0] <= f.source[1] <= WINDOW[1]
    ]
    trained = sum(1 for f in counted if f.candidate.certificate_on)
    missing, missing_trained = SOURCE_LIST_TOTAL - len(counted), SOURCE_LIST_TRAINED - trained
    if not 0 <= missing_trained <= missing:
        raise RuntimeError(f"The demo cannot tell the source-list story: {len(counted)} and {trained} already.")
    for index in range(missing):
        village = villages[index % len(villages)]
        last_day = min(first_member[village.pk], WINDOW[1]) - datetime.timedelta(days=1)
        added = WINDOW[0] + datetime.timedelta(days=builder.rng.randint(0, max(0, (last_day - WINDOW[0]).days)))
        builder.source_only(village, added, trained=index < missing_trained)


def _first_member_dates() -> dict[int, datetime.date]:
    from django.db.models import Min

    return dict(
        PartyMember.objects.filter(establishment__kind=EstablishmentKind.VILLAGE)
        .values("establishment")
        .annotate(first=Min("admitted_on"))
        .filter(first__gt=WINDOW[0])
        .values_list("establishment", "first")
    )


def _current_pipeline(builder: Builder, scale: str) -> None:
    """Today's files: every district, every active stage, some overdue."""
    per_commune = 3 if scale == "default" else 25
    stages = [
        Stage.SOURCE,
        Stage.TRAINED,
        Stage.DOSSIER,
        Stage.CELL_RESOLUTION,
        Stage.GRASSROOTS_RESOLUTION,
        Stage.DECISION,
        Stage.ADMITTED,
    ]
    by_commune = defaultdict(list)
    for est in Establishment.objects.select_related("commune").filter(closed_on__isnull=True):
        if est.opened_on is None or est.opened_on < builder.today - datetime.timedelta(days=900):
            by_commune[est.commune_id].append(est)
    counter = 0
    for establishments in by_commune.values():
        for _n in range(per_commune):
            builder.current(builder.rng.choice(establishments), stages[counter % len(stages)])
            counter += 1


def _write(builder: Builder) -> int:
    """Write every file in bulk: members for today's admissions, candidates, lists, events."""
    admitted_now = _create_members_for_current_admissions(builder)
    candidates = [f.candidate for f in builder.files]
    for file in builder.files:
        _finish(file, builder)
    Candidate.objects.bulk_create(candidates, batch_size=5000)
    for file in builder.files:
        if file.source:  # the list of the unit the home unit stood for on that day
            file.list_commune = list_commune_id(file.source[0].pk, file.source[1], builder.units)
    source_lists = _source_lists(builder.files)
    entries = [
        SourceListEntry(
            source_list=source_lists[(f.list_commune, f.source[1].year)],
            candidate=f.candidate,
            establishment=f.candidate.establishment,
            added_on=f.source[1],
            removed_on=f.source[2],
            removed_reason=f.source[3] if f.source[2] else "",
        )
        for f in builder.files
        if f.source
    ]
    SourceListEntry.objects.bulk_create(entries, batch_size=2000)
    events = [
        StageEvent(
            candidate=f.candidate,
            from_stage=previous,
            stage=stage,
            occurred_on=on,
            ended_on=following,
            recorded_by=builder.by,
            **extra,
        )
        for f in builder.files
        for previous, (stage, on, extra), following in zip(
            ["", *[e[0] for e in f.events]], f.events, [*[e[1] for e in f.events[1:]], None], strict=False
        )
    ]
    StageEvent.objects.bulk_create(events, batch_size=5000)  # events are themselves the file's record
    introducers = [
        Introducer(
            candidate=f.candidate,
            party_member=member,
            introduced_on=on,
            known_since=add_months(on, -24) if member else None,  # neighbours of two years at least
            youth_union_resolution="" if member else f"{on.year}-NQ/ĐTN",
        )
        for f in builder.files
        for member, on in f.introductions
    ]
    Introducer.objects.bulk_create(introducers, batch_size=2000)
    return admitted_now


def _finish(file: File, builder: Builder) -> None:
    """Stage, stage date and next deadline from the file's events."""
    cand = file.candidate
    last_stage, last_on, _extra = file.events[-1]
    cand.stage, cand.stage_since = last_stage, last_on
    dates = {stage: on for stage, on, _e in file.events}
    cand.next_due_on, cand.next_due_kind = rules.next_due(cand, dates, [on for _m, on in file.introductions])


def _create_members_for_current_admissions(builder: Builder) -> int:
    """Today's admitted candidates become probationary members, admitted on their ceremony date."""
    pending = [f for f in builder.files if f.events[-1][0] == Stage.ADMITTED and f.candidate.party_member_id is None]
    latest_cell = {}
    for cell in PartyCell.objects.prefetch_related("establishments").order_by("founded_on"):
        for est in cell.establishments.all():
            latest_cell[est.pk] = cell
    members = []
    for file in pending:
        file.candidate.party_cell = latest_cell.get(file.candidate.establishment_id)
        members.append(member_for(file.candidate, file.events[-1][1]))
    PartyMember.objects.bulk_create(members, batch_size=5000)
    CellMembership.objects.bulk_create(
        [CellMembership(member=m, cell=m.party_cell, starts_on=m.admitted_on) for m in members if m.party_cell],
        batch_size=5000,
    )
    for file, member in zip(pending, members, strict=True):
        file.candidate.party_member = member
    return len(members)


def _source_lists(files: list[File]) -> dict[tuple[int, int], SourceList]:
    keys = {(f.list_commune, f.source[1].year) for f in files if f.source}
    existing = {(sl.commune_id, sl.year): sl for sl in SourceList.objects.all()}
    new = [
        SourceList(commune_id=commune, year=year, approved_on=datetime.date(year, 1, 15))
        for commune, year in sorted(keys - set(existing))
    ]
    bulk_create_with_history(new, SourceList, batch_size=2000)
    existing.update({(sl.commune_id, sl.year): sl for sl in SourceList.objects.all()})
    return existing


def _training_classes(builder: Builder) -> tuple[int, int]:
    """The classes behind the demo certificates: each district's political centre (each commune's
    committee from 01/07/2025) holds a class every four months or so, ending before the
    certificates it gave; plus, in every unit, an upcoming class with today's candidates enrolled."""
    groups = defaultdict(list)
    for file in builder.files:
        cand = file.candidate
        if cand.certificate_on:
            unit = builder.issuing_unit(cand.establishment.commune_id, cand.certificate_on)
            groups[(unit.pk, cand.certificate_on.year, (cand.certificate_on.month - 1) // 4)].append(cand)
    classes, enrollments = [], []
    ordered = sorted(groups.items(), key=lambda item: (builder.unit_objects[item[0][0]].code, *item[0][1:]))
    for (unit_pk, year, third), people in ordered:
        unit = builder.unit_objects[unit_pk]
        ends = min(c.certificate_on for c in people)
        tc = TrainingClass(
            name=f"Lớp {third + 1}/{year}",
            organiser=default_organiser(unit),
            unit=unit,
            starts_on=ends - datetime.timedelta(days=4),
            ends_on=ends,
            venue=default_organiser(unit),
            capacity=max(50, len(people)),
        )
        classes.append(tc)
        enrollments += [
            Enrollment(
                training_class=tc,
                candidate=c,
                enrolled_on=tc.starts_on - datetime.timedelta(days=10),
                attended=True,
                completed=True,
                essay_result=builder.rng.choice(["excellent", "good", "good", "pass"]),
                certificate_number=c.certificate_number,
                certificate_on=c.certificate_on,
                organiser=tc.organiser,
            )
            for c in people
        ]
    classes += _upcoming_classes(builder, enrollments)
    TrainingClass.objects.bulk_create(classes, batch_size=1000)
    for enrollment in enrollments:
        enrollment.training_class_id = enrollment.training_class.pk
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    return len(classes), len(enrollments)


def _upcoming_classes(builder: Builder, enrollments: list) -> list[TrainingClass]:
    starts = builder.today + datetime.timedelta(days=21)
    by_unit = defaultdict(list)
    for file in builder.files:
        if file.candidate.stage == Stage.SOURCE:
            by_unit[builder.issuing_unit(file.candidate.establishment.commune_id, starts).pk].append(file.candidate)
    classes = []
    for unit_pk, people in sorted(by_unit.items(), key=lambda item: builder.unit_objects[item[0]].code):
        unit = builder.unit_objects[unit_pk]
        tc = TrainingClass(
            name=f"Lớp {starts.month}/{starts.year}",
            organiser=default_organiser(unit),
            unit=unit,
            starts_on=starts,
            ends_on=starts + datetime.timedelta(days=4),
            venue=default_organiser(unit),
            capacity=60,
        )
        classes.append(tc)
        enrollments += [
            Enrollment(training_class=tc, candidate=c, enrolled_on=builder.today, organiser=tc.organiser)
            for c in people[: len(people) // 2]
        ]
    return classes
