"""Twice is once: a double click, two tabs, or two requests at once, repeat nothing."""

import threading

import pytest
from django.db import connection
from django.test import Client

from candidates.models import Candidate, SourceListEntry
from reports.models import FinalisedReport
from sonla_party.models import ImportBatch
from tests.sonla_party.test_imports import as_csv, candidate_rows, confirm, preview


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

    imported = [p for p in pages if "300 created" in p or "thêm mới 300" in p]
    refused = [p for p in pages if "already been imported" in p or "đã được nhập" in p]
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
