"""The quarterly report as PDF: the page's figures; once finalised, the kept ones with the mark."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import documents
from reports.models import FinalisedReport
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
