"""Background jobs: an import's check and save, the exports too large to wait for, long PDFs.

A `Job` is queued through Django's Tasks API (`django_tasks`, the backport of `django.tasks`) on
the database backend: `manage.py db_worker` claims a task with SELECT … FOR UPDATE SKIP LOCKED,
so two workers never take the same one. Each job carries an `attempt` number: a retry makes a new
attempt, and an older one still running (a worker thought dead) can no longer claim or finish
the job. A job's progress is written as its rows advance, on a second connection when its work
runs inside a transaction (an import's save is all or none), so the page sees it before the end.
"""

import datetime
import io
import logging
import re
import time
import zipfile
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpResponseRedirect, QueryDict
from django.test import RequestFactory
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import imports
from .choices import ImportStatus, JobKind, JobStatus
from .exceptions import RuleViolation
from .models import ImportBatch, Job

logger = logging.getLogger(__name__)

SHOWN_ERRORS = 1000  # the preview page lists this many bad rows; the download has them all
PROGRESS_EVERY = 0.5  # seconds between two writes of a job's progress


def outcome_summary(outcome: imports.Outcome) -> dict:
    """What the batch page shows of an import's outcome (kept in `ImportBatch.summary`)."""
    return {
        **outcome.summary(),
        "error_rows": [vars(error) for error in outcome.errors[:SHOWN_ERRORS]],
        "duplicate_rows": outcome.duplicates[:SHOWN_ERRORS],
        "samples": outcome.samples,
    }


# --- Starting, retrying ---------------------------------------------------------------------


def _enqueue(job: Job) -> None:
    """Queue the job's current attempt. Called inside the transaction that creates or resets the
    job: with the database backend the task row is committed with it (a worker never sees a task
    whose job is not there yet)."""
    from .tasks import run_job

    result = run_job.enqueue(job.pk, job.attempt)
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]


@transaction.atomic
def start_job(
    *, kind: str, by, batch: ImportBatch | None = None, params: dict | None = None, rows_total=None, content=None
) -> Job:
    """Create a job owned by `by` and queue it. `content`: what the job works on (a document's
    HTML), kept in its file until the job replaces it with the file it makes."""
    job = Job.objects.create(
        owner=by,
        kind=kind,
        batch=batch,
        params=params or {},
        rows_total=rows_total,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_content=content,
    )
    _enqueue(job)
    return job


def task_failed(job: Job) -> bool:
    """Whether the queue says the job's latest attempt ended in an error (or has lost its task)."""
    from django_tasks_db.models import DBTaskResult

    if not job.task_id:
        return False
    status = DBTaskResult.objects.filter(pk=job.task_id).values_list("status", flat=True).first()
    return status is None or status == "FAILED"


def can_retry(job: Job) -> bool:
    """A failed job can be run again; so can one whose worker went silent (killed, say): running
    or waiting with no progress for JOB_TIMEOUT_MINUTES, or whose task the queue says failed."""
    if job.status == JobStatus.DONE:
        return False
    if job.status == JobStatus.FAILED:
        return not (job.batch_id and job.batch.status in (ImportStatus.IMPORTED, ImportStatus.REFUSED))
    stale = timezone.now() - job.updated_at > datetime.timedelta(minutes=settings.JOB_TIMEOUT_MINUTES)
    return (job.status == JobStatus.RUNNING and stale) or task_failed(job)


@transaction.atomic
def retry_job(*, job: Job, by) -> Job:
    """Queue a new attempt of `job` (its owner's). Raises RuleViolation when it cannot be retried
    (done, or still running and not silent). An import's batch goes back to the step it retries."""
    job = Job.objects.select_for_update().get(pk=job.pk, owner=by)
    if not can_retry(job):
        raise RuleViolation(_("This job is not stuck and has not failed: it cannot be retried."))
    if job.batch_id:
        batch = ImportBatch.objects.select_for_update().get(pk=job.batch_id)
        if batch.status == ImportStatus.IMPORTED:
            raise RuleViolation(_("This file has already been imported."))
        status = ImportStatus.CHECKING if job.kind == JobKind.IMPORT_PREVIEW else ImportStatus.IMPORTING
        ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    job.attempt += 1
    job.status, job.rows_done, job.message, job.started_at, job.finished_at = JobStatus.QUEUED, 0, "", None, None
    job.save(update_fields=["attempt", "status", "rows_done", "message", "started_at", "finished_at", "updated_at"])
    _enqueue(job)
    return job


