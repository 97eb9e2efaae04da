"""List exports read as values: the same rows, columns and cells as the page's table gives,
streamed, in a number of queries that does not grow with the rows."""

import datetime
import io

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tables2 import Table
from openpyxl import load_workbook

from candidates.models import SourceList, TrainingClass
from establishments.choices import MemberStatus
from sonla_party import views
from sonla_party.exports import download_name, write_sheet_file, write_sheets_file, xlsx_response
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CandidateFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)
from tests.helpers import column, csv_rows, xlsx_preamble, xlsx_rows

pytestmark = pytest.mark.django_db

LISTS = [
    "/establishments/",
    "/establishments/?sort=-name&as_of=2010-06-30",
    "/party-cells/",
    "/members/",
    "/members/?sort=party_cell&status=official",
    "/units/",
    "/party-organisations/",
    "/cadres/",
    "/cadres/assignments/",
    "/candidates/",
    "/candidates/?sort=-birth_date",
    "/candidates/queue/?window=overdue",  # the fixture's deadlines are past
    "/candidates/decisions/",
    "/candidates/source-lists/",
    "/training-classes/",
]


@pytest.fixture
def registry(province):
    """A few rows of every list, with empty foreign keys and dates among them."""
    for establishment in (province.home_establishment, province.other_establishment):
        cell = PartyCellFactory(seat=establishment, founded_on=datetime.date(2008, 1, 1))
        PartyMemberFactory.create_batch(2, establishment=establishment, party_cell=cell)
        PartyMemberFactory(establishment=establishment, official_on=None, full_name="=cmd|' /C calc'!A0")
        CandidateFactory(establishment=establishment, ethnicity="mong")
        CandidateFactory(
            establishment=establishment,
            stage="grassroots_resolution",  # awaiting a decision (set directly: only the export is tested)
            next_due_on=datetime.date(2020, 1, 1),
            next_due_kind="decision",
        )
        cadre = CadreFactory(area=establishment.commune.parent)
        AssignmentFactory(cadre=cadre, establishment=establishment)
    EstablishmentFactory(commune=province.home_commune, kind="school")
    SourceList.objects.create(commune=province.home_commune, year=2024)
    TrainingClass.objects.create(
        name="Lớp 1",
        unit=province.home,
        starts_on=datetime.date(2024, 3, 4),
        ends_on=datetime.date(2024, 3, 8),
        capacity=40,
    )


def exports_of(client, url: str) -> tuple[list, list]:
    joiner = "&" if "?" in url else "?"
    return (
        csv_rows(client.get(f"{url}{joiner}_export=csv")),
        xlsx_rows(client.get(f"{url}{joiner}_export=xlsx")),
    )


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("who", ["board_client", "reviewer_client", "admin_client_"])
def test_an_export_gives_the_cells_the_table_gives(request, registry, monkeypatch, url, who):
    """Every list, for a user who sees masked citizen IDs, one of a district and one who sees them
    whole: the export read as values equals the table's own `as_values()`, cell for cell."""
    client = request.getfixturevalue(who)
    read_as_values = exports_of(client, url)
    monkeypatch.setattr(views, "export_rows", lambda table: table.as_values())
    assert in_any_order_of_ties(read_as_values) == in_any_order_of_ties(exports_of(client, url))
    assert len(read_as_values[0]) > 1 or url.startswith(("/units/", "/party-organisations/"))


def in_any_order_of_ties(exports):
    """Rows equal in the sort column come in any order on PostgreSQL, from one query to the next:
    the order itself is held to the page's in the test below."""
    return [[rows[0], sorted(map(repr, rows[1:]))] for rows in exports]


def test_the_big_lists_never_render_a_table_row(board_client, registry, monkeypatch):
    def as_values(table, exclude_columns=None):
        raise AssertionError(f"{type(table).__name__} rendered its rows")

    monkeypatch.setattr(Table, "as_values", as_values)
    for url in ["/establishments/", "/party-cells/", "/members/", "/candidates/", "/cadres/", "/units/"]:
        assert len(exports_of(board_client, url)[0]) > 1, url


