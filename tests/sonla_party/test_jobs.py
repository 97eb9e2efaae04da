"""Background jobs: imports checked and saved by a worker, large exports as files, retries."""

import datetime
import io
import re
import signal
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone, translation
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from candidates.models import Candidate
from sonla_party import imports, jobs, roles
from sonla_party.models import ImportBatch, Job
from tests.factories import EstablishmentFactory, make_user
from tests.sonla_party.test_imports import as_csv, as_xlsx, candidate_rows

pytestmark = pytest.mark.django_db
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    """Jobs wait in the database queue until a worker takes them (as in production)."""
    settings.TASKS = DB_BACKEND


def batch_worker(worker_id: str = "test-worker") -> Worker:
    """The database backend's worker as `db_worker --batch` makes it: it runs until the queue is empty."""
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_worker() -> None:
    """A batch worker in this process, until the queue is empty. Its check for stale connections is
    left out: it would close the test's transaction."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        batch_worker().run()


def upload(client, content: bytes, name="file.csv", kind="candidates"):
    response = client.post(
        "/imports/", {"kind": kind, "file": _file(name, content)}, headers={"accept-language": "en"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def village(province):
    return province.home_establishment


def test_an_upload_waits_in_the_queue_with_its_progress_then_the_worker_ends_it_on_the_preview(
    queue, board_client, village
):
    batch = upload(board_client, as_csv(candidate_rows(village, 3)))
    job = batch.jobs.get()
    assert batch.status == "checking" and job.status == "queued" and job.rows_total == 3
    assert DBTaskResult.objects.filter(pk=job.task_id, status="READY").exists()
    page = board_client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="job-progress"' in page and f'hx-get="/jobs/{job.pk}/progress/"' in page
    assert 'data-testid="confirm"' not in page  # nothing to confirm before the check

    run_worker()

    batch.refresh_from_db()
    job.refresh_from_db()
    assert batch.status == "previewed" and batch.summary["created"] == 3
    assert job.status == "done" and (job.rows_done, job.rows_total) == (3, 3)
    assert DBTaskResult.objects.get(pk=job.task_id).status == "SUCCESSFUL"
    page = board_client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="confirm"' in page and 'data-testid="job-progress"' not in page
    # htmx polling the progress is told to reload the page, which now shows the preview
    polled = board_client.get(f"/jobs/{job.pk}/progress/", headers={"hx-request": "true"})
    assert polled.status_code == 204 and polled["HX-Refresh"] == "true"

    assert board_client.post(f"/imports/{batch.pk}/confirm/").status_code == 302
    batch.refresh_from_db()
    assert batch.status == "importing" and not Candidate.objects.exists()
    run_worker()
    batch.refresh_from_db()
    assert batch.status == "imported" and Candidate.objects.count() == 3


def test_a_jobs_progress_is_shown_on_its_page_and_its_fragment(board_client, board_user, village):
    batch = ImportBatch.objects.create(user=board_user, kind="candidates", file_name="f.csv", content=b"x")
    job = Job.objects.create(owner=board_user, kind="import_preview", batch=batch, status="running")
    Job.objects.filter(pk=job.pk).update(rows_done=400, rows_total=1000)
    for url in (batch.get_absolute_url(), f"/jobs/{job.pk}/progress/"):
        page = board_client.get(url).content.decode()
        assert '<progress class="w-100" data-testid="job-progress" max="1000" value="400">' in page
        assert 'data-testid="rows-done">400<' in page and 'data-testid="rows-total">1000<' in page
        assert "(40 %)" in page


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_as_the_rows_advance(board_user, village, monkeypatch):
    """Outside a test's transaction, as in the worker: each chunk's progress is in the database."""
    batch = ImportBatch.objects.create(
        user=board_user, kind="candidates", file_name="f.csv", content=as_csv(candidate_rows(village, 2500))
    )
    job = Job.objects.create(owner=board_user, kind="import_preview", batch=batch, rows_total=2500)
    seen = []
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(jobs.Progress, "__call__", _spy(jobs.Progress.__call__, seen))
    ImportBatch.objects.filter(pk=batch.pk).update(status="checking")
    jobs.run_job(job_id=job.pk, attempt=1)
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]


def _spy(call, seen):
    def spied(self, done, total=None, **kwargs):
        call(self, done, total, **kwargs)
        seen.append(tuple(Job.objects.filter(pk=self.job.pk).values_list("rows_done", "rows_total").get()))

    return spied


def test_estimated_rows_of_a_file(village):
    assert jobs.estimate_rows(as_csv(candidate_rows(village, 7))) == 7
    assert jobs.estimate_rows(as_xlsx(candidate_rows(village, 7))) == 7


def test_a_failed_save_keeps_nothing_says_why_and_can_be_retried(queue, board_client, village, monkeypatch):
    batch = upload(board_client, as_csv(candidate_rows(village, 2500)))
    run_worker()
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.summary["created"] == 2500
    importer = imports.REGISTRY["candidates"]
    real = importer.process_chunk
    calls = []

    def breaks_on_the_third_chunk(user, rows, outcome, save, context):
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        real(user, rows, outcome, save, context)

    monkeypatch.setattr(importer, "process_chunk", breaks_on_the_third_chunk)
    board_client.post(f"/imports/{batch.pk}/confirm/")
    run_worker()
    job = batch.jobs.first()
    batch.refresh_from_db()
    assert calls == [1000, 1000, 500] and job.status == "failed"
    assert not Candidate.objects.exists()  # two chunks had been written: all undone
    assert batch.status == "previewed"
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"  # the queue records it too
    with translation.override(job.language):  # the language of the user who started it
        reason = translation.gettext(
            "The job stopped on an unexpected error; nothing was saved. Retry it or tell the board."
        )
    assert job.message == reason
    page = board_client.get(batch.get_absolute_url()).content.decode()
    assert reason in page and 'data-testid="retry"' in page

    monkeypatch.setattr(importer, "process_chunk", real)
    assert board_client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.attempt) == ("queued", 2)
    run_worker()
    batch.refresh_from_db()
    job.refresh_from_db()
    assert batch.status == "imported" and job.status == "done" and Candidate.objects.count() == 2500


def test_a_file_refused_by_its_check_says_why(queue, board_client, village):
    def formula(workbook, sheet):
        sheet["A3"] = "=1+1"

    batch = upload(board_client, as_xlsx(candidate_rows(village, 3), extra=formula), "file.xlsx")
    run_worker()
    batch.refresh_from_db()
    job = batch.jobs.get()
    assert batch.status == "refused" and job.status == "failed" and "formula" in job.message
    assert not jobs.can_retry(job)  # the file itself is wrong: upload a corrected one
    page = board_client.get(batch.get_absolute_url()).content.decode()
    assert 'data-testid="job-error"' in page and 'data-testid="retry"' not in page


def test_a_job_whose_worker_died_can_be_retried_and_the_batch_is_imported_once(queue, board_client, village):
    batch = upload(board_client, as_csv(candidate_rows(village, 3)))
    run_worker()
    board_client.post(f"/imports/{batch.pk}/confirm/")
    job = batch.jobs.first()
    # a worker claimed it, then was killed: the task and the job say "running" for ever
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    Job.objects.filter(pk=job.pk).update(status="running")
    job.refresh_from_db()
    assert not jobs.can_retry(job)  # it may still be working
    assert board_client.post(f"/jobs/{job.pk}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.attempt == 1 and not Candidate.objects.exists()

    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=31))
    job.refresh_from_db()
    assert jobs.can_retry(job)
    board_client.post(f"/jobs/{job.pk}/retry/")
    run_worker()
    jobs.run_job(job_id=job.pk, attempt=1)  # the old attempt, had it come back, does nothing
    batch.refresh_from_db()
    assert batch.status == "imported" and Candidate.objects.count() == 3
    assert board_client.post(f"/jobs/{job.pk}/retry/").status_code == 302  # done: refused
    assert Job.objects.get(pk=job.pk).attempt == 2


def test_a_job_whose_task_failed_outside_it_can_be_retried(queue, board_client, village):
    batch = upload(board_client, as_csv(candidate_rows(village, 3)))
    job = batch.jobs.get()
    DBTaskResult.objects.filter(pk=job.task_id).update(status="FAILED")  # e.g. the worker lost its database
    assert jobs.can_retry(job)
    board_client.post(f"/jobs/{job.pk}/retry/")
    run_worker()
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.summary["created"] == 3


def test_a_second_confirm_queues_nothing_and_a_second_save_saves_nothing(queue, board_client, board_user, village):
    batch = upload(board_client, as_csv(candidate_rows(village, 3)))
    run_worker()
    board_client.post(f"/imports/{batch.pk}/confirm/")
    board_client.post(f"/imports/{batch.pk}/confirm/")
    assert batch.jobs.filter(kind="import_confirm").count() == 1
    # two save jobs of one batch (only possible by hand): the batch's lock and status let one save
    second = Job.objects.create(owner=board_user, kind="import_confirm", batch=batch)
    run_worker()
    jobs.run_job(job_id=second.pk, attempt=1)
    second.refresh_from_db()
    assert Candidate.objects.count() == 3 and second.status == "done"
    with translation.override(second.language):
        assert second.message == translation.gettext("This file has already been imported.")


def test_jobs_and_their_files_are_their_owners_only(board_client, board_user, village):
    batch = upload(board_client, as_csv(candidate_rows(village, 3)))
    job = batch.jobs.get()
    export = Job.objects.create(owner=board_user, kind="export", status="done", file_name="a.csv")
    Job.objects.filter(pk=export.pk).update(file_content=b"x", finished_at=timezone.now())
    other = Client()
    other.force_login(make_user("board-2", roles.BOARD))
    for url in (
        batch.get_absolute_url(),
        f"/jobs/{job.pk}/",
        f"/jobs/{job.pk}/progress/",
        f"/jobs/{export.pk}/",
        f"/jobs/{export.pk}/file/",
    ):
        assert other.get(url).status_code == 404, url
        assert board_client.get(url).status_code in (200, 302), url
    assert other.post(f"/jobs/{job.pk}/retry/").status_code == 404


def _xlsx_rows(content: bytes) -> list[list]:
    """The sheet's table, header first (the lines above it left out: the header is above the frozen pane)."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header_row = sheet[sheet.freeze_panes].row - 1 if sheet.freeze_panes else 1
    return [list(row) for row in sheet.iter_rows(min_row=header_row, values_only=True)]


