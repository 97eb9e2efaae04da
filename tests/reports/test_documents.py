"""The quarterly report as PDF: the page's figures; once finalised, the kept ones with the mark."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import documents
from reports.models import FinalisedReport
from sonla_party import pdf
from sonla_party.choices import JobKind, JobStatus
from sonla_party.models import Job, RenderedDocument
from tests.documents_helpers import one_line, pdf_text, require_pdf
from tests.factories import PartyMemberFactory

D = datetime.date


def report_text(client, **params):
    response = client.get(reverse("reports:quarterly_document"), {"year": 2024, "quarter": 2, **params})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return one_line(pdf_text(response.content))


def test_the_report_pdf_has_the_figures_and_once_finalised_the_mark_and_kept_figures(board_client, province):
    require_pdf()
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 5, 1), official_on=None)
    text = report_text(board_client)
    assert "Mộc Châu" in text and "Sông Mã" in text and "Toàn tỉnh" in text
    assert "quý chưa chốt" in text and "ĐÃ CHỐT" not in text
    assert board_client.post(reverse("reports:quarterly_finalise"), {"year": 2024, "quarter": 2}).status_code == 302
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 6, 1), official_on=None)
    finalised = report_text(board_client)
    today = datetime.date.today()
    assert f"ĐÃ CHỐT SỐ LIỆU ngày {today:%d/%m/%Y}" in finalised
    assert "Báo cáo kết quả công tác phát triển đảng viên quý 2 năm 2024".upper()[:6] in finalised.upper()


def test_a_reviewer_gets_their_own_row_only(reviewer_client, province):
    require_pdf()
    text = report_text(reviewer_client)
    assert "Mộc Châu" in text and "Sông Mã" not in text and "Toàn tỉnh" not in text


def test_a_finalised_quarters_report_is_made_once_per_scope_and_sent_the_same(
    board_client, reviewer_client, province, monkeypatch
):
    require_pdf()
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 5, 1), official_on=None)
    assert board_client.post(reverse("reports:quarterly_finalise"), {"year": 2024, "quarter": 2}).status_code == 302
    url = f"{reverse('reports:quarterly_document')}?year=2024&quarter=2"
    first = board_client.get(url).content
    theirs = one_line(pdf_text(reviewer_client.get(url).content))  # another scope: made for it
    assert "Sông Mã" not in theirs and "Sông Mã" in one_line(pdf_text(first))
    monkeypatch.setattr(documents, "quarterly_report", lambda context: pytest.fail("figures computed again"))
    # Data recorded afterwards changes nothing: the finalised report is kept as it was made.
    PartyMemberFactory(establishment=province.other_establishment, admitted_on=D(2024, 6, 1), official_on=None)
    again = board_client.get(url)
    assert again.status_code == 200 and again.content == first
    assert again["Content-Disposition"] == f'inline; filename="bao-cao-quy-2-2024-{timezone.localdate():%Y-%m-%d}.pdf"'
    # Finalised anew (another version): made again.
    FinalisedReport.objects.filter(year=2024, quarter=2).update(finalised_at=timezone.now() + datetime.timedelta(1))
    monkeypatch.undo()
    assert board_client.get(url).content != first


def test_a_quarter_finalised_has_its_report_made_at_once_for_the_province(
    board_client, board_user, province, monkeypatch
):
    require_pdf()
    PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2024, 5, 1), official_on=None)
    assert board_client.post(reverse("reports:quarterly_finalise"), {"year": 2024, "quarter": 2}).status_code == 302
    job = Job.objects.get(owner=board_user, kind=JobKind.DOCUMENT)  # ran at once here (tests' queue)
    assert job.status == JobStatus.DONE and RenderedDocument.objects.exists()
    # Even the first click is answered from the kept PDF: neither the figures nor the layout again.
    monkeypatch.setattr(documents, "quarterly_report", lambda context: pytest.fail("figures computed again"))
    monkeypatch.setattr(pdf, "lay_out", lambda html: pytest.fail("laid out again"))
    response = board_client.get(f"{reverse('reports:quarterly_document')}?year=2024&quarter=2")
    assert response.status_code == 200 and response.content == bytes(job.file_content)
    assert "ĐÃ CHỐT SỐ LIỆU" in one_line(pdf_text(response.content))


def test_a_long_report_is_made_by_a_job(board_client, board_user, province, settings):
    require_pdf()
    settings.DOCUMENT_JOB_CELLS = 10  # two districts and the province: 57 cells
    response = board_client.get(reverse("reports:quarterly_document"), {"year": 2024, "quarter": 2})
    job = Job.objects.get(owner=board_user, kind=JobKind.DOCUMENT)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    made = board_client.get(reverse("jobs:job_file", args=[job.pk]))
    text = one_line(pdf_text(made.content))
    assert "Mộc Châu" in text and "Sông Mã" in text and "quý chưa chốt" in text
