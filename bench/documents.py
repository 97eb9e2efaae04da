"""Document benchmark: server time of every PDF document, at province scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/documents.py [--runs 10] [--load]
        [--png docs/documents]

With --load it first loads the province-scale demo data (`load_demo --reset --scale province`).
Each document is requested through Django's test client as the `board` user (whole province):
the candidate's papers for a demo candidate who went through every step (recognised official),
the largest training class's list, the certificates of the last finished quarter's last month,
and the quarterly report of that quarter. `--year-certificates` adds the certificates of a year.
WeasyPrint is loaded first, as the server process does when it starts (`wsgi.py`).

A long document (more than DOCUMENT_JOB_CELLS table cells) not already kept is answered with a
redirect to a job's page: the bench then runs the job here, timed on its own (a worker's time,
not the request's), and fetches its PDF. One table: SQL queries, pages, the first request's wall
and CPU time, the median, slowest and median CPU of the next runs, and the job's layout (wall,
CPU; median of the jobs run). Target: every request < 1 s. A PDF, once made, is kept under the
hash of its HTML (`sonla_party.pdf`): the bench empties that store first, so the first request of
each document lays it out (or queues its job) and the next runs are sent from the store (the same
HTML: the same document); `--no-cache` empties the store before every run (the engine's own time,
through a job each time for the long ones). CPU is the process's (time.process_time), less
sensitive than wall-clock time to other work on the machine.
With --png DIR it also writes the first page of each document as DIR/<name>.png (pdftoppm).
"""

import argparse
import datetime
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BEHIND_TLS_PROXY", "0")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from candidates.choices import PIPELINE, Stage  # noqa: E402
from candidates.documents import CANDIDATE_DOCUMENTS  # noqa: E402
from candidates.models import Candidate, TrainingClass  # noqa: E402
from sonla_party import jobs, pdf  # noqa: E402
from sonla_party.models import Job, RenderedDocument, User  # noqa: E402

RECORDED = set(PIPELINE[PIPELINE.index(Stage.CELL_RESOLUTION) :])


def full_candidate() -> Candidate:
    """A candidate recognised official whose file holds every step from the cell's resolution on."""
    for candidate in Candidate.objects.filter(stage=Stage.OFFICIAL).order_by("-stage_since", "pk")[:500]:
        if RECORDED.issubset(candidate.events.values_list("stage", flat=True)):
            return candidate
    raise SystemExit("No candidate went through every step: load the demo data (--load).")


def documents() -> list[tuple[str, str]]:
    """(name, url) of every document."""
    candidate = full_candidate()
    found = [
        (document.slug, reverse("candidates:candidate_document", args=[candidate.pk, document.slug]))
        for document in CANDIDATE_DOCUMENTS
    ]
    largest = TrainingClass.objects.annotate(n=Count("enrollments")).order_by("-n", "pk").first()
    today = timezone.localdate()
    last_quarter_end = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - datetime.timedelta(days=1)
    month = last_quarter_end.replace(day=1)  # the certificates of the last full month of a quarter
    found += [
        ("class-list", reverse("candidates:class_list_document", args=[largest.pk])),
        ("certificates", f"{reverse('candidates:certificates_document')}?start={month}&end={last_quarter_end}"),
        (
            "quarterly-report",
            f"{reverse('reports:quarterly_document')}?year={last_quarter_end.year}"
            f"&quarter={(last_quarter_end.month - 1) // 3 + 1}",
        ),
    ]
    return found


def timed(client, url: str) -> tuple[float, float, int, HttpResponse]:
    """(wall ms, CPU ms, SQL queries, response) of one request."""
    with CaptureQueriesContext(connection) as context:
        started, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        elapsed, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
    return elapsed, cpu, len(context.captured_queries), response


