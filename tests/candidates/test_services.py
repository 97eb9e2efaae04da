"""The admission pipeline's services: every allowed step, every refusal, each naming its rule."""

import datetime
import itertools

import pytest
from django.test import override_settings
from django.utils import timezone

from candidates import services
from candidates.choices import PIPELINE, TRANSITIONS, Stage
from candidates.models import Candidate, StageEvent
from candidates.services import PipelineError, Step
from establishments.models import Establishment, PartyMember
from sonla_party.workdays import add_months
from tests.candidates.pipeline import TIMELINE, advance, cell_for, new_candidate, step_to
from tests.factories import PartyMemberFactory

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(board_user, province):
    return new_candidate(board_user, province.home_establishment)


def test_creating_puts_the_candidate_on_the_source_list(candidate):
    assert candidate.stage == Stage.SOURCE
    entry = candidate.source_list_entries.get()
    assert entry.source_list.year == 2023 and entry.source_list.commune == candidate.establishment.commune
    assert list(candidate.events.values_list("stage", flat=True)) == [Stage.SOURCE]


def test_the_whole_pipeline_writes_one_dated_attributed_event_per_step(candidate, board_user):
    advance(candidate, Stage.OFFICIAL, board_user)
    events = list(candidate.events.order_by("occurred_on", "pk"))
    assert [event.stage for event in events] == PIPELINE
    assert all(event.recorded_by == board_user for event in events)
    assert [event.occurred_on for event in events[1:]] == [TIMELINE[stage] for stage in PIPELINE[1:]]


ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]  # a stable order for -n


@pytest.mark.parametrize(("from_stage", "to_stage"), ALLOWED)
def test_every_allowed_transition(board_user, province, from_stage, to_stage):
    candidate = new_candidate(board_user, province.home_establishment)
    bring_to(candidate, from_stage, board_user)
    candidate.refresh_from_db()
    on = candidate.stage_since + datetime.timedelta(days=400 if to_stage == Stage.OFFICIAL else 1)
    event = perform(candidate, to_stage, board_user, on)
    candidate.refresh_from_db()
    assert candidate.stage == to_stage
    assert event.from_stage == from_stage


def bring_to(candidate, stage, by):
    """Reach `stage`: along the pipeline, or through the last step before an exit."""
    if stage in PIPELINE:
        advance(candidate, stage, by)
        return
    before = {Stage.REJECTED: Stage.DOSSIER, Stage.REMOVED: Stage.ADMITTED}.get(stage, Stage.SOURCE)
    advance(candidate, before, by)
    candidate.refresh_from_db()
    perform(candidate, stage, by, candidate.stage_since + datetime.timedelta(days=1))


def perform(candidate, to_stage, by, on):
    """The service of the step into `to_stage` (exits and re-entry included)."""
    if to_stage in PIPELINE[1:]:
        cell = candidate.party_cell or candidate.establishment.seated_party_cells.first()
        members = list(cell.party_members.all()) if cell else []
        return step_to(candidate, to_stage, by, cell, members)
    if to_stage == Stage.SOURCE:
        return services.return_to_source(candidate=candidate, added_on=on, by=by)
    if to_stage == Stage.REJECTED:
        return services.reject_candidate(candidate=candidate, rejected_on=on, note="Chi bộ không tán thành", by=by)
    if to_stage == Stage.WITHDRAWN:
        return services.withdraw_candidate(candidate=candidate, withdrawn_on=on, note="Xin rút", by=by)
    if to_stage == Stage.MOVED_AWAY:
        return services.record_moved_away(candidate=candidate, moved_on=on, note="Đi làm xa", by=by)
    if to_stage == Stage.REMOVED:
        return services.remove_from_probation(
            candidate=candidate, removed_on=on, document_number="QĐ-X", note="Vi phạm", by=by
        )
    raise ValueError(to_stage)


FORBIDDEN = [(a, b) for a, b in itertools.product(Stage.values, Stage.values) if b not in TRANSITIONS[a]]