def _export_rows(content: bytes) -> list[str]:
    return content.decode("utf-8-sig").splitlines()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_a_large_export_runs_as_a_job_with_exactly_the_pages_rows(
    queue, settings, province, reviewer_client, export_format
):
    for n in range(5):
        EstablishmentFactory(commune=province.home_commune, name=f"Bản Hua {n}")
    EstablishmentFactory(commune=province.other_commune, name="Bản Hua ngoài")  # out of the reviewer's scope
    EstablishmentFactory(commune=province.home_commune, name="Bản Khác")  # not matched by the filter
    url = f"/establishments/?q=hua&sort=-name&_export={export_format}"
    direct = reviewer_client.get(url)
    assert direct.status_code == 200
    expected = b"".join(direct.streaming_content)

    settings.EXPORT_JOB_ROWS = 4
    response = reviewer_client.get(url)
    job = Job.objects.get(kind="export")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.rows_total == 5 and job.params["query"] == f"q=hua&sort=-name&_export={export_format}"
    page = reviewer_client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-progress"' in page and 'data-testid="job-file"' not in page
    run_worker()
    job.refresh_from_db()
    assert job.status == "done" and (job.rows_done, job.rows_total) == (5, 5)
    page = reviewer_client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-file"' in page
    file = reviewer_client.get(f"/jobs/{job.pk}/file/")
    assert file.status_code == 200 and job.file_name.endswith(f".{export_format}")
    assert file["Content-Disposition"] == direct["Content-Disposition"]
    if export_format == "csv":
        assert file.content == expected
        lines = _export_rows(file.content)
        assert len(lines) == 6 and "Bản Hua 4" in lines[1] and "ngoài" not in file.content.decode()
    else:
        assert _xlsx_rows(file.content) == _xlsx_rows(expected) and len(_xlsx_rows(expected)) == 6


