"""Pages of a background job: its progress (a fragment polled with htmx), its retry, its file."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.generic import View

from . import jobs
from .choices import JobKind
from .exceptions import RuleViolation
from .exports import XLSX_CONTENT_TYPE
from .models import Job
from .pdf import pdf_file_response


def own_job(request, pk, *, with_file=False) -> Job:
    """A job is seen by the person who started it only (404 for anyone else)."""
    queryset = Job.objects.for_user(request.user).select_related("batch")
    if not with_file:
        queryset = queryset.defer("file_content")
    return get_object_or_404(queryset, pk=pk)


def job_context(job: Job) -> dict:
    return {
        "job": job,
        "job_active": not job.is_finished,
        "can_retry": jobs.can_retry(job),
        "file_expired": job.status == "done" and bool(job.file_name) and jobs.file_expired(job),
        "job_file_hours": settings.JOB_FILE_HOURS,
    }


class JobDetailView(View):
    """An export job's page (an import's job is shown on its batch's page)."""

    def get(self, request, pk):
        job = own_job(request, pk)
        if job.batch_id:
            return HttpResponseRedirect(job.batch.get_absolute_url())
        context = {**job_context(job), "title": job.params.get("title") or job.get_kind_display()}
        return TemplateResponse(request, "jobs/job_detail.html", context)


class JobProgressView(View):
    """The progress fragment, polled by htmx; once the job has ended the whole page is reloaded
    (HX-Refresh), so that it shows the outcome."""

    def get(self, request, pk):
        job = own_job(request, pk)
        response = TemplateResponse(request, "jobs/progress.html", job_context(job))
        if job.is_finished and request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
        return response


class JobRetryView(View):
    http_method_names = ["post"]

    def post(self, request, pk):
        job = own_job(request, pk)
        try:
            job = jobs.retry_job(job=job, by=request.user)
        except RuleViolation as error:
            messages.error(request, error.message)
        else:
            messages.info(request, _("The job has been queued again."))
        return HttpResponseRedirect(job.get_absolute_url())


class JobFileView(View):
    """The file of a finished export or document, to its owner, while it is kept (JOB_FILE_HOURS).
    A PDF opens in the browser's viewer, as the document's own link does."""

    def get(self, request, pk):
        job = own_job(request, pk, with_file=True)
        if not job.has_file or jobs.file_expired(job):
            raise Http404
        if job.kind == JobKind.DOCUMENT:
            return pdf_file_response(bytes(job.file_content), job.file_name)
        content_type = "text/csv; charset=utf-8" if job.file_name.endswith(".csv") else XLSX_CONTENT_TYPE
        response = HttpResponse(bytes(job.file_content), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
        return response