def test_a_members_export_holds_exactly_the_rows_and_columns_of_the_filtered_page(reviewer_client, registry):
    url = "/members/?status=official&sort=-full_name"
    page = reviewer_client.get(url)
    table = page.context["table"]
    shown = [row.record.full_name for row in table.rows]
    assert shown and len(shown) == 2  # the home district's official members, not the other's
    rows, workbook = exports_of(reviewer_client, url)
    assert column(rows, "Họ và tên") == shown == column(workbook, "Họ và tên")
    assert rows[0] == [str(c.header) for c in table.columns.iterall()]
    assert all(cell.startswith("••••") for cell in column(rows, "số định danh cá nhân (CCCD)"))


def test_a_full_citizen_id_only_for_who_may_see_it(reviewer_client, admin_client_, registry, province):
    member = PartyMemberFactory(establishment=province.home_establishment, full_name="Cầm Thị Xuân")
    url = "/members/?q=Xuan&_export=csv"
    assert column(csv_rows(admin_client_.get(url)), "số định danh cá nhân (CCCD)") == [member.citizen_id]
    assert column(csv_rows(reviewer_client.get(url)), "số định danh cá nhân (CCCD)") == [
        "••••••••" + member.citizen_id[-4:]
    ]


def test_dates_are_dates_and_formulas_are_neutralised(board_client, registry):
    rows = csv_rows(board_client.get("/members/?sort=full_name&_export=csv"))
    assert column(rows, "Ngày sinh")[0] == "17/05/1980"
    assert "'=cmd|' /C calc'!A0" in column(rows, "Họ và tên")
    workbook = xlsx_rows(board_client.get("/members/?sort=full_name&_export=xlsx"))
    assert column(workbook, "Ngày sinh")[0] == datetime.datetime(1980, 5, 17)


def test_exports_stream_in_queries_that_do_not_grow_with_the_rows(board_client, province, settings):
    settings.DEBUG = False

    def queries(export_format):
        board_client.get("/members/")  # the session renewed first
        with CaptureQueriesContext(connection) as context:
            response = board_client.get(f"/members/?_export={export_format}")
            b"".join(response.streaming_content)
        return response, len(context.captured_queries)

    PartyMemberFactory.create_batch(3, establishment=province.home_establishment)
    csv_response, at_three = queries("csv")
    xlsx_response, xlsx_at_three = queries("xlsx")
    PartyMemberFactory.create_batch(30, establishment=province.home_establishment)
    assert queries("csv")[1] == at_three
    assert queries("xlsx")[1] == xlsx_at_three
    assert isinstance(csv_response, StreamingHttpResponse)
    assert isinstance(xlsx_response, FileResponse)


def test_the_list_sheet_writer_gives_the_cells_openpyxl_gives():
    """A list's export writes its sheet's XML itself (openpyxl is 5 times slower): the same values,
    date formats, quote prefixes and header as the workbooks openpyxl writes."""
    rows = [
        ["Tên", "Ngày", "Lúc", "Số", "Có", "Trống"],
        ["Bản <Mường> & Sang", datetime.date(1980, 5, 17), datetime.datetime(2024, 3, 4, 8, 30), 42, True, None],
        ["=SUM(A1)", datetime.date(2025, 7, 1), None, 2.5, False, ""],
        [" khoảng trắng ", None, None, -3, None, "lạ"],
    ]

    def cells(content, index=0):
        sheet = load_workbook(io.BytesIO(content)).worksheets[index]
        found = [
            [(c.value, c.value is not None and c.data_type, c.number_format, c.quotePrefix, c.font.b) for c in row]
            for row in sheet.iter_rows()
        ]
        return sheet.title, sheet.freeze_panes, found

    ours = write_sheet_file("Đảng viên", rows).read()
    theirs = xlsx_response({"Đảng viên": rows}, "x").content
    assert cells(ours) == cells(theirs)
    # Several sheets (a report's every figure, its definitions): each as openpyxl writes it.
    book = {"Đảng viên": rows, "Định nghĩa": [["Chỉ tiêu", "Định nghĩa"], ["A", "=B"]]}
    several = write_sheets_file(book, ["Tiêu đề"]).read()
    assert load_workbook(io.BytesIO(several)).sheetnames == ["Đảng viên", "Định nghĩa"]
    for index in (0, 1):
        assert cells(several, index) == cells(xlsx_response(book, "x", ["Tiêu đề"]).content, index)
    control = cells(write_sheet_file("x", [["a"], ["\x01b\x1f"]]).read())[2]  # openpyxl refuses it: a 500
    assert control[1][0][0] == "b"
    # Lines above the table: the title (bold), the filters; a blank row; the pane frozen below the header.
    title, pane, found = cells(write_sheet_file("Đảng viên", rows, ["Đảng viên", "Xã: Chiềng Mung"]).read())
    assert (title, pane) == ("Đảng viên", "A5")
    assert [row[0][0] for row in found[:3]] == ["Đảng viên", "Xã: Chiềng Mung", None]
    assert found[0][0][4] and not found[1][0][4]
    assert found[3:] == cells(theirs)[2]


