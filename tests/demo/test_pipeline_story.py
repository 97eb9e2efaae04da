"""The demo candidates: the published source-list figures, every stage today, files that obey the rules."""

import datetime
import random

import pytest
from django.db.models import Count, F
from django.utils import timezone

from candidates import rules
from candidates.choices import ACTIVE, Stage
from candidates.models import Candidate, StageEvent
from establishments.models import PartyMember

WINDOW = (datetime.date(2006, 1, 1), datetime.date(2014, 12, 31))


@pytest.fixture
def data(demo_data, db):
    return None


def test_source_lists_of_establishments_without_members_hold_the_published_figures(board):
    """4,758 people of the establishments without members on 01/01/2006 put on source lists in
    2006–2014, 3,903 of them trained: read off the candidate list's filters."""
    blank = "from_blank=no_member&blank_on=2006-01-01&added_after=2006-01-01&added_before=2014-12-31"
    listed = board.get(f"/candidates/?{blank}")
    assert listed.context["table"].paginator.count == 4758
    trained = board.get(f"/candidates/?{blank}&event=trained&event_before=2020-12-31")
    assert trained.context["table"].paginator.count == 3903


def test_today_every_active_stage_has_candidates_and_some_are_overdue(data):
    stages = dict(Candidate.objects.values_list("stage").annotate(n=Count("pk")))
    for stage in [*ACTIVE, Stage.ADMITTED, Stage.OFFICIAL, Stage.WITHDRAWN, Stage.MOVED_AWAY]:
        assert stages.get(stage, 0) > 0, stage
    today = timezone.localdate()
    overdue = Candidate.objects.filter(next_due_on__lt=today)
    assert overdue.filter(next_due_kind="ceremony").exists()
    assert overdue.filter(next_due_kind="decision").exists()
    assert overdue.filter(next_due_kind="recognition").exists()


def test_every_member_admitted_since_2006_has_the_file_of_their_admission(data):
    members = PartyMember.objects.filter(admitted_on__gte=WINDOW[0])
    assert not members.filter(candidate__isnull=True).exists()
    mismatched = StageEvent.objects.filter(stage=Stage.ADMITTED, candidate__party_member__isnull=False).exclude(
        occurred_on=F("candidate__party_member__admitted_on")
    )
    assert not mismatched.exists()


def test_a_sample_of_admitted_files_met_the_cell_vote_rules(data):
    sample_ids = list(Candidate.objects.filter(stage=Stage.OFFICIAL).values_list("pk", flat=True))
    random.Random(3).shuffle(sample_ids)
    for candidate in Candidate.objects.filter(pk__in=sample_ids[:150]).select_related("establishment__commune"):
        events = {e.stage: e for e in candidate.events.all()}
        vote = events[Stage.CELL_RESOLUTION]
        failing = [
            req.message
            for req in [
                *rules.cell_resolution_requirements(candidate, vote.occurred_on),
                rules.votes_requirement(vote.votes_for, vote.official_members),
            ]
            if not req.ok
        ]
        assert failing == [], (candidate.pk, failing)
        dates = [e.occurred_on for e in sorted(events.values(), key=lambda e: e.pk)]
        assert dates == sorted(dates), candidate.pk
        assert events[Stage.DECISION].occurred_on <= rules.decision_due(vote.occurred_on)
        assert events[Stage.ADMITTED].occurred_on <= rules.ceremony_due(events[Stage.DECISION].occurred_on)
