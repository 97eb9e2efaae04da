"""The PDF buttons in a real browser: the candidate's page, the class page and the report page each
give a PDF (content type, "%PDF" signature, a Vietnamese file name with the date) whose text holds
the candidate's or the class's name; a long one is followed through its job's page to the PDF."""

import datetime

import pytest
from django.utils import timezone

from candidates.choices import Stage
from candidates.models import Enrollment, TrainingClass
from sonla_party import roles
from sonla_party.models import RenderedDocument
from tests.candidates.pipeline import advance, new_candidate
from tests.documents_helpers import one_line, pdf_text, require_pdf
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Lò Thị Hương"
CLASS = "Lớp bồi dưỡng Mường Sang 1/2025"


def opened_pdf(page, button) -> tuple[str, bytes]:
    """Click a PDF button (a link, opening a tab or not) and return (file name, content) of the
    document the browser received (shown by Chromium's PDF viewer; fetched again, as the same user,
    to read its bytes)."""

    def is_document(response):  # the server's answer, not the PDF viewer's own stream of it
        return response.url.startswith("http") and "application/pdf" in response.headers.get("content-type", "")

    with page.context.expect_event("response", predicate=is_document) as answer:
        button.click()
    response = answer.value
    assert response.status == 200, response.url
    assert response.headers["content-type"] == "application/pdf", response.url
    disposition = response.headers["content-disposition"]
    content = page.request.get(response.url).body()  # the same URL again, as the same user
    return disposition, content


def test_the_pdf_buttons_give_pdfs_with_the_names(page, settings):
    require_pdf()
    district = DistrictFactory(code="123", name="Mộc Châu")
    commune = CommuneFactory(district=district, name="Chiềng Sơn")
    village = EstablishmentFactory(commune=commune, name="Bản Mường Sang")
    board = make_user("board-documents", roles.BOARD)
    candidate = new_candidate(board, village, citizen_id=None, full_name=NAME)
    advance(candidate, Stage.OFFICIAL, board)
    training_class = TrainingClass.objects.create(
        name=CLASS,
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=district,
        starts_on=datetime.date(2025, 3, 3),
        ends_on=datetime.date(2025, 3, 7),
        capacity=40,
    )
    Enrollment.objects.create(
        training_class=training_class,
        candidate=candidate,
        enrolled_on=datetime.date(2025, 2, 20),
        organiser=training_class.organiser,
        attended=True,
        completed=True,
        certificate_number="GCN-MS-1",
        certificate_on=datetime.date(2025, 3, 8),
    )
    today = f"{timezone.localdate():%Y-%m-%d}"
    log_in(page, "board-documents", TEST_PASSWORD)

    page.goto(candidate.get_absolute_url())
    documents = page.locator("[data-testid=documents] a")
    assert documents.count() == 7  # the checklist, 1-, 2-, 6-, 8-, 9- and 16-KNĐ
    for index in (0, 5):  # the checklist (today's) and the admission decision (9-KNĐ, from its step)
        disposition, content = opened_pdf(page, documents.nth(index))
        assert content.startswith(b"%PDF")
        assert NAME in one_line(pdf_text(content))
        assert disposition.endswith(f'-{candidate.pk}-{today}.pdf"'), disposition

    page.goto(training_class.get_absolute_url())
    disposition, content = opened_pdf(page, page.locator("[data-testid=class-list-pdf]"))
    text = one_line(pdf_text(content))
    assert content.startswith(b"%PDF") and NAME in text and CLASS in text
    assert f'filename="danh-sach-hoc-vien-lop-{training_class.pk}-{today}.pdf"' in disposition

    # A long list is laid out by a job: the button leads to its page, which offers the PDF.
    settings.DOCUMENT_JOB_CELLS = 5
    RenderedDocument.objects.all().delete()  # the list made above may be kept: it would be sent from there
    page.goto(training_class.get_absolute_url())
    page.locator("[data-testid=class-list-pdf]").click()
    page.wait_for_url("**/jobs/*/")
    assert page.locator("[data-testid=job]").get_attribute("data-status") == "done"
    disposition, content = opened_pdf(page, page.locator("[data-testid=job-file]"))
    assert NAME in one_line(pdf_text(content))
    assert f'filename="danh-sach-hoc-vien-lop-{training_class.pk}-{today}.pdf"' in disposition
    settings.DOCUMENT_JOB_CELLS = 600

    page.goto("/reports/quarterly/?year=2025&quarter=1")
    disposition, content = opened_pdf(page, page.locator("[data-testid=report-pdf]"))
    text = one_line(pdf_text(content))
    assert content.startswith(b"%PDF") and "Mộc Châu" in text and "quý 1 năm 2025" in text
    assert f'filename="bao-cao-quy-1-2025-{today}.pdf"' in disposition
