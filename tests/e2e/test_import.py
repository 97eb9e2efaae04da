"""A board member uploads a spreadsheet, reads the preview and confirms the import."""

import io

import pytest
from openpyxl import Workbook

from candidates.models import Candidate
from sonla_party import roles
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def workbook_file(tmp_path, commune_code, establishment_code):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Quần chúng ưu tú"
    sheet.append(
        [
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Số định danh cá nhân",
            "Trình độ văn hóa",
            "Mã xã",
            "Mã cơ sở",
        ]
    )
    sheet.append(["Lò Thị Hoa", "02/04/1998", "Nữ", "Thái", "014198012345", 9, commune_code, establishment_code])
    sheet.append(["Quàng Văn Nam", "15/06/1995", "Nam", "Thái", "014095012346", 12, commune_code, establishment_code])
    path = tmp_path / "quan-chung.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_upload_preview_confirm(page, tmp_path):
    district = DistrictFactory(code="123", name="Mộc Châu")
    # A code of no reference unit: the migrations' units may or may not be in the database here
    # (a transactional test empties it), and a shared code would make the rows ambiguous.
    commune = CommuneFactory(district=district, name="Chiềng Sơn", code="09979")
    village = EstablishmentFactory(commune=commune, name="Bản Mường Sang", code="B01")
    make_user("board-import", roles.BOARD)

    log_in(page, "board-import", TEST_PASSWORD)
    page.goto("/imports/")
    page.select_option("[name=kind]", "candidates")
    page.set_input_files("[name=file]", str(workbook_file(tmp_path, commune.code, village.code)))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_url("**/imports/*/")
    assert page.locator("[data-count=created]").inner_text() == "2"
    assert page.locator("[data-count=errors]").inner_text() == "0"
    assert not Candidate.objects.exists()  # nothing saved before the confirmation
    page.click("[data-testid=confirm]")
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1
    assert set(Candidate.objects.values_list("full_name", flat=True)) == {"Lò Thị Hoa", "Quàng Văn Nam"}
    assert page.locator("[data-testid=confirm]").count() == 0  # cannot be imported twice
