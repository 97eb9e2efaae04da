"""The printable documents: every one rendered for a candidate who went through every step."""

import datetime
import re

import pytest
from django.urls import reverse

from candidates.choices import Stage
from candidates.documents import CANDIDATE_DOCUMENTS
from establishments.choices import OrganisationKind, OrganisationLevel
from establishments.models import PartyOrganisation, PartyOrganisationParent
from sonla_party.models import FileView
from tests.candidates.pipeline import TIMELINE, advance, new_candidate
from tests.documents_helpers import one_line, pdf_text, require_pdf

D = datetime.date
NAME = "Lò Thị Hương"


@pytest.fixture
def full_file(province, board_user):
    """A candidate admitted and recognised official, every step through the services."""
    require_pdf()
    candidate = new_candidate(
        board_user, province.home_establishment, full_name=NAME, gender="female", birth_date=D(1998, 3, 14)
    )
    cell, _members = advance(candidate, Stage.OFFICIAL, board_user)
    cell.name = "Chi bộ bản Mường Sang"
    cell.save()
    grassroots = PartyOrganisation.objects.create(
        name="Đảng bộ xã Chiềng Sơn",
        level=OrganisationLevel.GRASSROOTS,
        kind=OrganisationKind.GRASSROOTS_COMMITTEE,
        unit=province.home_commune,
    )
    PartyOrganisationParent.objects.create(organisation=cell, parent=grassroots, starts_on=D(2000, 1, 1))
    candidate.refresh_from_db()
    return candidate


def get_pdf(client, candidate, slug):
    response = client.get(reverse("candidates:candidate_document", args=[candidate.pk, slug]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return one_line(pdf_text(response.content))


def test_every_document_carries_the_file_with_its_diacritics(board_client, full_file):
    texts = {document.slug: get_pdf(board_client, full_file, document.slug) for document in CANDIDATE_DOCUMENTS}
    for slug, text in texts.items():
        assert NAME in text, slug
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text, slug
    cell_on, grassroots_on = TIMELINE[Stage.CELL_RESOLUTION], TIMELINE[Stage.GRASSROOTS_RESOLUTION]
    decided_on, official_on = TIMELINE[Stage.DECISION], TIMELINE[Stage.OFFICIAL]

    six = texts["form-6"]
    assert "Số: NQ-6" in six and "Chi bộ bản Mường Sang" in six and "Đảng bộ xã Chiềng Sơn" in six
    assert f"Chiềng Sơn, ngày {cell_on:%d} tháng {cell_on:%m} năm {cell_on:%Y}" in six
    assert "đảng viên chính thức của chi bộ: 9" in six and "tán thành việc kết nạp: 6" in six
    assert "không tán thành: 3" in six and "14/03/1998" in six and re.search(r"\b1/\d\b", six)  # page numbers

    eight = texts["form-8"]
    assert "Số: NQ-8" in eight and f"năm {grassroots_on:%Y}" in eight and "6/9" in eight
    assert "Ban Thường vụ Đảng bộ huyện Mộc Châu" in eight

    nine = texts["form-9"]
    assert "Số: QĐ-9" in nine and "BAN THƯỜNG VỤ ĐẢNG BỘ HUYỆN MỘC CHÂU" in nine
    assert f"Mộc Châu, ngày {decided_on:%d} tháng {decided_on:%m} năm {decided_on:%Y}" in nine
    assert "Kết nạp quần chúng Lò Thị Hương" in nine and "NQ-8" in nine

    sixteen = texts["form-16"]
    assert "Số: NQ-CT" in sixteen and "7/9" in sixteen and f"{official_on:%d/%m/%Y}" in sixteen
    assert "là đảng viên chính thức kể từ ngày 01/08/2024" in sixteen

    checklist = texts["checklist"]
    assert "Đơn xin vào Đảng (Mẫu 1-KNĐ)" in checklist and "NQ-6" in checklist and "QĐ-9" in checklist
    assert "Mẫu 1-KNĐ" in texts["form-1"] and "Mẫu 2-KNĐ" in texts["form-2"]


def test_documents_of_recorded_steps_print_the_same_later(board_client, full_file):
    before = get_pdf(board_client, full_file, "form-9")
    full_file.occupation = "Giáo viên"  # a later edit of the file does not rewrite a recorded decision
    full_file.full_name = "Lò Thị Hường"
    full_file.save()
    assert get_pdf(board_client, full_file, "form-9") == before


def test_the_decision_names_the_committee_stored_with_it(board_client, full_file):
    event = full_file.events.get(stage=Stage.DECISION)
    event.deciding_committee.name = "Đảng bộ huyện Mộc Châu (đã đổi)"
    event.deciding_committee.save()
    assert "BAN THƯỜNG VỤ ĐẢNG BỘ HUYỆN MỘC CHÂU (ĐÃ ĐỔI)" in get_pdf(board_client, full_file, "form-9")


def test_out_of_scope_documents_answer_404(full_file, province, board_user, reviewer_client):
    other = new_candidate(board_user, province.other_establishment, full_name="Cầm Văn Khánh")
    for document in CANDIDATE_DOCUMENTS:
        url = reverse("candidates:candidate_document", args=[other.pk, document.slug])
        assert reviewer_client.get(url).status_code == 404
    assert (
        reviewer_client.get(reverse("candidates:candidate_document", args=[full_file.pk, "nope"])).status_code == 404
    )


def test_a_step_not_recorded_answers_404(board_client, board_user, province):
    require_pdf()
    candidate = new_candidate(board_user, province.home_establishment)
    assert board_client.get(reverse("candidates:candidate_document", args=[candidate.pk, "form-9"])).status_code == 404
    assert board_client.get(reverse("candidates:candidate_document", args=[candidate.pk, "form-1"])).status_code == 200


def test_masked_ids_stay_masked_and_the_opening_is_logged(full_file, reviewer_client, reviewer_user, board_client):
    number = full_file.citizen_id
    masked = get_pdf(reviewer_client, full_file, "checklist")
    assert number not in masked and number[-4:] in masked
    assert number in get_pdf(board_client, full_file, "checklist")
    assert FileView.objects.of(full_file).filter(user=reviewer_user).count() == 1


def test_the_page_links_every_document_it_can_print(board_client, full_file):
    page = board_client.get(full_file.get_absolute_url()).content.decode()
    for document in CANDIDATE_DOCUMENTS:
        assert reverse("candidates:candidate_document", args=[full_file.pk, document.slug]) in page
