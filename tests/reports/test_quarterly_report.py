"""The quarterly report: bounded queries, scope, finalising, XLSX, bad input."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from reports import quarterly as reports
from reports.models import FinalisedReport
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import (
    CommuneFactory,
    DistrictFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def test_quarters():
    q = reports.Quarter(2025, 1)
    assert (q.start, q.end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert q.previous() == reports.Quarter(2024, 4) and q.year_before() == reports.Quarter(2024, 1)
    assert [str(x) for x in q.last(3)] == ["3/2024", "4/2024", "1/2025"]
    assert reports.Quarter.containing(D(2025, 8, 15)) == reports.Quarter(2025, 3)


def test_the_query_count_does_not_grow_with_the_districts(board_client, province):
    def queries():
        board_client.get("/reports/quarterly/?year=2024&quarter=2")  # renews the session first
        with CaptureQueriesContext(connection) as context:
            assert board_client.get("/reports/quarterly/?year=2024&quarter=2").status_code == 200
        return len(context.captured_queries)

    with_two = queries()
    for code in range(300, 310):
        district = DistrictFactory(code=str(code))
        EstablishmentFactory(commune=CommuneFactory(district=district))
    assert queries() == with_two
    assert with_two <= 30


def test_a_reviewer_sees_their_own_row_and_no_province_total(reviewer_client, province):
    page = reviewer_client.get("/reports/quarterly/?year=2024&quarter=2")
    report = page.context["report"]
    assert [row.unit.pk for row in report.rows] == [province.home.pk]
    assert report.province is None
    assert "Sông Mã" not in page.content.decode()


@pytest.mark.parametrize("query", ["year=abc&quarter=1", "year=2024&quarter=7", "year=1200&quarter=1", "quarter="])
def test_nonsense_parameters_fall_back_with_a_message(board_client, query):
    response = board_client.get(f"/reports/quarterly/?{query}")
    assert response.status_code == 200
    if "abc" in query or "7" in query or "1200" in query:
        assert "alert-danger" in response.content.decode()


def test_xlsx_has_one_sheet_per_table_and_numbers_as_numbers(board_client, province):
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 5, 1), official_on=None)
    response = board_client.get("/reports/quarterly/?year=2024&quarter=2&_export=xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 4
    figures = workbook.worksheets[0]
    start = figures[figures.freeze_panes].row  # the first row below the header
    header = [cell.value for cell in figures[start - 1]]
    assert header[0] and header[1] and len(header) == 2 + len(reports.COLUMNS)  # the unit's code and name
    for row in figures.iter_rows(min_row=start):
        assert all(cell.data_type == "n" and isinstance(cell.value, int) for cell in row[2:])
    # The reference districts loaded by the migrations share the fixture's code and name: the
    # rows of code 123 hold one probationary member between them.
    homes = [row for row in figures.iter_rows(min_row=start, values_only=True) if row[0] == "123"]
    assert homes and all(row[1] == "Mộc Châu" for row in homes)
    assert sum(row[header.index(str(reports.COLUMNS[7].label))] for row in homes) == 1  # one probationary member
    assert figures.cell(start - 1, 1).font.bold


def test_the_xlsx_is_ready_to_send_a_title_the_date_the_scope_and_column_widths(board_client, reviewer_client):
    response = board_client.get("/reports/quarterly/?year=2024&quarter=2&_export=xlsx")
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-quy-2-2024-{today:%Y-%m-%d}.xlsx"'
    with translation.override("vi"):
        for sheet in load_workbook(io.BytesIO(response.content)).worksheets:
            lines = [sheet.cell(row, 1).value for row in range(1, 5)]
            assert lines[0] == _("Report on party development, quarter %(quarter)s") % {"quarter": "2/2024"}
            assert sheet["A1"].font.bold
            assert lines[1] == _("Provisional figures: the quarter is not finalised")
            assert lines[2] == _("Exported on: %(date)s") % {"date": f"{timezone.localdate():%d/%m/%Y}"}
            assert lines[3] == _("Scope: %(scope)s") % {"scope": _("Whole province")}
            assert sheet.column_dimensions["B"].width >= 10 and sheet.column_dimensions["C"].width >= 10
        mine = reviewer_client.get("/reports/quarterly/?year=2024&quarter=2&_export=xlsx")
        mine = load_workbook(io.BytesIO(mine.content))
        assert "Mộc Châu" in mine.worksheets[0]["A4"].value  # the reviewer's district, not the province


class TestFinalising:
    def finalise(self, client, year=2024, quarter=2):
        return client.post("/reports/quarterly/finalise/", {"year": year, "quarter": quarter})

    def test_a_change_to_past_data_shows_as_flagged_and_the_finalised_figures_stay(self, board_client, province):
        PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 5, 1), official_on=None)
        assert self.finalise(board_client).status_code == 302
        report = FinalisedReport.objects.get(year=2024, quarter=2)
        assert report.figures["province"]["probationary"] == 1
        # Someone records, afterwards, a member admitted during that quarter.
        PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 6, 1), official_on=None)
        page = board_client.get("/reports/quarterly/?year=2024&quarter=2")
        province_row = page.context["report"].province
        probationary = province_row.cells[7]
        assert probationary.value == 1 and probationary.live == 2 and probationary.changed
        assert page.context["changed_count"] >= 2  # the province and the district
        assert 'data-changed="true"' in page.content.decode()
        report.refresh_from_db()
        assert report.figures["province"]["probationary"] == 1

    def test_only_once_and_only_a_finished_quarter(self, board_client, province):
        self.finalise(board_client)
        self.finalise(board_client)
        assert FinalisedReport.objects.count() == 1
        today = timezone.localdate()
        current = reports.Quarter.containing(today)
        self.finalise(board_client, current.year, current.number)
        assert FinalisedReport.objects.count() == 1

    def test_a_reviewer_may_not_finalise(self, reviewer_client, province):
        assert self.finalise(reviewer_client).status_code == 403
        assert not FinalisedReport.objects.exists()


def test_figures_follow_the_pipeline(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, "admitted", board_user)  # admitted on 01/08/2023
    PartyCellFactory(seat=EstablishmentFactory(commune=province.home_commune), founded_on=D(2023, 9, 1))
    page = board_client.get("/reports/quarterly/?year=2023&quarter=3")
    cells = {c.key: cell for c, cell in zip(reports.COLUMNS, page.context["report"].province.cells, strict=True)}
    assert cells["admitted"].value == 1 and cells["probationary"].value == 1
    assert cells["cells_founded"].value == 1
    assert cells["in_procedure"].value == 0
    second = board_client.get("/reports/quarterly/?year=2023&quarter=2").context["report"].province.cells
    assert dict(zip(reports.KEYS, [c.value for c in second], strict=True))["in_procedure"] == 1
