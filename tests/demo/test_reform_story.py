"""The demo through the July 2025 reform: the party's structure of September 2024, reports and the
dashboard on both sides of 01/07/2025, and the past on today's map."""

import pytest

from tests.helpers import csv_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("level", "count"), [("affiliated", 17), ("grassroots", 833), ("cell", 4115)])
def test_the_party_organisations_of_september_2024(board, level, count):
    rows = csv_rows(board.get(f"/party-organisations/?as_of=2024-09-01&level={level}&_export=csv"))
    assert len(rows) - 1 == count


def test_the_dashboard_tells_the_party_figures_of_the_date_each_linked_to_its_list(board):
    page = board.get("/?as_of=2024-09-01")
    figures = {figure["level"]: figure for figure in page.context["party"]}
    assert [figures[level]["count"] for level in ("affiliated", "grassroots", "cell")] == [17, 833, 4115]
    members = board.get(figures["members"]["url"])
    assert members.context["table"].paginator.count == figures["members"]["count"]


def test_the_commune_committees_exist_from_the_reform(board):
    before = csv_rows(board.get("/party-organisations/?as_of=2025-06-30&kind=commune_committee&_export=csv"))
    after = csv_rows(board.get("/party-organisations/?as_of=2025-07-01&kind=commune_committee&_export=csv"))
    assert (len(before) - 1, len(after) - 1) == (0, 75)


def province_and_rows(page, key):
    return page.province.figures[key], sum(row.figures[key] for row in page.rows)


@pytest.mark.parametrize(("year", "quarter", "rows"), [(2025, 2, 12), (2025, 3, 75)])
def test_the_quarterly_report_groups_by_the_units_of_its_date_and_they_add_up(board, year, quarter, rows):
    report = board.get(f"/reports/quarterly/?year={year}&quarter={quarter}").context["report"]
    assert len(report.rows) == rows
    for key in ("establishments", "without_cell", "on_source_list", "official", "admitted"):
        total, summed = province_and_rows(report, key)
        assert total == summed, key
    # The previous quarter is regrouped on the same rows: the changes add up to the province's change.
    assert sum(r.figures["establishments"] - r.previous["establishments"] for r in report.rows) == (
        report.province.figures["establishments"] - report.province.previous["establishments"]
    )


def test_the_dashboard_on_both_sides_of_the_reform(board):
    before = board.get("/?as_of=2025-06-30").context
    after = board.get("/?as_of=2025-07-01").context
    assert (len(before["rows"]), before["row_level"]) == (12, "district")
    assert (len(after["rows"]), after["row_level"]) == (75, "commune")
    for context in (before, after):
        for key in ("total", "without_members", "without_cell"):
            assert sum(row.counts[key] for row in context["rows"]) == context["total"].counts[key]
    assert before["total"].counts["total"] == after["total"].counts["total"]


def test_todays_map_regroups_2020_on_the_75_communes_with_the_same_totals(board):
    by_districts = board.get("/?as_of=2020-12-31").context
    on_today = board.get("/?as_of=2020-12-31&map=today").context
    assert (len(by_districts["rows"]), len(on_today["rows"])) == (12, 75)
    assert by_districts["total"].counts == on_today["total"].counts
    row = max(on_today["rows"], key=lambda r: r.counts["total"])
    listed = board.get(row.total_url)
    assert listed.context["table"].paginator.count == row.counts["total"]


def test_a_quarter_of_2020_on_todays_map(board):
    report = board.get("/reports/quarterly/?year=2020&quarter=4&map=today").context["report"]
    assert len(report.rows) == 75
    total, summed = province_and_rows(report, "establishments")
    assert (
        total
        == summed
        == board.get("/reports/quarterly/?year=2020&quarter=4").context["report"].province.figures["establishments"]
    )