def start_import_check(*, batch: ImportBatch, by) -> Job:
    return start_job(kind=JobKind.IMPORT_PREVIEW, by=by, batch=batch, rows_total=estimate_rows(bytes(batch.content)))


@transaction.atomic
def start_import_save(*, batch: ImportBatch, by) -> Job:
    """Queue the save of a previewed batch. The batch row is locked and moved to "being imported",
    so a second confirm (a double click, two tabs) finds it taken and queues nothing.
    Raises RuleViolation when the batch is not waiting for its confirmation."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk, user=by)
    if batch.status != ImportStatus.PREVIEWED:
        raise RuleViolation(_("This file has already been imported."))
    batch.status = ImportStatus.IMPORTING
    batch.save(update_fields=["status"])
    return start_job(kind=JobKind.IMPORT_CONFIRM, by=by, batch=batch, rows_total=batch.summary.get("rows"))


def estimate_rows(content: bytes) -> int | None:
    """About how many data rows a file holds, cheaply (for the progress bar of a check): the CSV's
    lines, or the largest sheet dimension of the workbook."""
    if not content.startswith(imports.XLSX_MAGIC):
        return max(content.count(b"\n") - (0 if content.endswith(b"\n") else -1) - 1, 0)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            rows = []
            for name in archive.namelist():
                if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                    head = archive.open(name).read(4096)
                    found = re.search(rb'<dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
                    if found:
                        rows.append(int(found.group(1)) - 1)
    except (zipfile.BadZipFile, OSError):
        return None
    return max(rows) if rows else None


# --- Running --------------------------------------------------------------------------------


class Progress:
    """Callable (rows done, rows in all or None) writing a job's progress, at most every
    PROGRESS_EVERY seconds. Inside a transaction the write goes through a connection of its own
    (PostgreSQL), so other requests see it before the commit; SQLite allows one writer at a
    time, so there the progress of a transaction's work is written at its end only."""

    def __init__(self, job: Job):
        self.job = job
        self.total = job.rows_total
        self.last = 0.0
        self.side = None
        self.done = 0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY and not force:
            return
        self.last = now
        total = max(self.total, done) if self.total is not None else None
        db = connection
        if connection.in_atomic_block:
            if connection.vendor != "postgresql":
                return
            if self.side is None:
                self.side = connections.create_connection(DEFAULT_DB_ALIAS)
            db = self.side
        with db.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Job._meta.db_table} SET rows_done = %s, rows_total = %s, updated_at = %s "
                "WHERE id = %s AND attempt = %s",
                [done, total, timezone.now(), self.job.pk, self.job.attempt],
            )

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def counted(rows: Iterable, progress, every: int = 1000) -> Iterator:
    """`rows` as they come (header first), telling `progress` how many data rows have passed."""
    done = 0
    for index, row in enumerate(rows):
        if index:
            done = index
            if done % every == 0:
                progress(done)
        yield row
    progress(done, force=True)


def _finish(job: Job, **fields) -> None:
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=JobStatus.DONE, finished_at=timezone.now(), updated_at=timezone.now(), **fields
    )


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk, attempt=job.attempt).update(
        status=JobStatus.FAILED, finished_at=timezone.now(), updated_at=timezone.now(), message=message
    )


