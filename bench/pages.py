"""Page benchmark: SQL queries and server time of every list, detail, dashboard, queue and report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/pages.py [--runs 15] [--load]

With --load it first loads the province-scale demo data (`load_demo --reset --scale province`).
Each page is requested through Django's test client as the `board` user (whole province):
first page, filtered, sorted and a late page of every list; one of each detail page; the
dashboard, the work queue and the quarterly report; and the Django admin change list of the same
model as a yardstick. It prints one table: queries, median and 95th percentile of the time.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")
# Production settings (DEBUG off: no debug toolbar of queries, compiled templates, manifest static
# files), on plain HTTP on loopback.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BEHIND_TLS_PROXY", "0")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candidates.models import Candidate, SourceList, TrainingClass  # noqa: E402
from establishments.models import Assignment, Cadre, District, Establishment, PartyCell, PartyMember  # noqa: E402
from sonla_party.models import User  # noqa: E402


def pages() -> list[tuple[str, str, str | None]]:
    """(label, url, admin yardstick url)."""
    district = District.objects.get(code="119")
    member = PartyMember.objects.order_by("pk")[PartyMember.objects.count() // 2]
    candidate = Candidate.objects.filter(stage="dossier").order_by("pk").first()
    lists = [
        (
            "establishments",
            "/establishments/",
            "/admin/establishments/establishment/",
            "has_party_cell=false&as_of=2015-12-31",
            "-name",
        ),
        (
            "party cells",
            "/party-cells/",
            "/admin/establishments/partycell/",
            "founding_method=recruited",
            "-founded_on",
        ),
        ("members", "/members/", "/admin/establishments/partymember/", "status=official&q=lo van", "-admitted_on"),
        ("candidates", "/candidates/", "/admin/candidates/candidate/", "stage=dossier", "-birth_date"),
        (
            "training classes",
            "/training-classes/",
            "/admin/candidates/trainingclass/",
            "status=finished",
            "-starts_on",
        ),
        ("cadres", "/cadres/", "/admin/establishments/cadre/", "force=border_guard", "full_name"),
        (
            "assignments",
            "/cadres/assignments/",
            "/admin/establishments/assignment/",
            "open_on=2012-01-01",
            "-starts_on",
        ),
        ("source lists", "/candidates/source-lists/", "/admin/candidates/sourcelist/", "year=2012", "-year"),
    ]
    models = {
        "establishments": Establishment,
        "party cells": PartyCell,
        "members": PartyMember,
        "candidates": Candidate,
        "training classes": TrainingClass,
        "cadres": Cadre,
        "assignments": Assignment,
        "source lists": SourceList,
    }
    result = []
    for label, url, admin, filtered, sort in lists:
        # A late page: page 40, or four fifths of the way for a shorter list; the admin's page
        # (100 rows a page, numbered from 0) that holds the same rows.
        page = max(1, min(40, int(models[label].objects.count() * 0.8) // settings.LIST_PAGE_SIZE))
        admin_page = (page - 1) * settings.LIST_PAGE_SIZE // 100
        result += [
            (f"{label}: first page", url, admin),
            (f"{label}: filtered", f"{url}?district={district.pk}&{filtered}", None),
            (f"{label}: sorted", f"{url}?sort={sort}", None),
            (f"{label}: late page", f"{url}?page={page}", f"{admin}?p={admin_page}"),
        ]
    result += [
        ("detail: establishment", f"/establishments/{Establishment.objects.order_by('pk')[1500].pk}/", None),
        ("detail: party cell", f"/party-cells/{PartyCell.objects.order_by('pk')[1500].pk}/", None),
        ("detail: member", f"/members/{member.pk}/", None),
        ("detail: candidate", f"/candidates/{candidate.pk}/", None),
        ("detail: training class", f"/training-classes/{TrainingClass.objects.order_by('-pk').first().pk}/", None),
        ("detail: cadre", f"/cadres/{Cadre.objects.order_by('pk').first().pk}/", None),
        ("detail: assignment", f"/cadres/assignments/{Assignment.objects.order_by('pk').first().pk}/", None),
        ("detail: source list", f"/candidates/source-lists/{SourceList.objects.order_by('pk').first().pk}/", None),
        ("dashboard", "/", None),
        ("work queue", "/candidates/queue/", None),
        ("quarterly report", "/reports/quarterly/?year=2024&quarter=3", None),
        ("quarterly report after the reform", "/reports/quarterly/?year=2025&quarter=3", None),
        ("quarterly report 2020 on today's map", "/reports/quarterly/?year=2020&quarter=2&map=today", None),
        ("dashboard on 30/06/2025", "/?as_of=2025-06-30", None),
        ("dashboard 2020 on today's map", "/?as_of=2020-01-01&map=today", None),
        ("units of 30/06/2025", "/units/?as_of=2025-06-30&level=commune", None),
        ("party organisations of 01/09/2024", "/party-organisations/?as_of=2024-09-01", None),
        ("members of 01/09/2024", "/members/?as_of=2024-09-01", None),
    ]
    return result


def timed(client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(context.captured_queries), response.status_code


def summary(samples: list[tuple[float, int, int]]) -> tuple[int, float, float, int]:
    times = sorted(sample[0] for sample in samples)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    _elapsed, queries, status = samples[-1]
    return queries, statistics.median(times), p95, status


def measure(client, urls: list[str], runs: int) -> list[tuple[int, float, float, int]]:
    """Queries, median, 95th percentile and status of each URL. The URLs take turns, run after run,
    so that a page and its yardstick see the same machine (other load, CPU frequency)."""
    for url in urls:
        client.get(url)  # warm the caches, as a working server would be
    samples = {url: [] for url in urls}
    for _ in range(runs):
        for url in urls:
            samples[url].append(timed(client, url))
    return [summary(samples[url]) for url in urls]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--load", action="store_true", help="load the province-scale demo data first")
    parser.add_argument("--only", default="", help="only the pages whose label starts with this (e.g. 'members')")
    args = parser.parse_args()
    if args.load:
        started = time.perf_counter()
        call_command("load_demo", reset=True, scale="province", force=True)
        print(f"load_demo --scale province: {time.perf_counter() - started:.0f} s")
    # SESSION_COOKIE_SECURE is on with DEBUG off: the test client sends cookies over HTTP anyway.
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client(HTTP_HOST="127.0.0.1")
    user = User.objects.get(username="board")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    print(
        f"database: {connection.vendor}; {PartyMember.objects.count()} members, "
        f"{Candidate.objects.count()} candidates, {Establishment.objects.count()} establishments; runs: {args.runs}"
    )
    print(
        f"{'page':<36} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8}   {'admin q':>7} {'admin ms':>8}"
    )
    for label, url, admin in pages():
        if not label.startswith(args.only):
            continue
        if admin:
            (queries, median, p95, status), (admin_queries, admin_median, _p95, admin_status) = measure(
                client, [url, admin], args.runs
            )
            yardstick = f"{admin_queries:>7} {admin_median:>8.0f}"
            if admin_status != 200:
                yardstick += f" (HTTP {admin_status})"
        else:
            ((queries, median, p95, status),) = measure(client, [url], args.runs)
            yardstick = ""
        print(f"{label:<36} {status:>6} {queries:>7} {median:>10.0f} {p95:>8.0f}   {yardstick}")


if __name__ == "__main__":
    main()
