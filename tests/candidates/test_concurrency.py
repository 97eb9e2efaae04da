"""Two people record a step for the same candidate at the same moment: one wins, one is told."""

import threading

import pytest
from django.db import connection

from candidates import services
from candidates.choices import Stage
from candidates.models import Candidate, StageEvent
from tests.candidates.pipeline import TIMELINE, new_candidate


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_exactly_one_succeeds(board_user, province):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are a PostgreSQL matter; SQLite serialises writers")
    candidate = new_candidate(board_user, province.home_establishment)
    barrier = threading.Barrier(2)
    outcomes = []

    def record(number):
        try:
            fresh = Candidate.objects.get(pk=candidate.pk)  # each thread: its own connection
            barrier.wait(timeout=10)
            services.record_training(
                candidate=fresh,
                certificate_number=f"GCN-{number}",
                certificate_on=TIMELINE[Stage.TRAINED],
                issuer="Trung tâm Chính trị",
                by=board_user,
                expected_stage=Stage.SOURCE,
            )
            outcomes.append("ok")
        except services.PipelineConflict as conflict:
            outcomes.append(conflict)
        except Exception as error:  # anything else fails the test below, with its reason
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes.count("ok") == 1, outcomes
    conflicts = [o for o in outcomes if isinstance(o, services.PipelineConflict)]
    assert len(conflicts) == 1
    message = str(conflicts[0])
    assert "board-test" in message and ("Nothing was saved" in message or "chưa được lưu" in message)
    assert StageEvent.objects.filter(candidate=candidate, stage=Stage.TRAINED).count() == 1
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.TRAINED