def test_a_small_export_stays_in_the_request(province, board_client):
    response = board_client.get("/establishments/?_export=csv")
    assert response.status_code == 200 and not Job.objects.exists()


def test_an_export_file_is_kept_for_a_limited_time(settings, board_client, board_user):
    job = Job.objects.create(owner=board_user, kind="export", status="done", file_name="a.csv")
    Job.objects.filter(pk=job.pk).update(
        file_content=b"x", finished_at=timezone.now() - datetime.timedelta(hours=settings.JOB_FILE_HOURS, minutes=1)
    )
    assert board_client.get(f"/jobs/{job.pk}/file/").status_code == 404
    page = board_client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-file-gone"' in page
    call_command("cleanup_jobs", verbosity=0)
    assert Job.objects.get(pk=job.pk).file_content is None


@pytest.mark.django_db(transaction=True)
def test_the_db_worker_command_runs_a_queued_import(queue, reference_structure, board_client, province):
    """`manage.py db_worker --batch` itself, on committed data."""
    batch = upload(board_client, as_csv(candidate_rows(province.home_establishment, 3)))
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.summary["created"] == 3
    assert re.fullmatch(r"[0-9a-f-]{36}", batch.jobs.get().task_id)


@override_settings(EXPORT_JOB_ROWS=1)
def test_job_pages_have_no_inline_script_or_style(board_client, board_user):
    job = Job.objects.create(owner=board_user, kind="export", status="running", rows_total=10)
    page = board_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "style=" not in page.split("<body", 1)[1] and "<script>" not in page