@pytest.mark.parametrize(("from_stage", "to_stage"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_naming_the_order_rule(board_user, province, from_stage, to_stage):
    candidate = new_candidate(board_user, province.home_establishment)
    Candidate.objects.filter(pk=candidate.pk).update(stage=from_stage)  # set up only; the service is under test
    candidate.refresh_from_db()
    with pytest.raises(PipelineError) as refused:
        services.move_candidate(candidate=candidate, to_stage=to_stage, step=Step(D(2023, 2, 1)), by=board_user)
    assert "Order of stages" in str(refused.value) or "Thứ tự" in str(refused.value)
    candidate.refresh_from_db()
    assert candidate.stage == from_stage
    assert candidate.events.count() == 1


class TestCellResolutionRules:
    def vote(self, candidate, by, on=None, votes_for=6):
        return services.record_cell_resolution(
            candidate=candidate,
            voted_on=on or TIMELINE[Stage.CELL_RESOLUTION],
            document_number="NQ",
            votes_for=votes_for,
            by=by,
        )

    def at_dossier(self, by, establishment, **fields):
        candidate = new_candidate(by, establishment, **fields)
        advance(candidate, Stage.DOSSIER, by)
        return candidate

    def test_age_17_years_11_months_is_refused(self, board_user, province):
        vote_on = TIMELINE[Stage.CELL_RESOLUTION]
        born = add_months(vote_on, -(17 * 12 + 11))
        candidate = self.at_dossier(board_user, province.home_establishment, birth_date=born, citizen_id=None)
        with pytest.raises(PipelineError, match="Tuổi|Age"):
            self.vote(candidate, board_user)
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DOSSIER

    def test_exactly_18_is_accepted(self, board_user, province):
        born = add_months(TIMELINE[Stage.CELL_RESOLUTION], -18 * 12)
        candidate = self.at_dossier(board_user, province.home_establishment, birth_date=born, citizen_id=None)
        self.vote(candidate, board_user)
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CELL_RESOLUTION

    def test_60_years_and_one_day_is_refused_and_60_exactly_accepted(self, board_user, province):
        vote_on = TIMELINE[Stage.CELL_RESOLUTION]
        too_old = self.at_dossier(
            board_user,
            province.home_establishment,
            birth_date=add_months(vote_on, -60 * 12) - datetime.timedelta(days=1),
            citizen_id=None,
        )
        with pytest.raises(PipelineError, match="Tuổi|Age"):
            self.vote(too_old, board_user)
        just_60 = self.at_dossier(
            board_user, province.home_establishment, birth_date=add_months(vote_on, -60 * 12), citizen_id=None
        )
        self.vote(just_60, board_user)

    def test_an_expired_certificate_is_refused(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        # a certificate whose 60 months end exactly on the vote date
        Candidate.objects.filter(pk=candidate.pk).update(
            certificate_on=add_months(TIMELINE[Stage.CELL_RESOLUTION], -60)
        )
        candidate.refresh_from_db()
        with (
            override_settings(CERTIFICATE_VALIDITY_MONTHS=60),
            pytest.raises(PipelineError, match="chứng nhận|certificate"),
        ):
            self.vote(candidate, board_user)
        Candidate.objects.filter(pk=candidate.pk).update(
            certificate_on=add_months(TIMELINE[Stage.CELL_RESOLUTION], -60) + datetime.timedelta(days=1)
        )
        candidate.refresh_from_db()
        self.vote(candidate, board_user)  # one day younger: still valid

    def test_certificate_validity_is_a_setting(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        with override_settings(CERTIFICATE_VALIDITY_MONTHS=1), pytest.raises(PipelineError):
            self.vote(candidate, board_user)

    def test_one_introducer_is_refused(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        candidate.introducers.first().delete()
        with pytest.raises(PipelineError, match="giới thiệu|Introducers"):
            self.vote(candidate, board_user)

    def test_one_introducer_and_a_youth_union_resolution_is_accepted_for_a_union_member(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment, is_youth_union_member=True)
        candidate.introducers.first().delete()
        services.add_introducer(
            candidate=candidate,
            youth_union_resolution="NQ-ĐTN 12",
            introduced_on=TIMELINE["introduced"],
            by=board_user,
        )
        self.vote(candidate, board_user)
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CELL_RESOLUTION

    def test_a_youth_union_resolution_is_refused_for_a_non_member(self, board_user, candidate):
        with pytest.raises(PipelineError, match="Đoàn|Youth Union"):
            services.add_introducer(
                candidate=candidate, youth_union_resolution="NQ 1", introduced_on=TIMELINE["introduced"], by=board_user
            )

    def test_an_introducer_who_is_not_official_is_refused(self, board_user, candidate):
        probationary = PartyMemberFactory(admitted_on=D(2023, 1, 1), official_on=None)
        with pytest.raises(PipelineError, match="chính thức|official"):
            services.add_introducer(
                candidate=candidate, party_member=probationary, introduced_on=TIMELINE["introduced"], by=board_user
            )

    def test_introductions_older_than_12_months_do_not_count(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        late_vote = add_months(TIMELINE["introduced"], 12) + datetime.timedelta(days=1)
        with pytest.raises(PipelineError, match="giới thiệu|Introducers"):
            self.vote(candidate, board_user, on=late_vote)

    def test_5_of_9_in_favour_is_refused(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        with pytest.raises(PipelineError, match="2/3|two thirds|hai phần ba"):
            self.vote(candidate, board_user, votes_for=5)

    def test_6_of_9_in_favour_is_accepted(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        event = self.vote(candidate, board_user, votes_for=6)
        assert (event.votes_for, event.official_members) == (6, 9)

    def test_the_official_members_are_counted_from_the_register_on_the_vote_date(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        vote_on = TIMELINE[Stage.CELL_RESOLUTION]
        members = list(candidate.establishment.seated_party_cells.get().party_members.order_by("pk"))
        # the first two introduced the candidate; of the others, one left on the vote's day, one
        # became official the day after, and one joined the cell the day after
        PartyMember.objects.filter(pk=members[-1].pk).update(left_on=vote_on, left_reason="deceased")
        PartyMember.objects.filter(pk=members[-2].pk).update(official_on=vote_on + datetime.timedelta(days=1))
        members[-3].cell_memberships.update(starts_on=vote_on + datetime.timedelta(days=1))
        event = self.vote(candidate, board_user, votes_for=4)  # 4 of 6: two thirds
        assert event.official_members == 6
        with pytest.raises(TypeError):  # a number typed in a form has no way in
            services.record_cell_resolution(
                candidate=candidate,
                voted_on=vote_on,
                document_number="NQ",
                votes_for=6,
                official_members=9,
                by=board_user,
            )

    def test_a_cell_of_fewer_than_three_official_members_cannot_vote(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        cell = candidate.establishment.seated_party_cells.get()
        PartyMember.objects.filter(pk__in=list(cell.party_members.values_list("pk", flat=True))[2:]).update(
            left_on=D(2020, 1, 1), left_reason="deceased"
        )
        with pytest.raises(PipelineError, match="3") as refused:
            self.vote(candidate, board_user, votes_for=2)
        assert "2" in str(refused.value)
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DOSSIER

    def test_education_primary_is_enough_only_in_mountain_communes(self, board_user, province):
        mountain = self.at_dossier(board_user, province.home_establishment, education_grade=5)
        self.vote(mountain, board_user)
        town = Establishment.objects.create(
            commune=province.other_commune, kind="residential_group", name="Tổ 1", code="T1"
        )
        province.other_commune.is_mountainous = False
        province.other_commune.save()
        lowland = self.at_dossier(board_user, town, education_grade=5)
        with pytest.raises(PipelineError, match="Học vấn|Education"):
            self.vote(lowland, board_user)

    def test_an_incomplete_dossier_is_refused_naming_the_missing_document(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment)
        Candidate.objects.filter(pk=candidate.pk).update(verification_concluded_on=None)
        candidate.refresh_from_db()
        with pytest.raises(PipelineError, match="(?i)thẩm tra|verification"):
            self.vote(candidate, board_user)

    def test_all_failing_rules_are_listed_at_once(self, board_user, province):
        candidate = self.at_dossier(board_user, province.home_establishment, education_grade=3)
        candidate.introducers.all().delete()
        with pytest.raises(PipelineError) as refused:
            self.vote(candidate, board_user, votes_for=1)
        message = str(refused.value)
        for rule in (("Học vấn", "Education"), ("giới thiệu", "Introducers"), ("Biểu quyết", "Votes")):
            assert any(word in message for word in rule), (rule, message)


class TestLaterSteps:
    def test_admission_creates_a_probationary_member_in_the_establishment_and_cell(self, board_user, candidate):
        cell, _members = advance(candidate, Stage.ADMITTED, board_user)
        member = candidate.party_member
        assert member.admitted_on == TIMELINE[Stage.ADMITTED]
        assert member.establishment == candidate.establishment and member.party_cell == cell
        assert member.official_on is None and member.citizen_id == candidate.citizen_id
        assert not candidate.source_list_entries.filter(removed_on__isnull=True).exists()

    def test_recognition_at_11_months_is_refused(self, board_user, candidate):
        advance(candidate, Stage.ADMITTED, board_user)
        with pytest.raises(PipelineError, match="12"):
            services.recognise_official(
                candidate=candidate,
                voted_on=add_months(TIMELINE[Stage.ADMITTED], 11),
                document_number="NQ",
                votes_for=7,
                by=board_user,
            )

    def test_recognition_counts_the_cells_official_members_from_the_register(self, board_user, candidate):
        advance(candidate, Stage.ADMITTED, board_user)
        vote = {
            "candidate": candidate,
            "voted_on": TIMELINE[Stage.OFFICIAL],
            "document_number": "NQ",
            "by": board_user,
        }
        with pytest.raises(PipelineError, match="2/3|two thirds|hai phần ba"):
            services.recognise_official(votes_for=5, **vote)  # 5 of the 9 official members
        event = services.recognise_official(votes_for=6, **vote)
        assert (event.votes_for, event.official_members) == (6, 9)

    def test_recognition_sets_official_on_to_ceremony_plus_12_months(self, board_user, candidate):
        advance(candidate, Stage.OFFICIAL, board_user)
        member = PartyMember.objects.get(pk=candidate.party_member_id)
        assert member.official_on == add_months(TIMELINE[Stage.ADMITTED], 12)

    def test_removal_sets_left_on(self, board_user, candidate):
        advance(candidate, Stage.ADMITTED, board_user)
        services.remove_from_probation(
            candidate=candidate, removed_on=D(2024, 2, 1), document_number="QĐ", note="Vi phạm kỷ luật", by=board_user
        )
        member = PartyMember.objects.get(pk=candidate.party_member_id)
        assert member.left_on == D(2024, 2, 1) and member.left_reason == "removed"

    def test_a_late_decision_needs_a_note(self, board_user, candidate):
        advance(candidate, Stage.GRASSROOTS_RESOLUTION, board_user)
        late = D(2023, 12, 1)  # more than 60 working days after 01/06/2023
        with pytest.raises(PipelineError, match="ghi chú|note"):
            services.record_decision(candidate=candidate, decided_on=late, document_number="QĐ", by=board_user)
        services.record_decision(
            candidate=candidate,
            decided_on=late,
            document_number="QĐ",
            note="Chờ kết quả thẩm tra bổ sung",
            by=board_user,
        )
        assert Candidate.objects.get(pk=candidate.pk).stage == Stage.DECISION

    def test_the_decision_names_and_stores_the_committee_competent_on_its_date(self, board_user, candidate):
        advance(candidate, Stage.DECISION, board_user)
        event = candidate.events.get(stage=Stage.DECISION)
        assert event.deciding_level == "district"
        assert "Mộc Châu" in event.deciding_body
        assert event.deciding_committee.unit == candidate.establishment.commune.district

    def test_a_date_in_the_future_or_before_the_last_step_is_refused(self, board_user, candidate):
        with pytest.raises(PipelineError, match="tương lai|future"):
            services.record_training(
                candidate=candidate,
                certificate_number="1",
                certificate_on=timezone.localdate() + datetime.timedelta(days=1),
                issuer="TTCT",
                by=board_user,
            )
        with pytest.raises(PipelineError, match="trước|before"):
            services.record_training(
                candidate=candidate, certificate_number="1", certificate_on=D(2022, 1, 1), issuer="TTCT", by=board_user
            )

    def test_exits_need_a_note_and_close_the_source_list_entry(self, board_user, candidate):
        with pytest.raises(PipelineError):
            services.withdraw_candidate(candidate=candidate, withdrawn_on=D(2023, 2, 1), note=" ", by=board_user)
        services.record_moved_away(
            candidate=candidate, moved_on=D(2023, 2, 1), note="Đi làm ở Bình Dương", by=board_user
        )
        entry = candidate.source_list_entries.get()
        assert entry.removed_on == D(2023, 2, 1)


class TestWhoMayDoWhat:
    def test_a_reviewer_records_decisions_but_not_other_steps(self, board_user, reviewer_user, candidate):
        advance(candidate, Stage.GRASSROOTS_RESOLUTION, board_user)
        services.record_decision(
            candidate=candidate, decided_on=TIMELINE[Stage.DECISION], document_number="QĐ", by=reviewer_user
        )
        with pytest.raises(PipelineError, match="(?i)vai trò|role"):
            services.admit_candidate(candidate=candidate, ceremony_on=TIMELINE[Stage.ADMITTED], by=reviewer_user)

    def test_nobody_moves_a_candidate_outside_their_scope(self, board_user, province):
        from sonla_party import roles
        from tests.factories import make_user

        outsider = make_user("commune-other", roles.COMMUNE_STAFF, commune=province.other_commune)
        candidate = new_candidate(board_user, province.home_establishment)
        with pytest.raises(PipelineError):
            services.withdraw_candidate(candidate=candidate, withdrawn_on=D(2023, 2, 1), note="x", by=outsider)
        assert StageEvent.objects.filter(candidate=candidate).count() == 1

    def test_a_stale_form_gets_a_conflict_message(self, board_user, candidate):
        services.withdraw_candidate(candidate=candidate, withdrawn_on=D(2023, 2, 1), note="x", by=board_user)
        with pytest.raises(services.PipelineConflict, match="board-test"):
            services.record_training(
                candidate=candidate,
                certificate_number="1",
                certificate_on=D(2023, 3, 1),
                issuer="TTCT",
                by=board_user,
                expected_stage=Stage.SOURCE,
            )


def test_a_member_cannot_become_a_candidate(board_user, province):
    member = PartyMemberFactory(establishment=province.home_establishment)
    from tests.factories import CandidateFactory

    candidate = CandidateFactory.build(
        establishment=province.home_establishment, citizen_id=member.citizen_id, birth_date=member.birth_date
    )
    with pytest.raises(PipelineError, match=member.full_name):
        services.create_candidate(candidate=candidate, added_on=D(2023, 1, 1), by=board_user)


def test_the_register_counts_a_cells_official_members_on_a_date(candidate):
    cell, members = cell_for(candidate, 3)  # admitted 01/01/2009, official a year later
    assert services.official_members_on(cell, D(2023, 6, 1)) == 3
    assert services.official_members_on(cell, D(2009, 12, 31)) == 0  # still probationary
    PartyMember.objects.filter(pk=members[0].pk).update(left_on=D(2023, 6, 1), left_reason="deceased")
    assert services.official_members_on(cell, D(2023, 6, 1)) == 2
    assert services.official_members_on(cell, D(2023, 5, 31)) == 3


def test_after_admission_the_establishment_has_members_from_the_ceremony_on(board_user, board_client, province):
    """The registry follows from the pipeline: the dashboard and the list change on the ceremony date."""
    neighbour = Establishment.objects.create(commune=province.home_commune, kind="village", name="Bản Bên", code="BB")
    probe = Candidate(establishment=neighbour)
    cell, members = cell_for(probe)  # the introducers and the cell live in the neighbouring village
    candidate = new_candidate(board_user, province.home_establishment)  # a village with no member yet
    for stage in PIPELINE[1 : PIPELINE.index(Stage.ADMITTED) + 1]:
        step_to(candidate, stage, board_user, cell, members)  # the ceremony on 01/08/2023
    url = f"/establishments/?district={province.home.pk}&has_party_members=true&as_of="

    def home_row(as_of):
        rows = board_client.get(f"/?as_of={as_of}").context["rows"]
        return next(row for row in rows if row.unit.pk == province.home.pk).counts

    before, on_the_day = home_row("2023-07-31"), home_row("2023-08-01")
    assert before["without_members"] == on_the_day["without_members"] + 1

    def with_members(as_of):
        return {row.record for row in board_client.get(url + as_of).context["table"].rows}

    assert candidate.establishment not in with_members("2023-07-31")
    assert candidate.establishment in with_members("2023-08-01")
