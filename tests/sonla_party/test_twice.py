"""Twice is once: a double click, two tabs, or two requests at once, repeat nothing."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client

from candidates.choices import Stage
from candidates.models import Candidate, Enrollment, SourceListEntry, TrainingClass
from candidates.services import enrol_candidates
from establishments.models import Assignment
from reports.models import FinalisedReport
from sonla_party.models import ImportBatch
from tests.candidates.pipeline import new_candidate
from tests.candidates.test_training import roster_post
from tests.establishments.test_cadres import assignment_form
from tests.factories import AssignmentFactory, CadreFactory
from tests.sonla_party.test_imports import as_csv, candidate_rows, confirm, preview

D = datetime.date


@pytest.mark.django_db
def test_a_second_confirm_answers_already_imported_and_saves_nothing(board_client, province):
    batch = preview(board_client, as_csv(candidate_rows(province.home_establishment, 3)))
    confirm(board_client, batch)
    response = board_client.post(f"/imports/{batch.pk}/confirm/", follow=True)
    assert "already been imported" in response.content.decode() or "đã được nhập" in response.content.decode()
    assert Candidate.objects.count() == 3 and SourceListEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_import_the_rows_once(board_user, province):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) are a PostgreSQL matter; SQLite serialises writers")
    uploader = Client()
    uploader.force_login(board_user)
    batch = preview(uploader, as_csv(candidate_rows(province.home_establishment, 300)))
    barrier = threading.Barrier(2)
    pages = []

    def send():
        try:
            client = Client()
            client.force_login(board_user)
            barrier.wait(timeout=10)
            pages.append(client.post(f"/imports/{batch.pk}/confirm/", follow=True).content.decode())
        except Exception as error:  # anything else fails the test below, with its reason
            pages.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    refused = [p for p in pages if "already been imported" in p or "đã được nhập" in p]
    # the batch's page shows its save's result to both; only one of them was refused
    imported = [p for p in pages if ("300 created" in p or "thêm mới 300" in p) and p not in refused]
    assert len(pages) == 2 and len(refused) == 1, [p[:300] for p in pages]
    assert len(imported) == 1
    assert Candidate.objects.count() == 300 and SourceListEntry.objects.count() == 300
    assert ImportBatch.objects.get(pk=batch.pk).status == "imported"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{}, {"year": "", "quarter": ""}, {"year": "2024"}, {"quarter": "2"}, {"year": "abc", "quarter": "9"}],
    ids=["empty", "blank", "no-quarter", "no-year", "nonsense"],
)
def test_finalising_needs_the_year_and_quarter_the_user_saw(board_client, province, data):
    response = board_client.post("/reports/quarterly/finalise/", data)
    assert response.status_code == 400
    assert not FinalisedReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_finalisations_at_once_keep_one_report(board_user, province):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter; SQLite serialises writers")
    statuses = run_at_once(board_user, "/reports/quarterly/finalise/", {"year": 2024, "quarter": 2})
    assert statuses == [302, 302]
    assert FinalisedReport.objects.count() == 1


def run_at_once(user, url, data) -> list:
    """POST `data` to `url` from two threads at the same moment; their statuses, sorted."""
    barrier = threading.Barrier(2)
    statuses = []

    def send():
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, data).status_code)
        except Exception as error:  # anything else fails the test, with its reason
            statuses.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses, key=str)


# --- Every other action a double submit would repeat ----------------------------------------


@pytest.fixture
def training_class(province):
    return TrainingClass.objects.create(
        name="Lớp 1/2027",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=province.home,
        starts_on=D(2027, 3, 1),
        ends_on=D(2027, 3, 5),
        capacity=50,
    )


@pytest.fixture
def past_class(province):
    return TrainingClass.objects.create(
        name="Lớp 1/2025",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=province.home,
        starts_on=D(2025, 3, 3),
        ends_on=D(2025, 3, 7),
        capacity=50,
    )


def enrolled(by, province, training_class):
    person = new_candidate(by, province.home_establishment, citizen_id=None)
    enrol_candidates(training_class=training_class, candidate_ids=[person.pk], enrolled_on=D(2025, 2, 20), by=by)
    return person


def enrol_data(training_class, people):
    return {"training_class": training_class.pk, "selection": [p.pk for p in people]}


def roster_data(training_class):
    enrollment = Enrollment.objects.get(training_class=training_class)
    return roster_post(
        training_class,
        [(enrollment, {"completed": "on", "certificate_number": "GCN-1", "certificate_on": "2025-03-10"})],
    )


def trained_once(candidate):
    candidate.refresh_from_db()
    return candidate.stage == Stage.TRAINED and candidate.events.filter(stage=Stage.TRAINED).count() == 1


@pytest.mark.django_db
class TestDoubleSubmit:
    """The same form sent twice in a row: the second changes nothing and answers without a 5xx."""

    def test_enrol(self, board_client, board_user, province, training_class):
        people = [new_candidate(board_user, province.home_establishment, citizen_id=None) for _ in range(2)]
        for _ in range(2):
            assert board_client.post("/training-classes/enrol/", enrol_data(training_class, people)).status_code == 200
        assert Enrollment.objects.filter(training_class=training_class).count() == 2

    def test_roster(self, board_client, board_user, province, past_class):
        person = enrolled(board_user, province, past_class)
        for _ in range(2):
            response = board_client.post(f"/training-classes/{past_class.pk}/roster/", roster_data(past_class))
            assert response.status_code == 302
        assert trained_once(person)

    def test_hand_over(self, board_client, province):
        old, new = CadreFactory(district=province.home), CadreFactory(district=province.home)
        AssignmentFactory(cadre=old, establishment=province.home_establishment)
        statuses = [
            board_client.post(f"/cadres/{old.pk}/hand-over/", {"to_cadre": new.pk, "on": "2024-07-01"}).status_code
            for _ in range(2)
        ]
        assert statuses == [302, 400]
        assert new.assignments.count() == 1 and old.assignments.filter(ends_on__isnull=True).count() == 0

    def test_assignment(self, board_client, province):
        cadre = CadreFactory(district=province.home)
        data = assignment_form(cadre, province.home_establishment, "2020-01-01")
        statuses = [board_client.post("/cadres/assignments/new/", data).status_code for _ in range(2)]
        assert statuses == [302, 200]  # the second: the form, with the overlap named
        assert Assignment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
class TestAtOnce:
    """The same form sent twice at the same moment (PostgreSQL): one acts, the other is refused."""

    @pytest.fixture(autouse=True)
    def _postgresql_only(self):
        if connection.vendor != "postgresql":
            pytest.skip("row locks (SELECT … FOR UPDATE) are a PostgreSQL matter; SQLite serialises writers")

    def test_enrol(self, board_user, province, training_class):
        people = [new_candidate(board_user, province.home_establishment, citizen_id=None) for _ in range(2)]
        assert run_at_once(board_user, "/training-classes/enrol/", enrol_data(training_class, people)) == [200, 200]
        assert Enrollment.objects.filter(training_class=training_class).count() == 2

    def test_roster(self, board_user, province, past_class):
        person = enrolled(board_user, province, past_class)
        url = f"/training-classes/{past_class.pk}/roster/"
        assert run_at_once(board_user, url, roster_data(past_class)) == [302, 302]
        assert trained_once(person)

    def test_hand_over(self, board_user, province):
        old, new = CadreFactory(district=province.home), CadreFactory(district=province.home)
        AssignmentFactory(cadre=old, establishment=province.home_establishment)
        data = {"to_cadre": new.pk, "on": "2024-07-01"}
        assert run_at_once(board_user, f"/cadres/{old.pk}/hand-over/", data) == [302, 400]
        assert new.assignments.count() == 1

    def test_assignment(self, board_user, province):
        cadre = CadreFactory(district=province.home)
        data = assignment_form(cadre, province.home_establishment, "2020-01-01")
        assert run_at_once(board_user, "/cadres/assignments/new/", data) == [200, 302]
        assert Assignment.objects.count() == 1
