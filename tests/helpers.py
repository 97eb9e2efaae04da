"""Small helpers shared by the view tests."""

import csv
import io
import os

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook


def count_queries(client, url: str, *, cap: int) -> int:
    """Queries of a request, after a first one has renewed the session (at most once a minute).

    `cap` is the page's fixed budget (Zulip's `assert_database_query_count`): "the same at 2 rows
    and 20" alone would pass a page that costs 200 queries whatever its rows."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    count = len(context.captured_queries)
    if os.environ.get("PRINT_QUERY_COUNTS"):
        print(f"QUERIES {url} {count}")
    assert count <= cap, f"{url} costs {count} queries, over its cap of {cap}"
    return count


def csv_rows(response) -> list[list[str]]:
    """The rows of a CSV export, header first (the BOM stripped)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(response, sheet: int = 0) -> list[list]:
    """The table of a sheet, header first: the lines above it (title, filters, date, scope) left out.
    The header is the row just above the frozen pane."""
    workbook = load_workbook(io.BytesIO(response.getvalue()))  # a list's export is a streamed file
    worksheet = workbook.worksheets[sheet]
    header_row = worksheet[worksheet.freeze_panes].row - 1 if worksheet.freeze_panes else 1
    return [list(row) for row in worksheet.iter_rows(min_row=header_row, values_only=True)]


def xlsx_preamble(response, sheet: int = 0) -> list[str]:
    """The lines above a sheet's table (its title, the filters that made it, the date, the scope)."""
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    worksheet = workbook.worksheets[sheet]
    header_row = worksheet[worksheet.freeze_panes].row - 1 if worksheet.freeze_panes else 1
    rows = worksheet.iter_rows(max_row=header_row - 1, values_only=True) if header_row > 1 else []
    return [row[0] for row in rows if row and row[0]]


def column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]