def run_job(*, job_id: int, attempt: int) -> None:
    """Run an attempt of a job (the task's body). An attempt that is no longer the job's latest,
    or that another worker took already, does nothing. A failure is recorded with a reason its
    owner can read (nothing of an import is saved: its save is one transaction), then re-raised
    so that the queue records it too."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, updated_at=now, rows_done=0, message=""
    )
    if not claimed:
        logger.info("Job %s attempt %s is not waiting: skipped", job_id, attempt)
        return
    housekeeping()
    job = Job.objects.select_related("owner", "batch").get(pk=job_id)
    progress = Progress(job)
    try:
        with translation.override(job.language):
            try:
                RUNNERS[job.kind](job, progress)
            except RuleViolation as error:  # ImportFileError too: the file or a rule says why
                _after_failure(job)
                _fail(job, error.message)
            except Exception:
                _after_failure(job)
                _fail(job, _("The job stopped on an unexpected error; nothing was saved. Retry it or tell the board."))
                raise
    finally:
        progress.close()


def _after_failure(job: Job) -> None:
    """A failed save leaves its batch previewed again (nothing was saved), ready to be confirmed."""
    if job.kind == JobKind.IMPORT_CONFIRM:
        ImportBatch.objects.filter(pk=job.batch_id, status=ImportStatus.IMPORTING).update(
            status=ImportStatus.PREVIEWED
        )


def _run_import_check(job: Job, progress: Progress) -> None:
    batch = job.batch
    try:
        outcome = imports.run_batch(batch, user=job.owner, save=False, progress=progress)
    except imports.ImportFileError:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.REFUSED)
        raise
    ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKING).update(
        status=ImportStatus.PREVIEWED, summary=outcome_summary(outcome)
    )
    _finish(job, rows_done=outcome.rows, rows_total=outcome.rows)


def _run_import_save(job: Job, progress: Progress) -> None:
    """Saves every row or none. The batch row is locked while its rows are saved and its status
    set: a second attempt (two workers, a retry of a job thought dead) waits for the first, then
    finds the batch imported and saves nothing."""
    importer = imports.REGISTRY[job.batch.kind]
    if not all(job.owner.has_perm(p) for p in importer.permissions):
        raise RuleViolation(_("You may no longer run this kind of import."))
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=job.batch_id)
        if batch.status != ImportStatus.IMPORTING:
            _finish(job, message=_("This file has already been imported."))
            return
        outcome = imports.run_batch(batch, user=job.owner, save=True, progress=progress)
        batch.summary = outcome_summary(outcome)
        if outcome.errors:
            batch.status = ImportStatus.PREVIEWED
            message = _("Nothing was saved: some rows are wrong (see below).")
        else:
            batch.status, batch.imported_at = ImportStatus.IMPORTED, timezone.now()
            message = (
                _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.") % outcome.summary()
            )
        batch.save(update_fields=["summary", "status", "imported_at"])
    _finish(job, rows_done=outcome.rows, rows_total=outcome.rows, message=message)


# --- Exports --------------------------------------------------------------------------------


def export_job_or_none(view, export_format: str):
    """For a list view's export: when its rows exceed EXPORT_JOB_ROWS, queue a job that exports
    them (the same path and GET parameters: the same filters, scope and sort) and answer with a
    redirect to its page; else None (the export runs in the request)."""
    request = view.request
    if getattr(request, "export_progress", None) is not None:  # the job itself
        return None
    total = view.export_count
    if total <= settings.EXPORT_JOB_ROWS:
        return None
    job = start_job(
        kind=JobKind.EXPORT,
        by=request.user,
        rows_total=total,
        params={
            "path": request.path,
            "query": request.GET.urlencode(),
            "format": export_format,
            "title": str(view.title),
        },
    )
    return HttpResponseRedirect(job.get_absolute_url())


def _view_as_owner(job: Job, **marks):
    """The answer of the page at the job's stored path and GET parameters, requested by its owner
    (their scope, their rights); `marks` tell the view it runs in a job (`export_progress`, ...)."""
    request = RequestFactory().get(job.params["path"], QueryDict(job.params.get("query", "")))
    request.user = job.owner
    for name, value in marks.items():
        setattr(request, name, value)
    match = resolve(job.params["path"])
    return match.func(request, *match.args, **match.kwargs)


def _run_export(job: Job, progress: Progress) -> None:
    """Runs the list view again as its owner, with the stored path and GET parameters, and keeps
    the file it answers."""
    response = _view_as_owner(job, export_progress=progress)
    if response.status_code != 200:
        raise RuleViolation(_("The list could not be exported: check its filters and export again."))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if (file := getattr(response, "file_to_stream", None)) is not None:
        file.close()  # not response.close(): its request_finished signal would close the worker's connection
    found = re.search(r'filename="?([^";]+)"?', response.get("Content-Disposition", ""))
    file_name = found.group(1) if found else f"export.{job.params['format']}"
    _finish(job, file_name=file_name[:255], file_content=content, rows_done=progress.done, rows_total=progress.done)


# --- Documents ------------------------------------------------------------------------------


def _run_document(job: Job, progress: Progress) -> None:
    """Lays out a long PDF document. Its HTML was rendered by its owner's request (their scope and
    masking, the access log written there) and waits in the job's file, which the PDF replaces;
    the PDF is kept under its keys too (`pdf.keep_pdf`): the same document asked again is sent at
    once (`pdf.prerender_html`: made ahead of the first request, the job keeps no file). A job with
    a `path` instead makes that document's PDF ahead of its first request as its owner sees it (a
    quarter just finalised): the view runs as its owner and lays out in place."""
    from . import pdf

    if "path" in job.params:
        _prerender_document(job)
        return
    if job.file_content is None:  # retried after its HTML was dropped with the old jobs' files
        raise RuleViolation(_("The PDF is no longer kept here: open the document again."))
    html = bytes(job.file_content).decode()
    try:
        content = pdf.lay_out(html)
    except pdf.PdfUnavailable as error:
        message = _("PDF documents cannot be made on this server: %(reason)s") % {"reason": error}
        raise RuleViolation(message) from error
    except Exception as error:  # the engine's own failure: its owner reads why, the log has the trace
        logger.exception("Document job %s failed", job.pk)
        raise RuleViolation(_("The PDF could not be made: %(error)s") % {"error": error}) from error
    for key in job.params.get("keys", []):
        pdf.keep_pdf(key, content)
    if job.params.get("keep_file", True):
        _finish(job, file_name=job.params["file_name"][:255], file_content=content)
    else:  # made ahead of its requests: theirs is the kept PDF, the job keeps nothing
        _finish(job, file_content=None)


def _prerender_document(job: Job) -> None:
    response = _view_as_owner(job, document_job=job)
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        message = _("The document could not be made (answer %(status)s).") % {"status": response.status_code}
        raise RuleViolation(message)
    _finish(job, file_name=job.params["file_name"][:255], file_content=response.content)


RUNNERS = {
    JobKind.IMPORT_PREVIEW: _run_import_check,
    JobKind.IMPORT_CONFIRM: _run_import_save,
    JobKind.EXPORT: _run_export,
    JobKind.DOCUMENT: _run_document,
}


def file_expired(job: Job) -> bool:
    return job.finished_at is None or timezone.now() - job.finished_at > datetime.timedelta(
        hours=settings.JOB_FILE_HOURS
    )


def cleanup_job_files() -> int:
    """Drop the files of the jobs finished more than JOB_FILE_HOURS ago; the number dropped."""
    limit = timezone.now() - datetime.timedelta(hours=settings.JOB_FILE_HOURS)
    return Job.objects.filter(finished_at__lt=limit, file_content__isnull=False).update(file_content=None)


def prune_task_results() -> int:
    """Delete the queue's own records (django-tasks' results) of tasks finished more than
    JOB_RESULT_DAYS ago; the number deleted. The jobs themselves (who ran what, and how it ended)
    stay: only the queue's working rows go."""
    from django_tasks_db.models import DBTaskResult

    limit = timezone.now() - datetime.timedelta(days=settings.JOB_RESULT_DAYS)
    return DBTaskResult.objects.finished().filter(finished_at__lt=limit).delete()[0]


def housekeeping() -> tuple[int, int]:
    """What each job does before its work, so that no cron is needed (`cleanup_jobs` does the same
    by hand): drop expired files, prune the queue's old results. (files dropped, results pruned)"""
    return cleanup_job_files(), prune_task_results()