def requested(client, url: str) -> tuple[float, float, int, bytes, tuple[float, float] | None]:
    """(request wall ms, CPU ms, queries, PDF, (job wall ms, CPU ms) or None) of a document: a long
    one not kept is answered with a redirect to its job's page; the job is run here, timed on its
    own (a worker's time, not the request's), and its PDF fetched from the job's file."""
    elapsed, cpu, queries, response = timed(client, url)
    job = None
    if response.status_code == 302 and response["Location"].startswith("/jobs/"):
        pk = int(response["Location"].strip("/").split("/")[1])
        started, job_cpu = time.perf_counter(), time.process_time()
        jobs.run_job(job_id=pk, attempt=1)
        job = ((time.perf_counter() - started) * 1000, (time.process_time() - job_cpu) * 1000)
        DBTaskResult.objects.filter(pk=Job.objects.get(pk=pk).task_id).delete()  # run here: not for a worker
        response = client.get(reverse("jobs:job_file", args=[pk]))
    if response.status_code != 200 or response["Content-Type"] != "application/pdf":
        raise SystemExit(f"{url}: {response.status_code} {response.content[:200]!r}")
    return elapsed, cpu, queries, response.content, job


def pages(content: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--load", action="store_true", help="load the province-scale demo data first")
    parser.add_argument("--png", default="", help="write the first page of each document as PNG in this folder")
    parser.add_argument("--year-certificates", type=int, default=0, help="also a whole year's certificates list")
    parser.add_argument("--no-cache", action="store_true", help="lay every run out again (no kept PDFs)")
    args = parser.parse_args()
    if args.load:
        call_command("load_demo", reset=True, scale="province", force=True)
    RenderedDocument.objects.all().delete()
    if args.no_cache:
        pdf.CACHE_MIN_SECONDS = float("inf")
    pdf.warm_up()  # as the server process does when it starts (wsgi.py)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="board"))
    rows = []
    urls = documents()
    if args.year_certificates:
        year = args.year_certificates
        urls.append(
            ("certificates-year", f"{reverse('candidates:certificates_document')}?start={year}-01-01&end={year}-12-31")
        )
    for name, url in urls:
        first = requested(client, url)  # the first PDF also loads WeasyPrint and the fonts
        samples = []
        for _ in range(args.runs):
            if args.no_cache:
                RenderedDocument.objects.all().delete()
            samples.append(requested(client, url))
        times = [sample[0] for sample in samples]
        cpu = statistics.median(sample[1] for sample in samples)
        job_runs = [sample[4] for sample in [first, *samples] if sample[4] is not None]
        job = (
            (statistics.median(j[0] for j in job_runs), statistics.median(j[1] for j in job_runs))
            if job_runs
            else None
        )
        rows.append(
            (name, samples[-1][2], pages(first[3]), first[0], first[1], statistics.median(times), max(times), cpu, job)
        )
        print(name, f"{statistics.median(times):.0f} ms", file=sys.stderr, flush=True)
        if args.png:
            folder = Path(args.png)
            folder.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", "-", str(folder / name)],
                input=first[3],
                check=True,
            )
    columns = (
        ("queries", 7),
        ("pages", 5),
        ("first ms", 8),
        ("CPU", 5),
        ("next ms", 7),
        ("max", 5),
        ("CPU", 5),
        ("job ms", 6),
        ("CPU", 5),
    )
    print(f"{'document':<18}" + "".join(f" {label:>{width}}" for label, width in columns))
    for name, queries, page_count, first_ms, first_cpu, median, slowest, cpu, job in rows:
        flag = "" if max(first_ms, slowest) < 1000 else "  request > 1 s"
        job_figures = f"{job[0]:>6.0f} {job[1]:>5.0f}" if job else f"{'—':>6} {'—':>5}"
        figures = f"{queries:>7} {page_count:>5} {first_ms:>8.0f} {first_cpu:>5.0f} {median:>7.0f} {slowest:>5.0f}"
        print(f"{name:<18} {figures} {cpu:>5.0f} {job_figures}{flag}")


if __name__ == "__main__":
    main()
