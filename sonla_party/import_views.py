"""Pages of the spreadsheet import: upload → preview (every bad row listed) → confirm (all or none).

The check of the rows and their save run as background jobs (`sonla_party.jobs`): the upload and
the confirmation queue one and lead to the batch's page, which shows its progress until it ends
on the preview or the result."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from . import imports, jobs
from .choices import ImportStatus, JobStatus
from .exceptions import RuleViolation
from .exports import xlsx_response
from .forms import DateInput, style_fields
from .models import ImportBatch


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(label=gettext_lazy("File (XLSX or CSV in UTF-8)"))
    as_of = forms.DateField(
        label=gettext_lazy("The data is as of"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Commune codes are read as they were on this date, for rows without their own date."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind, importer.label) for kind, importer in imports.allowed_importers(user).items()
        ]
        style_fields(self)


class ImportStartView(View):
    template_name = "imports/start.html"

    def get(self, request):
        return self.render(UploadForm(user=request.user))

    def render(self, form, status=200):
        context = {
            "form": form,
            "importers": imports.allowed_importers(self.request.user),
            "batches": ImportBatch.objects.filter(user=self.request.user)[:20],
            "title": _("Import from a spreadsheet"),
            "limit_mb": settings.IMPORT_MAX_BYTES // 1024 // 1024,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if not imports.allowed_importers(request.user):
            raise Http404
        if not form.is_valid():
            return self.render(form, status=400)
        upload = form.cleaned_data["file"]
        importer = imports.REGISTRY[form.cleaned_data["kind"]]
        try:
            imports.check_size(upload.size)
            content = upload.read()
            # The file's type, sheet and header are checked here, at once; its rows by the job.
            imports.read_table(content, upload.name, importer.columns, {imports.fold(n) for n in importer.sheet_names})
        except imports.ImportFileError as error:
            form.add_error("file", error.message)
            return self.render(form, status=400)
        batch = ImportBatch.objects.create(
            user=request.user,
            kind=importer.kind,
            file_name=upload.name[:255],
            content=content,
            as_of=form.cleaned_data.get("as_of"),
            status=ImportStatus.CHECKING,
        )
        jobs.start_import_check(batch=batch, by=request.user)
        return HttpResponseRedirect(batch.get_absolute_url())


def own_batch(request, pk) -> ImportBatch:
    """An import is seen by the person who uploaded it only."""
    return get_object_or_404(ImportBatch.objects.filter(user=request.user), pk=pk)


class ImportPreviewView(View):
    def get(self, request, pk):
        batch = own_batch(request, pk)
        importer = imports.REGISTRY[batch.kind]
        job = batch.jobs.defer("file_content").first()
        context = {
            "batch": batch,
            "importer": importer,
            "summary": batch.summary,
            "job": job,
            "job_active": job is not None and job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            "can_retry": job is not None and jobs.can_retry(job),
            "title": _("Import: %(file)s") % {"file": batch.file_name},
        }
        return TemplateResponse(request, "imports/preview.html", context)


class ImportConfirmView(View):
    """Queues the save of every row or none; the job reads and checks the file again (the data
    may have changed). A batch is imported once: `jobs.start_import_save` moves it, locked, from
    previewed to being imported, so a second confirm (a double click, two tabs) queues nothing."""

    http_method_names = ["post"]

    def post(self, request, pk):
        batch = own_batch(request, pk)
        importer = imports.REGISTRY[batch.kind]
        if not all(request.user.has_perm(p) for p in importer.permissions):
            raise Http404
        try:
            jobs.start_import_save(batch=batch, by=request.user)
        except RuleViolation as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(batch.get_absolute_url())


class BadRowsView(View):
    """The wrong rows as an XLSX: their values, their row number and every reason."""

    def get(self, request, pk):
        batch = own_batch(request, pk)
        importer = imports.REGISTRY[batch.kind]
        try:
            outcome = imports.run_batch(batch, user=request.user, save=False)
        except imports.ImportFileError as error:  # the whole file is wrong: its page says why
            messages.error(request, error.message)
            return HttpResponseRedirect(batch.get_absolute_url())
        reasons = {}
        for error in outcome.errors:
            reasons.setdefault(error.row, []).append(f"{error.column}: {error.reason}")
        _mapping, rows = imports.read_table(
            bytes(batch.content), batch.file_name, importer.columns, {imports.fold(n) for n in importer.sheet_names}
        )
        keys = [column.key for column in importer.columns]

        def table():
            yield [_("Row"), *[str(column.label) for column in importer.columns], _("Errors")]
            for number, values in rows:
                if number in reasons:
                    yield [number, *[values.get(key) for key in keys], "; ".join(reasons[number])]

        return xlsx_response({_("Bad rows"): table()}, f"loi-{batch.pk}")


class TemplateDownloadView(View):
    """An empty workbook with the expected columns and one example row."""

    def get(self, request, kind):
        importer = imports.allowed_importers(request.user).get(kind)
        if importer is None:
            raise Http404
        rows = [
            [str(column.label) for column in importer.columns],
            [importer.example.get(column.key, "") for column in importer.columns],
        ]
        return xlsx_response({importer.sheet_title: rows}, f"mau-{kind}")
