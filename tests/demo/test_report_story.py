"""On the demo data, every figure of the quarterly report equals the rows of the list it links to."""

import pytest

from reports import quarterly as reports

QUARTERS = [("2024", "2"), ("2010", "4")]


@pytest.mark.parametrize(("year", "quarter"), QUARTERS)
def test_every_province_figure_equals_its_drill_down_list(board, year, quarter):
    page = board.get(f"/reports/quarterly/?year={year}&quarter={quarter}")
    province = page.context["report"].province
    assert [cell.value for cell in province.cells] != [0] * len(reports.COLUMNS)
    for column, cell in zip(reports.COLUMNS, province.cells, strict=True):
        listed = board.get(cell.link)
        assert listed.status_code == 200, column.key
        assert listed.context["table"].paginator.count == cell.value, (column.key, cell.link)


@pytest.mark.parametrize(("year", "quarter", "code"), [(2024, 3, "119"), (2025, 3, "03646"), (2026, 3, "03979")])
def test_every_figure_of_one_row_equals_its_list(board, year, quarter, code):
    """A district's row while they existed, a commune-level unit's after: each figure is its list."""
    page = board.get(f"/reports/quarterly/?year={year}&quarter={quarter}")
    row = next(r for r in page.context["report"].rows if r.unit.code == code)
    for column, cell in zip(reports.COLUMNS, row.cells, strict=True):
        assert board.get(cell.link).context["table"].paginator.count == cell.value, column.key


def test_changes_compare_with_the_previous_quarter_and_a_year_before(board):
    now = board.get("/reports/quarterly/?year=2024&quarter=2").context["report"].province
    before = board.get("/reports/quarterly/?year=2024&quarter=1").context["report"].province
    last_year = board.get("/reports/quarterly/?year=2023&quarter=2").context["report"].province
    for index, cell in enumerate(now.cells):
        assert cell.delta_previous == cell.value - before.cells[index].value
        assert cell.delta_year == cell.value - last_year.cells[index].value
