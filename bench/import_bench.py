"""Benchmark of the spreadsheet import: a candidate file of N rows, previewed then imported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/import_bench.py [rows ...]

Needs the demo data (`python manage.py load_demo`) in that database. For each size it builds an
XLSX file of valid candidates, then measures the preview (read + check every row), the import
(check again + write all rows in one transaction) and a re-import of the same file (nothing
changes), with the wall time and the peak of memory allocated by Python (tracemalloc) during each
step. The imported candidates are deleted afterwards.
"""

import io
import os
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
from establishments.models import Establishment  # noqa: E402
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


def build_file(rows: int) -> bytes:
    establishments = list(Establishment.objects.select_related("commune").order_by("pk")[:500])
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


def measure(label, function):
    """Wall time of one run; tracing memory slows Python down, so the peak is a separate run."""
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    print(f"  {label:<10} {seconds:7.2f} s   {result.summary()}")
    return result


def peak_memory(function) -> float:
    tracemalloc.start()
    function()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024 / 1024


def clean_up():
    ids = list(Candidate.objects.filter(full_name__startswith="Bench Nguyễn").values_list("pk", flat=True))
    StageEvent.objects.filter(candidate__in=ids).delete()
    SourceListEntry.objects.filter(candidate__in=ids).delete()
    Candidate.history.filter(id__in=ids).delete()
    SourceListEntry.history.filter(candidate_id__in=ids).delete()
    Candidate.objects.filter(pk__in=ids).delete()


def main(sizes):
    user = User.objects.get(username="board")
    importer = imports.REGISTRY["candidates"]
    print(f"database: {connection.vendor}; rows per chunk: {imports.CHUNK}")
    for rows in sizes:
        clean_up()
        content = build_file(rows)
        print(f"{rows} rows, file {len(content) / 1024 / 1024:.1f} MiB")

        def run(save, content=content):
            return importer.run(content=content, file_name="bench.xlsx", user=user, save=save)

        outcome = measure("preview", lambda: run(False))
        assert not outcome.errors, outcome.errors[:3]
        measure("import", lambda: run(True))
        measure("re-import", lambda: run(True))
        file_mib = len(content) / 1024 / 1024
        print(
            f"  peak Python memory of a preview: {peak_memory(lambda: run(False)):.1f} MiB (file {file_mib:.1f} MiB)"
        )
    clean_up()


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [2000, 10000])
