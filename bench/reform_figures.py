"""The figures of the 2025 reform read off the app's exports, as the board user.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sonla .venv/bin/python bench/reform_figures.py

Run it on the province-scale demo (`manage.py load_demo --reset --scale province`): it prints the
rows of `/members/?as_of=2024-09-01` (93,216 published), of `/party-organisations/` on that date
by level (17 affiliated, 833 grassroots, 4,115 cells) and of `/units/` on both sides of
01/07/2025 (200 and 75 communes, 12 and 0 districts), with the time each export took.
"""

import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sonla_party.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from sonla_party.models import User  # noqa: E402

CHECKS = [
    ("members on 01/09/2024", "/members/?as_of=2024-09-01", 93216),
    ("affiliated committees on 01/09/2024", "/party-organisations/?as_of=2024-09-01&level=affiliated", 17),
    ("grassroots organisations on 01/09/2024", "/party-organisations/?as_of=2024-09-01&level=grassroots", 833),
    ("party cells on 01/09/2024", "/party-organisations/?as_of=2024-09-01&level=cell", 4115),
    ("communes on 30/06/2025", "/units/?as_of=2025-06-30&level=commune", 200),
    ("communes on 01/07/2025", "/units/?as_of=2025-07-01&level=commune", 75),
    ("districts on 30/06/2025", "/units/?as_of=2025-06-30&level=district", 12),
    ("districts on 01/07/2025", "/units/?as_of=2025-07-01&level=district", 0),
]


def exported_rows(client: Client, url: str) -> int:
    response = client.get(f"{url}&_export=csv", HTTP_HOST="127.0.0.1")
    assert response.status_code == 200, (url, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


def main() -> int:
    client = Client()
    client.force_login(User.objects.get(username="board"))
    wrong = 0
    with override_settings(ALLOWED_HOSTS=["127.0.0.1"]):
        for label, url, published in CHECKS:
            started = time.perf_counter()
            rows = exported_rows(client, url)
            elapsed = time.perf_counter() - started
            mark = "ok" if rows == published else "DIFFERS"
            wrong += rows != published
            print(f"{label:42} {rows:>7,} (published {published:>7,}) {mark:8} {elapsed:6.1f} s")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
