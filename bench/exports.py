"""Export benchmark: rows a second of the list exports, as the `board` user, at province scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/exports.py [--baseline]

Each export runs through the list view itself (the page's filters, scope and sort), called with a
request object: nothing is written to the database (no session, no last login), so the bench may
run on a database others read. The whole response is consumed (the CSV stream, the XLSX file).
`--baseline` exports the way it was done before (issue 17): rows through the table's own
`as_values()` (a model instance and rendered cells per row), workbooks through openpyxl's cells.
`--memory` also reports the peak of Python allocations (tracemalloc: slower, for the ratio only).
"""

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BEHIND_TLS_PROXY", "0")
# the export itself, in the request: above this many rows the page hands it to a job, which writes
# the same rows the same way (the bench would measure a redirect)
os.environ.setdefault("EXPORT_JOB_ROWS", str(10**9))

import django

django.setup()

from django.test import RequestFactory  # noqa: E402
from django.utils import translation  # noqa: E402

from candidates.views import CandidateListView  # noqa: E402
from establishments.models import District  # noqa: E402
from establishments.views import PartyMemberListView  # noqa: E402
from sonla_party import exports, views  # noqa: E402
from sonla_party.models import User  # noqa: E402
from sonla_party.tables import export_rows  # noqa: E402


def cases() -> list[tuple[str, type, str]]:
    district = District.objects.get(code="119")  # Thuận Châu, the largest district
    return [
        ("all members, CSV", PartyMemberListView, "_export=csv"),
        ("all members, XLSX", PartyMemberListView, "_export=xlsx"),
        (f"members of {district.name}, CSV", PartyMemberListView, f"district={district.pk}&_export=csv"),
        (f"members of {district.name}, XLSX", PartyMemberListView, f"district={district.pk}&_export=xlsx"),
        ("all candidates, CSV", CandidateListView, "_export=csv"),
        ("all candidates, XLSX", CandidateListView, "_export=xlsx"),
    ]


def run(view_class, query: str, user) -> tuple[int, float, int]:
    """(rows, seconds, bytes) of one export, the response read to its end."""
    counted = {"rows": -1}  # the header is not a row

    def counting(rows):
        for row in rows:
            counted["rows"] += 1
            yield row

    exporter = views.export_rows
    views.export_rows = lambda table: counting(exporter(table))
    try:
        request = RequestFactory().get(f"/?{query}")
        request.user = user
        started = time.perf_counter()
        response = view_class.as_view()(request)
        assert response.status_code == 200, response.status_code
        size = sum(len(block) for block in (response.streaming_content if response.streaming else [response.content]))
        seconds = time.perf_counter() - started
    finally:
        views.export_rows = exporter
    return counted["rows"], seconds, size


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", action="store_true", help="export through the table's as_values()")
    parser.add_argument("--memory", action="store_true", help="report the peak of Python allocations")
    parser.add_argument("--only", help="run the cases whose label contains this text")
    args = parser.parse_args()
    views.export_rows = (lambda table: table.as_values()) if args.baseline else export_rows
    if args.baseline:  # and the workbook through openpyxl, in memory
        exports.xlsx_file_response = lambda rows, filename, title: exports.xlsx_response({title: rows}, filename)
    user = User.objects.get(username="board")
    translation.activate("vi")
    print(f"{'export':<34} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'MB':>6}" + ("  peak MB" if args.memory else ""))
    for label, view_class, query in cases():
        if args.only and args.only.lower() not in label.lower():
            continue
        if args.memory:
            tracemalloc.start()
        rows, seconds, size = run(view_class, query, user)
        peak = ""
        if args.memory:
            peak = f"  {tracemalloc.get_traced_memory()[1] / 1e6:7.1f}"
            tracemalloc.stop()
        print(f"{label:<34} {rows:>8} {seconds:>8.2f} {rows / seconds:>8.0f} {size / 1e6:>6.1f}{peak}", flush=True)


if __name__ == "__main__":
    main()
