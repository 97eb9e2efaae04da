"""Spreadsheet imports: every row or none, every bad row named, the same rules as the forms."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from candidates.models import Candidate, SourceListEntry, StageEvent
from establishments.models import Establishment, PartyMember
from sonla_party import imports
from sonla_party.models import ImportBatch
from tests.factories import EstablishmentFactory, PartyMemberFactory
from tests.helpers import xlsx_rows

pytestmark = pytest.mark.django_db
D = datetime.date
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
    "Ngày vào danh sách nguồn",
]


def citizen_id(number: int, year: int = 1998, female: bool = False) -> str:
    return f"014{1 if female else 0}{year % 100:02d}{number:06d}"


def candidate_rows(establishment, count: int, start: int = 0) -> list[list]:
    commune = establishment.commune.code
    return [
        [
            f"Lò Văn Nhập {n}",
            "02/04/1998",
            "Nam",
            "Thái",
            citizen_id(n),
            "9",
            commune,
            establishment.code,
            "Có",
            "06/01/2025",
        ]
        for n in range(start, start + count)
    ]


def as_csv(rows, header=HEADER, bom=True, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows, header=HEADER, title="Quần chúng ưu tú", extra=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if extra:
        extra(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name="file.csv", kind="candidates"):
    return client.post("/imports/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


def preview(client, content, name="file.csv", kind="candidates"):
    response = upload(client, content, name, kind)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportBatch.objects.latest("pk")


def confirm(client, batch):
    return client.post(f"/imports/{batch.pk}/confirm/")


@pytest.fixture
def village(province):
    return province.home_establishment


def test_a_valid_file_previews_then_imports_every_row(board_client, board_user, village):
    batch = preview(board_client, as_csv(candidate_rows(village, 3)))
    assert batch.summary["created"] == 3 and batch.summary["errors"] == 0
    assert not Candidate.objects.exists()  # nothing before the confirmation
    confirm(board_client, batch)
    batch.refresh_from_db()
    assert batch.status == "imported"
    candidate = Candidate.objects.get(citizen_id=citizen_id(1))
    assert candidate.stage == "source" and candidate.is_youth_union_member
    assert candidate.source_list_entries.get().added_on == D(2025, 1, 6)
    assert StageEvent.objects.filter(stage="source").count() == 3
    record = candidate.history.get()
    assert (
        record.history_user == board_user and "spreadsheet" in (record.history_change_reason or "")
    ) or "bảng tính" in (record.history_change_reason or "")


def test_one_bad_row_among_10000_saves_nothing_and_is_named(board_client, village):
    rows = candidate_rows(village, 10_000)
    rows[6_789][1] = "31/02/1998"  # the spreadsheet's row 6,791
    batch = preview(board_client, as_csv(rows))
    assert batch.summary["rows"] == 10_000 and batch.summary["errors"] == 1
    error = batch.summary["error_rows"][0]
    assert error["row"] == 6_791 and error["value"] == "31/02/1998"
    assert error["column"] == "Ngày sinh" and "dd/mm/yyyy" in error["reason"]
    confirm(board_client, batch)
    assert not Candidate.objects.exists() and not SourceListEntry.objects.exists()
    page = board_client.get(f"/imports/{batch.pk}/").content.decode()
    assert "6791" in page and "31/02/1998" in page


def test_reimporting_the_same_file_changes_nothing(board_client, village):
    content = as_xlsx(candidate_rows(village, 5))
    confirm(board_client, preview(board_client, content, "file.xlsx"))
    histories = Candidate.history.count()
    entries = SourceListEntry.objects.count()
    again = preview(board_client, content, "file.xlsx")
    assert again.summary["unchanged"] == 5 and again.summary["created"] == again.summary["updated"] == 0
    confirm(board_client, again)
    assert Candidate.objects.count() == 5
    assert Candidate.history.count() == histories and SourceListEntry.objects.count() == entries


def test_a_row_updates_the_candidate_with_the_same_citizen_id(board_client, village):
    confirm(board_client, preview(board_client, as_csv(candidate_rows(village, 1))))
    rows = candidate_rows(village, 1)
    rows[0][5] = "12"
    batch = preview(board_client, as_csv(rows))
    assert batch.summary["updated"] == 1
    confirm(board_client, batch)
    assert Candidate.objects.get().education_grade == 12


class TestSameRulesAsTheForm:
    def errors(self, client, rows):
        batch = preview(client, as_csv(rows))
        return {(e["row"], e["column"]): e["reason"] for e in batch.summary["error_rows"]}

    def test_citizen_ids_are_checked_like_the_form_does(self, board_client, village):
        rows = candidate_rows(village, 3)
        rows[0][4] = "014198000001"  # digit 4 = 1: a woman
        rows[1][4] = "0141"  # too short
        rows[2][4] = rows[0][4]  # the same ID twice in the file
        errors = self.errors(board_client, rows)
        assert "4" in errors[(2, "Số định danh cá nhân")]
        assert "12" in errors[(3, "Số định danh cá nhân")]
        assert "2" in errors[(4, "Số định danh cá nhân")]

    def test_a_party_members_citizen_id_is_refused(self, board_client, village):
        member = PartyMemberFactory(establishment=village, birth_date=D(1998, 4, 2))
        rows = candidate_rows(village, 1)
        rows[0][4] = member.citizen_id
        assert member.full_name in self.errors(board_client, rows)[(2, "Số định danh cá nhân")]

    def test_unknown_values_and_places(self, board_client, village):
        rows = candidate_rows(village, 4)
        rows[0][2] = "Không rõ"
        rows[1][3] = "Kinh Thái"
        rows[2][6] = "99999"
        rows[3][5] = "13"
        errors = self.errors(board_client, rows)
        assert (2, "Giới tính") in errors and (3, "Dân tộc") in errors and (4, "Mã xã") in errors
        assert (5, "Trình độ văn hóa") in errors

    def test_rows_outside_the_users_scope_are_errors(self, reviewer_user, province):
        from django.test import Client

        from sonla_party import roles
        from tests.factories import make_user

        commune_user = make_user("importer", roles.COMMUNE_STAFF, commune=province.home_commune)
        client = Client()
        client.force_login(commune_user)
        rows = candidate_rows(province.other_establishment, 1)
        batch = preview(client, as_csv(rows))
        assert batch.summary["errors"] == 1 and batch.summary["error_rows"][0]["column"] == "Mã xã"
        assert reviewer_user  # a reviewer (no add right) has no import at all
        reviewer = Client()
        reviewer.force_login(reviewer_user)
        assert reviewer.get("/imports/").status_code == 200
        assert upload(reviewer, as_csv(candidate_rows(province.home_establishment, 1))).status_code == 404


class TestBadFiles:
    def refused(self, client, content, name, fragment):
        response = upload(client, content, name)
        assert response.status_code == 400
        assert fragment in response.content.decode()
        assert not ImportBatch.objects.exists() and not Candidate.objects.exists()

    def test_a_formula(self, board_client, village):
        """A formula in a data row is found by the check of the rows (a background job): the
        batch is refused and its page says why."""
        rows = candidate_rows(village, 2)
        rows[1][5] = "=4+5"
        response = upload(board_client, as_xlsx(rows), "f.xlsx")
        assert response.status_code == 302
        batch = ImportBatch.objects.get()
        assert batch.status == "refused" and not Candidate.objects.exists()
        page = board_client.get(response["Location"]).content.decode()
        assert "công thức" in page or "formula" in page
        assert 'data-testid="confirm"' not in page

    def test_merged_header_cells(self, board_client, village):
        content = as_xlsx(candidate_rows(village, 1), extra=lambda wb, ws: ws.merge_cells("A1:B1"))
        self.refused(board_client, content, "m.xlsx", "gộp")

    def test_the_wrong_sheet(self, board_client, village):
        def other_sheets(workbook, sheet):
            sheet.title = "Thống kê"
            sheet.delete_rows(1, 10)
            sheet.append(["Tổng", 12])
            workbook.create_sheet("Ghi chú").append(["abc"])

        self.refused(board_client, as_xlsx(candidate_rows(village, 1), extra=other_sheets), "w.xlsx", "Thống kê")

    def test_a_wrong_type(self, board_client):
        self.refused(board_client, b"%PDF-1.4 binary \x00\x01\x02", "report.pdf", "XLSX")
        self.refused(board_client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "XLSX")
        self.refused(board_client, "Họ và tên;Ngày sinh\n".encode("utf-16"), "utf16.csv", "UTF-8")

    def test_a_damaged_workbook(self, board_client):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        self.refused(board_client, buffer.getvalue(), "broken.xlsx", "XLSX")

    def test_over_the_size_limit(self, board_client, village):
        with override_settings(IMPORT_MAX_BYTES=1024):
            self.refused(board_client, as_csv(candidate_rows(village, 100)), "big.csv", "MB")

    def test_missing_columns(self, board_client, village):
        self.refused(
            board_client, as_csv([["Lò Văn A", "1998-01-01"]], header=["Họ và tên", "Ngày sinh"]), "x.csv", "Mã xã"
        )


class TestReading:
    def test_english_headers_no_bom_semicolons_and_trailing_empty_rows(self, board_client, village):
        header = [
            "Full name",
            "Birth date",
            "Gender",
            "Ethnicity",
            "Citizen ID",
            "General education",
            "Commune code",
            "Establishment code",
        ]
        rows = [row[:8] for row in candidate_rows(village, 2)] + [[""] * 8, [""] * 8]
        batch = preview(board_client, as_csv(rows, header=header, bom=False, delimiter=";"))
        assert batch.summary["rows"] == 2 and batch.summary["created"] == 2

    def test_excel_date_cells_and_iso_dates(self, board_client, village):
        rows = candidate_rows(village, 2)
        rows[0][1] = datetime.datetime(1998, 4, 2)
        rows[1][1] = "1998-04-02"
        rows[0][6] = int(rows[0][6])  # a commune code typed as a number loses its leading zero
        batch = preview(board_client, as_xlsx(rows), "d.xlsx")
        assert batch.summary["errors"] == 0, batch.summary["error_rows"]
        confirm(board_client, batch)
        assert set(Candidate.objects.values_list("birth_date", flat=True)) == {D(1998, 4, 2)}

    def test_the_bad_rows_download_lists_them_with_their_reasons(self, board_client, village):
        rows = candidate_rows(village, 3)
        rows[2][1] = "hôm qua"
        batch = preview(board_client, as_csv(rows))
        table = xlsx_rows(board_client.get(f"/imports/{batch.pk}/errors.xlsx"))
        assert len(table) == 2 and table[1][0] == 4 and "hôm qua" in table[1] and "Ngày sinh" in table[1][-1]

    def test_templates_hold_the_expected_columns(self, board_client):
        for kind in ("candidates", "establishments", "members"):
            workbook = load_workbook(io.BytesIO(board_client.get(f"/imports/templates/{kind}.xlsx").content))
            header = [c.value for c in workbook.active[1]]
            importer = imports.REGISTRY[kind]
            assert len(header) == len(importer.columns)
            # the template's example row is itself a valid file for the importer's reader
            _headers, rows = imports.read_table(
                board_client.get(f"/imports/templates/{kind}.xlsx").content,
                f"{kind}.xlsx",
                importer.columns,
                {imports.fold(n) for n in importer.sheet_names},
            )
            assert len(list(rows)) == 1

    def test_an_import_is_seen_by_its_uploader_only(self, board_client, reviewer_client, village):
        batch = preview(board_client, as_csv(candidate_rows(village, 1)))
        assert reviewer_client.get(f"/imports/{batch.pk}/").status_code == 404
        assert reviewer_client.post(f"/imports/{batch.pk}/confirm/").status_code == 404
        assert not Candidate.objects.exists()


class TestOtherKinds:
    def test_establishments_by_code_within_their_commune(self, board_client, board_user, village):
        header = ["Mã xã", "Mã cơ sở", "Tên cơ sở", "Loại cơ sở", "Ngày thành lập"]
        commune = village.commune.code
        rows = [
            [commune, village.code, "Bản Đổi Tên", "Bản", ""],
            [commune, "TH09", "Trường Tiểu học Mới", "Trường học", "01/09/2024"],
        ]
        batch = preview(board_client, as_csv(rows, header=header), kind="establishments")
        assert (batch.summary["created"], batch.summary["updated"]) == (1, 1)
        confirm(board_client, batch)
        village.refresh_from_db()
        assert village.name == "Bản Đổi Tên" and village.history.first().history_user == board_user
        assert Establishment.objects.get(code="TH09").opened_on == D(2024, 9, 1)

    def test_members_with_the_model_rules(self, board_client, village):
        header = [
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Số định danh cá nhân",
            "Mã xã",
            "Mã cơ sở",
            "Ngày kết nạp",
            "Ngày chính thức",
        ]
        commune = village.commune.code
        rows = [
            [
                "Lường Văn Điện",
                "10/02/1985",
                "Nam",
                "Thái",
                "014085001234",
                commune,
                village.code,
                "19/05/2012",
                "19/05/2013",
            ],
            [
                "Cầm Thị Ơn",
                "10/02/1990",
                "Nữ",
                "Thái",
                "014190001235",
                commune,
                village.code,
                "19/05/2012",
                "19/05/2011",
            ],  # official before admitted
        ]
        batch = preview(board_client, as_csv(rows, header=header), kind="members")
        assert batch.summary["errors"] == 1 and batch.summary["error_rows"][0]["row"] == 3
        rows.pop()
        confirm(board_client, preview(board_client, as_csv(rows, header=header), kind="members"))
        assert PartyMember.objects.get().official_on == D(2013, 5, 19)

    def test_establishment_factory_is_available(self):
        assert EstablishmentFactory


def test_the_bad_rows_of_an_unreadable_file_answer_with_the_reason_not_500(board_client, board_user):
    batch = ImportBatch.objects.create(
        user=board_user, kind="candidates", file_name="broken.csv", content=b"x", summary={}
    )
    response = board_client.get(f"/imports/{batch.pk}/errors.xlsx", follow=True)
    assert response.status_code == 200
    assert "Thiếu cột" in response.content.decode()  # the missing columns, in Vietnamese


def test_recent_imports_show_local_time(board_client, board_user):
    import datetime as dt

    batch = ImportBatch.objects.create(user=board_user, kind="candidates", file_name="a.csv", content=b"", summary={})
    ImportBatch.objects.filter(pk=batch.pk).update(uploaded_at=dt.datetime(2026, 1, 1, 20, 0, tzinfo=dt.UTC))
    page = board_client.get("/imports/").content.decode()
    assert "a.csv (02/01/2026 03:00)" in page  # 20:00 UTC is 03:00 the next day in Hà Nội time


def test_a_row_the_database_refuses_is_named_and_nothing_is_saved(board_client, board_user, village):
    """A constraint the checks did not foresee (here: they are made blind to an existing citizen
    ID, as when someone saves it in the meantime) is the row's error, not a 500."""
    from unittest import mock

    from candidates import imports as candidate_imports
    from tests.candidates.pipeline import new_candidate

    batch = preview(board_client, as_csv(candidate_rows(village, 3)))
    new_candidate(board_user, village, citizen_id=citizen_id(2), full_name="Người đã có")
    real = candidate_imports._existing

    def blind(*args):
        _by_id, same_day, in_scope = real(*args)
        return {}, same_day, in_scope

    with mock.patch.object(candidate_imports, "_existing", blind):
        response = confirm(board_client, batch)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "previewed" and batch.summary["errors"] == 1
    assert batch.summary["error_rows"][0]["row"] == 4  # the third data row
    assert list(Candidate.objects.values_list("full_name", flat=True)) == ["Người đã có"]
