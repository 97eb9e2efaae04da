"""The Resolution 03 report on the demo data tells every published figure, each equal to its list."""

import pytest
from django.test import Client

from sonla_party.models import User
from tests.helpers import csv_rows

PERIOD = "from=2006-01-01&to=2020-12-31"
V, S, H = "village", "school", "health_station"

# (year, figure key, when): total and {kind: count} — the first paragraph of issue 21.
PUBLISHED = [
    ("2006", "establishments_start", "start", 3181, {}),
    ("2006", "without_members_start", "start", 86, {}),
    ("2006", "without_cell_start", "start", 995, {}),
    ("2006", "first_members", "during", 61, {V: 56, S: 4, H: 1}),
    ("2006", "cells_founded", "during", 364, {V: 230, S: 59, H: 75}),
    ("2014", "source_no_member", "since", 4758, {}),
    ("2014", "source_no_member_trained", "since", 3903, {}),
    ("2015", "cells_founded", "since", 1070, {V: 737, S: 248, H: 85}),
    ("2015", "cells_founded_recruited", "since", 704, {V: 446, S: 197, H: 61}),
    ("2015", "without_cell_end", "end", 96, {V: 86, S: 10}),
    ("2020", "without_cell_end", "end", 0, {}),
    ("2020", "without_members_end", "end", 0, {}),
]
KINDS = [
    "total",
    "village",
    "sub_region",
    "residential_group",
    "school",
    "health_station",
    "enterprise",
    "cooperative",
]


@pytest.fixture
def report(board):
    return board.get(f"/reports/resolution-03/?{PERIOD}").context["report"]


def find(row, year, key, when):
    return next(
        line for line in row.lines if (line.span.label, line.figure.key, line.figure.when) == (year, key, when)
    )


@pytest.mark.parametrize(("year", "key", "when", "total", "by_kind"), PUBLISHED)
def test_every_published_figure_is_in_the_csv_and_equals_its_list(board, report, year, key, when, total, by_kind):
    line = find(report.total, year, key, when)
    values = dict(zip(KINDS, [cell.value for cell in line.cells], strict=True))
    assert values["total"] == total
    for kind, count in by_kind.items():
        assert values[kind] == count, kind
    if by_kind:
        assert sum(by_kind.values()) == total  # the kinds named are all of them
    rows = csv_rows(board.get(f"/reports/resolution-03/?{PERIOD}&_export=csv"))
    found = [r for r in rows[1:] if r[0] == year and r[4] == "Toàn tỉnh" and r[5] == line.label]
    assert len(found) == 1, line.label
    assert [int(v) for v in found[0][6:]] == [cell.value for cell in line.cells]
    for kind, cell in zip(KINDS, line.cells, strict=True):
        if kind == "total" or cell.value or kind in by_kind:
            listed = board.get(cell.link)
            assert listed.status_code == 200, cell.link
            assert listed.context["table"].paginator.count == cell.value, (kind, cell.link)


def test_the_districts_rows_add_up_to_the_province(report):
    assert len(report.rows) == 12
    for index, line in enumerate(report.total.lines):
        for column, cell in enumerate(line.cells):
            assert sum(row.lines[index].cells[column].value for row in report.rows) == cell.value, line.label


@pytest.mark.parametrize("code", ["123", "126"])
def test_a_district_reviewer_sees_the_same_report_for_their_district_only(demo_data, db, report, code):
    client = Client()
    client.force_login(User.objects.get(username=f"reviewer-{code}"))
    page = client.get(f"/reports/resolution-03/?{PERIOD}")
    own = page.context["report"]
    assert [row.unit.code for row in own.rows] == [code]
    board_row = next(row for row in report.rows if row.unit.code == code)
    assert [[c.value for c in line.cells] for line in own.total.lines] == [
        [c.value for c in line.cells] for line in board_row.lines
    ]
    assert [[c.value for c in line.cells] for line in own.rows[0].lines] == [
        [c.value for c in line.cells] for line in board_row.lines
    ]
    for year, key, when, _total, _kinds in PUBLISHED[:6]:  # the reviewer's links count their district only
        cell = find(own.total, year, key, when).cells[0]
        assert client.get(cell.link).context["table"].paginator.count == cell.value, cell.link
    rows = csv_rows(client.get(f"/reports/resolution-03/?{PERIOD}&_export=csv"))
    assert {r[3] for r in rows[1:]} == {"", code}


def test_xlsx_and_print(board):
    response = board.get(f"/reports/resolution-03/?{PERIOD}&_export=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    page = board.get(f"/reports/resolution-03/print/?{PERIOD}")
    assert page.status_code == 200 and "704" in page.content.decode()
