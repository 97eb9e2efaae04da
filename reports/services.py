"""Every write of the reports that enforces a rule."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sonla_party.exceptions import RuleViolation

from .models import FinalisedReport
from .quarterly import Quarter, ReportMap, quarter_figures, report_rows, total


class ReportError(RuleViolation):
    """A rule of the quarterly report refused the action."""


@transaction.atomic
def finalise_quarter(*, quarter: Quarter, by, note: str = "") -> FinalisedReport:
    """Store the province's figures of `quarter` as presented (who, when). Only once per quarter,
    by a user who sees the whole province and may finalise; the quarter must be over."""
    if not by.has_perm("reports.finalise_report") or not by.scope.is_province:
        raise ReportError(_("Only organisation-board staff who see the whole province may finalise a report."))
    if quarter.end >= timezone.localdate():
        raise ReportError(_("Quarter %(quarter)s is not over yet.") % {"quarter": quarter})
    existing = FinalisedReport.objects.filter(year=quarter.year, quarter=quarter.number).select_related("finalised_by")
    if existing.exists():
        done = existing.get()
        raise ReportError(
            _("Quarter %(quarter)s was finalised by %(who)s on %(when)s.")
            % {
                "quarter": quarter,
                "who": done.finalised_by,
                "when": timezone.localtime(done.finalised_at).strftime("%d/%m/%Y"),
            }
        )
    report_map = ReportMap.of(quarter)
    rows = report_rows(by, report_map)
    figures = quarter_figures(by, [quarter], report_map, [u.pk for u in rows])[0]
    stored = {str(pk): row for pk, row in figures.items()}
    stored["province"] = total(list(figures.values()))
    report = FinalisedReport(year=quarter.year, quarter=quarter.number, figures=stored, finalised_by=by, note=note)
    report._history_user = by
    try:
        with transaction.atomic():  # two finalisations at once: the database keeps one
            report.save()
    except IntegrityError as error:
        raise ReportError(_("Quarter %(quarter)s has already been finalised.") % {"quarter": quarter}) from error
    return report
