"""The quarterly report as PDF: the page's figures; once finalised, the kept ones with the mark."""

import datetime

from django.urls import reverse

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
