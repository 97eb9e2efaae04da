"""The pages that span both domain apps: the dashboard and the quarterly report."""

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from establishments.choices import EstablishmentKind
from sonla_party.exceptions import RuleViolation
from sonla_party.exports import csv_response, sheet_stamp, xlsx_response, xlsx_sheets_response
from sonla_party.jobs import counted, export_job_or_none
from sonla_party.pdf import pdf_response, prerender_document, reproducible_pdf_response, vietnamese_documents
from sonla_party.views import AsOfForm

from . import dashboard, documents, quarterly, resolution03, services
from .forms import DashboardForm, FinaliseForm, PeriodForm, QuarterForm, map_day


class DashboardView(TemplateView):
    """Where the province (or the user's district) stands on a date: the "blank" establishments.
    The chart's series over the years comes from `DashboardChartView`, after the page."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = DashboardForm(self.request.GET or None)
        as_of = form.as_of_date()
        rows, total, level = dashboard.blank_rows(self.request.user, as_of, map_day(form))
        context.update(
            form=form,
            as_of=as_of,
            rows=rows,
            total=total,
            row_level=level,
            party=dashboard.party_figures(self.request.user, as_of),
            my_work=dashboard.my_work(self.request.user, timezone.localdate()),
            my_work_first=not self.request.user.scope.is_province,
        )
        return context


class DashboardChartView(View):
    """The two blank counts at the end of every year since 2006, as JSON for the dashboard's chart."""

    def get(self, request):
        as_of = AsOfForm(request.GET or None).as_of_date()
        chart = dashboard.blank_series(request.user, dashboard.year_end_dates(as_of))
        chart["series"] = {"without_members": _("Without party members"), "without_cell": _("Without a party cell")}
        return JsonResponse(chart)


# --- Quarterly report ----------------------------------------------------------------------


@dataclass
class ReportCell:
    value: int
    link: str
    delta_previous: int
    delta_year: int
    live: int
    changed: bool


def report_cells(row: quarterly.ReportRow, quarter, finalised: dict | None) -> list[ReportCell]:
    cells = []
    for column in quarterly.COLUMNS:
        live = row.figures[column.key]
        shown = finalised.get(column.key, live) if finalised else live
        cells.append(
            ReportCell(
                value=shown,
                link=column.link(quarter, row.unit),
                delta_previous=shown - row.previous[column.key],
                delta_year=shown - row.year_before[column.key],
                live=live,
                changed=finalised is not None and shown != live,
            )
        )
    return cells


class QuarterlyReportMixin(PermissionRequiredMixin):
    permission_required = "establishments.view_establishment"

    def report_context(self):
        form = QuarterForm(self.request.GET or None)
        quarter = form.chosen_quarter()
        user = self.request.user
        report = quarterly.build_report(user, quarter, map_day(form))
        finalised = quarterly.finalised_for(quarter) if map_day(form) is None else None
        for row in [*report.rows, report.province]:
            if row is None:
                continue
            # The figures as presented, where the user sees the whole row: the province's board, or
            # the account of that very unit (a commune's staff never see their district's totals).
            whole = user.scope.is_province or (row.unit is not None and row.unit.pk == user.scope.unit_id)
            row.finalised = finalised.figures.get(row.key) if finalised and whole else None
            row.cells = report_cells(row, quarter, row.finalised)
        return {
            "form": form,
            "quarter": quarter,
            "report": report,
            "row_level": report.map.level,
            "across_reform": report.previous_level != report.map.level,
            "columns": quarterly.COLUMNS,
            "finalised": finalised,
            "changed_count": sum(c.changed for r in [*report.rows, report.province] if r for c in r.cells),
        }


class QuarterlyReportView(QuarterlyReportMixin, TemplateView):
    template_name = "reports/quarterly.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("_export") == "xlsx":
            return self.export()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.report_context())
        context["title"] = _("Quarterly report %(quarter)s") % {"quarter": context["quarter"]}
        context["can_finalise"] = (
            self.request.user.has_perm("reports.finalise_report") and self.request.user.scope.is_province
        )
        return context

    def export(self):
        context = self.report_context()
        quarter, report = context["quarter"], context["report"]
        rows = [r for r in [*report.rows, report.province] if r is not None]
        unit_header = _("District") if report.map.level == "district" else _("Commune")
        header = [_("Code"), unit_header, *[str(c.label) for c in quarterly.COLUMNS]]

        def sheet(value):
            yield header
            for row in rows:
                code, name = (row.unit.code, row.unit.name) if row.unit else ("", _("Whole province"))
                yield [code, name, *[value(cell) for cell in row.cells]]

        quarters = quarter.last(8)
        admissions = quarterly.admissions_by_quarter(self.request.user, quarters, report.map.day)
        sheets = {
            _("Quarter %(quarter)s") % {"quarter": str(quarter).replace("/", "-")}: sheet(lambda c: c.value),
            _("Change vs previous quarter"): sheet(lambda c: c.delta_previous),
            _("Change vs a year before"): sheet(lambda c: c.delta_year),
            _("Admissions by quarter"): [
                [unit_header, *admissions["labels"]],
                *[[name, *admissions[pk]] for pk, name in admissions["series"].items()],
            ],
        }
        title = _("Report on party development, quarter %(quarter)s") % {"quarter": quarter}
        state = (
            _("Finalised on %(date)s") % {"date": f"{timezone.localtime(context['finalised'].finalised_at):%d/%m/%Y}"}
            if context["finalised"]
            else _("Provisional figures: the quarter is not finalised")
        )
        preamble = [title, state, *sheet_stamp(self.request.user)]
        return xlsx_response(sheets, f"bao-cao-quy-{quarter.number}-{quarter.year}", preamble=preamble)


