"""Two workers at once on one queue (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED)."""

import threading
import time

import pytest
from django.db import connection, connections

from candidates.models import Candidate
from sonla_party import jobs
from sonla_party.models import ImportBatch, Job
from tests.sonla_party.test_imports import as_csv, candidate_rows
from tests.sonla_party.test_jobs import batch_worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no SELECT … FOR UPDATE SKIP LOCKED: its workers take turns on one database lock",
    ),
]


def _worker(name: str, barrier: threading.Barrier, errors: list) -> None:
    try:
        barrier.wait()
        batch_worker(name).run()
    except BaseException as error:
        errors.append(error)
    finally:
        connections.close_all()


def _two_workers() -> list:
    barrier, errors = threading.Barrier(2), []
    threads = [threading.Thread(target=_worker, args=(f"worker-{n}", barrier, errors)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return errors


def test_two_workers_do_not_take_one_job_twice(settings, reference_structure, board_user, province, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = ImportBatch.objects.create(
        user=board_user,
        kind="candidates",
        file_name="f.csv",
        content=as_csv(candidate_rows(province.home_establishment, 3)),
        status="checking",
    )
    job = jobs.start_import_check(batch=batch, by=board_user)
    runs, real = [], jobs.run_job

    def slow_run(**kwargs):
        runs.append(threading.current_thread().name)
        time.sleep(0.5)  # the other worker polls meanwhile, and must skip the locked / claimed task
        real(**kwargs)

    monkeypatch.setattr(jobs, "run_job", slow_run)
    _two_workers()
    assert len(runs) == 1
    batch.refresh_from_db()
    assert batch.status == "previewed" and Job.objects.get(pk=job.pk).status == "done"


def test_two_workers_on_two_saves_of_one_batch_import_it_once(settings, reference_structure, board_user, province):
    """Even two save jobs of one batch (which the pages never queue) save its rows once: the batch
    row is locked by the first and found imported by the second."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    batch = ImportBatch.objects.create(
        user=board_user,
        kind="candidates",
        file_name="f.csv",
        content=as_csv(candidate_rows(province.home_establishment, 1500)),
        status="checking",
    )
    jobs.start_import_check(batch=batch, by=board_user)
    _two_workers()
    batch.refresh_from_db()
    assert batch.status == "previewed"
    jobs.start_import_save(batch=batch, by=board_user)
    jobs.start_job(kind="import_confirm", by=board_user, batch=batch)
    _two_workers()
    assert Candidate.objects.count() == 1500
    saves = Job.objects.filter(kind="import_confirm")
    assert sorted(saves.values_list("status", flat=True)) == ["done", "done"]
    assert sorted(saves.values_list("rows_done", flat=True)) == [0, 1500]  # the second found it imported