def test_a_list_xlsx_says_which_filters_made_it_the_date_and_the_scope(
    board_client, reviewer_client, registry, province
):
    commune = province.home_commune
    url = f"/members/?commune={commune.pk}&status=official&_export=xlsx"
    response = board_client.get(url)
    lines = xlsx_preamble(response)
    with translation.override("vi"):
        status_label = str(dict(MemberStatus.choices)["official"])
        assert lines[0] == str(_("Party members"))
        assert lines[1].startswith(str(_("Filters: %(filters)s") % {"filters": ""}))
        assert f"{_('Commune')}: " in lines[1] and commune.name in lines[1]
        assert f"{_('Status')}: {status_label}" in lines[1]
        assert lines[1].index(str(_("Commune"))) < lines[1].index(str(_("Status")))  # the form's order
        assert lines[2] == _("Exported on: %(date)s") % {"date": f"{timezone.localdate():%d/%m/%Y}"}
        assert lines[3] == _("Scope: %(scope)s") % {"scope": _("Whole province")}
    rows = xlsx_rows(board_client.get(url))
    assert rows[0] == csv_rows(board_client.get(url.replace("xlsx", "csv")))[0]  # the table follows, header first
    assert len(rows) > 1
    with translation.override("vi"):
        unfiltered = xlsx_preamble(reviewer_client.get("/members/?_export=xlsx"))
        assert unfiltered[1] == _("Filters: %(filters)s") % {"filters": _("none (every row)")}
        assert unfiltered[3] == _("Scope: %(scope)s") % {"scope": province.home.full_name}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/members/?_export=xlsx", "dang-vien"),
        ("/candidates/?_export=csv", "quan-chung"),
        ("/establishments/?_export=xlsx", "co-so"),
        ("/party-cells/?_export=csv", "chi-bo"),
        ("/training-classes/?_export=csv", "lop-boi-duong"),
    ],
)
def test_export_files_are_named_in_vietnamese_with_the_date(board_client, url, name):
    response = board_client.get(url)
    extension = url.rsplit("=", 1)[1]
    expected = f"{name}-{timezone.localdate():%Y-%m-%d}.{extension}"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'


def test_a_download_name_is_ascii_without_accents():
    day = datetime.date(2026, 12, 1)
    assert download_name("partymember", "xlsx", day) == "dang-vien-2026-12-01.xlsx"
    assert download_name("roster-12", "xlsx", day) == "danh-sach-lop-12-2026-12-01.xlsx"
    assert download_name("form-16-7", "pdf", day) == "mau-16-knd-7-2026-12-01.pdf"
    assert download_name("form-1-7", "pdf", day) == "mau-1-knd-7-2026-12-01.pdf"  # not form-16's
    assert download_name("Đảng viên dự bị — Mường Ẳng", "csv", day) == "dang-vien-du-bi-muong-ang-2026-12-01.csv"
