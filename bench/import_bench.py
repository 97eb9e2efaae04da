"""Benchmark of the spreadsheet import: a candidate file of N rows, previewed then imported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/import_bench.py [rows ...]
    DATABASE_URL=... .venv/bin/python bench/import_bench.py --members 100000 [--members 10000 ...]

Needs the demo data (`python manage.py load_demo`) in that database. For each size it builds an
XLSX file of valid candidates, then measures the preview (read + check every row), the import
(check again + write all rows in one transaction) and a re-import of the same file (nothing
changes), with the wall time and the peak of memory allocated by Python (tracemalloc) during each
step. The imported candidates are deleted afterwards.

`--members N` builds a members CSV file of N rows instead and measures its preview and import
with the peak of Python memory of each (tracemalloc, in the same run: slower, but the peak is
what counts there): memory stays flat when the file is read and saved a chunk at a time. The
imported members are deleted afterwards.
"""

import argparse
import csv
import datetime
import io
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from candidates.models import Candidate, SourceListEntry, StageEvent  # noqa: E402
from establishments.models import Establishment, PartyMember  # noqa: E402
from establishments.models.common import open_interval_on_q, valid_on_q  # noqa: E402
from sonla_party import imports  # noqa: E402
from sonla_party.models import User  # noqa: E402

HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số định danh cá nhân",
    "Trình độ văn hóa",
    "Mã xã",
    "Mã cơ sở",
    "Đoàn viên",
    "Nghề nghiệp",
    "Điện thoại",
    "Ngày vào danh sách nguồn",
]


FILE_DATE = datetime.date(2025, 1, 6)  # the file's data is of that day (commune codes were reused in 2025)


def establishments_of_the_day() -> list:
    """Establishments open on the file's date, in communes valid that day."""
    return list(
        Establishment.objects.filter(
            valid_on_q(FILE_DATE, "commune__"), open_interval_on_q("opened_on", "closed_on", FILE_DATE)
        )
        .select_related("commune")
        .order_by("pk")[:500]
    )


