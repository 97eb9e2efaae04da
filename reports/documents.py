"""The quarterly report as a party document (PDF): the same figures as the page — the finalised
ones when the quarter was finalised, with the finalised mark and date — signed by the board."""

from django.utils import timezone

from candidates.documents import province_names
from sonla_party.pdf import Heading


def quarterly_report(context: dict) -> tuple[str, dict, str]:
    """(template, context, file name) from the page's own report context (`QuarterlyReportMixin`)."""
    quarter, finalised = context["quarter"], context["finalised"]
    day = timezone.localtime(finalised.finalised_at).date() if finalised else timezone.localdate()
    party, province = province_names()
    heading = Heading(
        title="Báo cáo",
        subject=f"kết quả công tác phát triển đảng viên quý {quarter.number} năm {quarter.year}",
        superior=party,
        issuer="Ban Tổ chức",
        number="",
        place=province,
        date=day,
        on_behalf="T/M Ban Tổ chức",
        signer_role="Trưởng ban",
        recipients=["Thường trực Tỉnh ủy (để báo cáo)", "Các đảng ủy trực thuộc", "Lưu"],
    )
    document = {**context, "doc": heading, "finalised_on": day if finalised else None}
    return "documents/quarterly_report.html", document, report_filename(quarter)


def report_title(quarter) -> str:
    return f"Báo cáo quý {quarter.number} năm {quarter.year}"


def report_filename(quarter) -> str:
    return f"bao-cao-quy-{quarter.number}-{quarter.year}"