class QuarterlyChartsView(QuarterlyReportMixin, View):
    """The report's two charts over the last eight quarters, as JSON (loaded after the page)."""

    def get(self, request):
        form = QuarterForm(request.GET or None)
        quarters = form.chosen_quarter().last(8)
        which = request.GET.get("chart")
        if which == "blank":
            return JsonResponse(quarterly.blank_by_quarter(request.user, quarters))
        return JsonResponse(quarterly.admissions_by_quarter(request.user, quarters, map_day(form)))


class QuarterlyReportPrintView(QuarterlyReportMixin, TemplateView):
    template_name = "reports/quarterly_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.report_context())
        return context


class QuarterlyReportDocumentView(QuarterlyReportMixin, View):
    """The report as PDF: the figures of the page, the finalised mark and date once finalised.

    A finalised quarter's report is the same every time: made once for each scope, kept under the
    finalised report's id and time (`reproducible_pdf_response`), and sent from there afterwards."""

    def get(self, request):
        form = QuarterForm(request.GET or None)
        quarter = form.chosen_quarter()
        finalised = quarterly.finalised_for(quarter) if map_day(form) is None else None

        def build():
            template_name, context, _filename = documents.quarterly_report(self.report_context())
            return template_name, context

        filename = documents.report_filename(quarter)
        with vietnamese_documents():
            if finalised is not None:
                scope = request.user.scope
                version = f"quarterly:{finalised.pk}:{finalised.finalised_at.isoformat()}"
                version += f":{scope.level}:{scope.unit_id}"
                return reproducible_pdf_response(version, build, request=request, filename=filename)
            template_name, context = build()
            return pdf_response(template_name, context, request=request, filename=filename)


class FinaliseQuarterView(PermissionRequiredMixin, View):
    permission_required = "reports.finalise_report"
    http_method_names = ["post"]

    def post(self, request):
        form = FinaliseForm(request.POST)
        if not form.is_valid():
            # Nothing is finalised on a guess: the request must name the quarter the user saw.
            context = {"title": _("The quarter to finalise is missing or wrong"), "form": form}
            return TemplateResponse(request, "reports/finalise_refused.html", context, status=400)
        quarter = form.quarter_chosen()
        try:
            services.finalise_quarter(quarter=quarter, by=request.user, note=form.cleaned_data["note"])
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Quarter %(quarter)s finalised.") % {"quarter": quarter})
            # Its report is fixed from now on: made for the province's view (the board's) at once.
            url = f"{reverse('reports:quarterly_document')}?year={quarter.year}&quarter={quarter.number}"
            title, filename = documents.report_title(quarter), documents.report_filename(quarter)
            prerender_document(url, by=request.user, title=title, filename=filename)
        return HttpResponseRedirect(f"{reverse('reports:quarterly')}?year={quarter.year}&quarter={quarter.number}")


# --- Resolution 03 report -------------------------------------------------------------------


class Resolution03Mixin(PermissionRequiredMixin):
    permission_required = "establishments.view_establishment"

    @property
    def title(self) -> str:
        return _("Resolution 03-NQ/TU: establishments without members or a cell")

    def report_context(self):
        form = PeriodForm(self.request.GET or None)
        start, end = form.period()
        user = self.request.user
        report = resolution03.build_report(user, start, end, map_day(form))
        if user.scope.is_province:
            scope_name = _("Whole province")
        else:
            scope_name = report.map.units.unit(user.scope.unit_id).name if user.scope.unit_id else ""
        return {
            "form": form,
            "start": start,
            "end": end,
            "report": report,
            "scope_name": scope_name,
            "row_level": report.map.level,
            "kinds": EstablishmentKind.choices,
            "figures": [f for f in resolution03.figures() if f.when in ("start", "during")],
            "title": self.title,
            "query": self.request.GET.urlencode(),
        }


class Resolution03ReportView(Resolution03Mixin, TemplateView):
    """`/reports/resolution-03/?from=…&to=…`: year by year, by kind of establishment, each figure
    linked to its list; `_export=csv|xlsx` gives every figure of every year and row."""

    template_name = "reports/resolution03.html"

    def get(self, request, *args, **kwargs):
        export = request.GET.get("_export")
        if export in ("csv", "xlsx"):
            return export_job_or_none(self, export) or self.export(export)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.report_context())
        return context

    @cached_property
    def export_count(self) -> int:
        """The export's lines, known before any figure is counted: above EXPORT_JOB_ROWS (the whole
        province over several years) the export is a background job, as a long list's is."""
        form = PeriodForm(self.request.GET or None)
        start, end = form.period()
        return resolution03.line_count(self.request.user, start, end, map_day(form))

    def export(self, export_format: str):
        context = self.report_context()
        report, name = context["report"], context["scope_name"]
        filename = f"nghi-quyet-03-{report.start.isoformat()}-{report.end.isoformat()}"
        rows = resolution03.export_rows(report, name)
        if (progress := getattr(self.request, "export_progress", None)) is not None:  # run by a job
            rows = counted(rows, progress)
        if export_format == "csv":
            return csv_response(rows, filename)
        definitions = [
            [_("Figure"), _("Definition")],
            *[[str(f.label), str(f.definition)] for f in context["figures"]],
        ]
        dates = {"start": f"{report.start:%d/%m/%Y}", "end": f"{report.end:%d/%m/%Y}"}
        period = _("From %(start)s to %(end)s") % dates
        preamble = [context["title"], period, *sheet_stamp(self.request.user)]
        sheets = {_("Resolution 03"): rows, _("Definitions"): definitions}
        return xlsx_sheets_response(sheets, filename, preamble=preamble)


class Resolution03PrintView(Resolution03Mixin, TemplateView):
    template_name = "reports/resolution03_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.report_context())
        return context