def build_file(rows: int) -> bytes:
    establishments = establishments_of_the_day()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Quần chúng ưu tú")
    sheet.append(HEADER)
    for n in range(rows):
        est = establishments[n % len(establishments)]
        female = n % 2 == 1
        sheet.append(
            [
                f"Bench Nguyễn {n}",
                f"{(n % 27) + 1:02d}/0{(n % 9) + 1}/1999",
                "Nữ" if female else "Nam",
                "Thái",
                f"014{1 if female else 0}99{990000 - n:06d}",
                "9",
                est.commune.code,
                est.code,
                "Có",
                "Làm nông nghiệp",
                "0912345678",
                "06/01/2025",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(label, function, rows):
    """Wall time of one run, and this process's CPU time (a shared machine's other work does not
    count in it); tracing memory slows Python down, so the peak is a separate run. On Linux the
    file is read by a forked process (`imports.read_ahead`): its CPU time is printed apart."""
    started, cpu, reader = time.perf_counter(), time.process_time(), children_cpu()
    result = function()
    seconds, cpu, reader = time.perf_counter() - started, time.process_time() - cpu, children_cpu() - reader
    print(
        f"  {label:<10} {seconds:7.2f} s {rows / seconds:7.0f} rows/s   CPU {cpu:6.2f} s {rows / cpu:7.0f} rows/s"
        f"   reader's CPU {reader:5.2f} s   {result.summary()}"
    )
    return result


def peak_memory(function) -> float:
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def clean_up():
    ids = list(Candidate.objects.filter(full_name__startswith="Bench Nguyễn").values_list("pk", flat=True))
    StageEvent.history.filter(candidate_id__in=ids).delete()
    StageEvent.objects.filter(candidate__in=ids).delete()
    SourceListEntry.objects.filter(candidate__in=ids).delete()
    Candidate.history.filter(id__in=ids).delete()
    SourceListEntry.history.filter(candidate_id__in=ids).delete()
    Candidate.objects.filter(pk__in=ids).delete()


MEMBER_HEADER = [
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Số định danh cá nhân",
    "Mã xã",
    "Mã cơ sở",
    "Ngày vào Đảng",
    "Ngày chính thức",
]


def build_members_file(rows: int) -> bytes:
    establishments = establishments_of_the_day()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(MEMBER_HEADER)
    for n in range(rows):
        est = establishments[n % len(establishments)]
        female = n % 2 == 1
        writer.writerow(
            [
                f"Bench Lò {n}",
                f"{(n % 27) + 1:02d}/0{(n % 9) + 1}/1990",
                "Nữ" if female else "Nam",
                "Thái",
                f"014{1 if female else 0}90{990000 - n:06d}",
                est.commune.code,
                est.code,
                "19/05/2015",
                "19/05/2016",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def clean_up_members():
    ids = list(PartyMember.objects.filter(full_name__startswith="Bench Lò").values_list("pk", flat=True))
    PartyMember.history.filter(id__in=ids).delete()
    PartyMember.objects.filter(pk__in=ids).delete()


def resident_mib() -> float:
    """This process's resident memory now (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return 0.0


def traced(label, function, rows):
    """Wall time and peak of Python memory of one run (tracemalloc on: slower than untraced). On
    Linux the file is read by a forked process (`imports.read_ahead`), whose memory tracemalloc
    does not see: its peak resident memory is printed beside this process's resident memory as
    the run starts (the child starts as a copy of it)."""
    resident = resident_mib()
    tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    result = function()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_mib = peak / 1024 / 1024
    reader = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(
        f"  {label:<10} {seconds:7.2f} s {rows / seconds:6.0f} rows/s   CPU {cpu:6.2f} s {rows / cpu:6.0f} rows/s"
        f"   peak {peak_mib:6.1f} MiB   readers' largest resident so far {reader:6.1f} MiB"
        f" (this process {resident:6.1f})"
        f"   {result.summary()}"
    )
    return result


def main_members(sizes, save=True):
    user = User.objects.get(username="board")
    importer = imports.REGISTRY["members"]
    print(f"database: {connection.vendor}; rows per chunk: {imports.CHUNK}")
    for rows in sizes:
        clean_up_members()
        content = build_members_file(rows)
        print(f"{rows} member rows, CSV file {len(content) / 1024 / 1024:.1f} MiB")

        def run(save, content=content):
            return importer.run(content=content, file_name="bench.csv", user=user, save=save, as_of=FILE_DATE)

        outcome = traced("preview", lambda: run(False), rows)
        assert not outcome.errors, outcome.errors[:3]
        if save:
            traced("import", lambda: run(True), rows)
        clean_up_members()


def main(sizes):
    user = User.objects.get(username="board")
    importer = imports.REGISTRY["candidates"]
    print(f"database: {connection.vendor}; rows per chunk: {imports.CHUNK}")
    for rows in sizes:
        clean_up()
        content = build_file(rows)
        print(f"{rows} rows, file {len(content) / 1024 / 1024:.1f} MiB")

        def run(save, content=content):
            return importer.run(content=content, file_name="bench.xlsx", user=user, save=save, as_of=FILE_DATE)

        outcome = measure("preview", lambda: run(False), rows)
        assert not outcome.errors, outcome.errors[:3]
        measure("import", lambda: run(True), rows)
        measure("re-import", lambda: run(True), rows)
        file_mib = len(content) / 1024 / 1024
        print(
            f"  peak Python memory of a preview: {peak_memory(lambda: run(False)):.1f} MiB (file {file_mib:.1f} MiB)"
        )
    clean_up()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int, nargs="*", help="rows of the candidate files (2,000 and 10,000)")
    parser.add_argument("--members", type=int, action="append", help="rows of a members file instead")
    parser.add_argument("--preview-only", action="store_true", help="members: the preview, not the import")
    args = parser.parse_args()
    if args.members:
        main_members(args.members, save=not args.preview_only)
    else:
        main(args.rows or [2000, 10000])
