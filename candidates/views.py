from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from django.views.generic.detail import SingleObjectMixin

from sonla_party.choices import AccessDoor
from sonla_party.exceptions import RuleViolation
from sonla_party.exports import xlsx_response
from sonla_party.models import FileView
from sonla_party.pdf import DocumentView, pdf_response, prerender_html, vietnamese_documents
from sonla_party.sensitive import can_see_sensitive
from sonla_party.views import (
    AsOfForm,
    AutocompleteView,
    FileViewListView,
    FilteredListView,
    ModelPermissionMixin,
    RecordsFileViewMixin,
    RecordsFormReadMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedQuerysetMixin,
    ScopedUpdateView,
)
from sonla_party.widgets import forget_refused_choices

from . import documents, rules, services
from .choices import Stage
from .filters import (
    QUEUE_TABS,
    CandidateFilterSet,
    SourceListFilterSet,
    TrainingClassFilterSet,
    queue_condition,
    queue_counts,
)
from .forms import (
    STEP_FORMS,
    CandidateCorrectionForm,
    CandidateForm,
    CertificatePeriodForm,
    DossierUpdateForm,
    EnrolForm,
    IntroducerForm,
    TrainingClassForm,
    enrolment_classes,
    roster_formset,
    roster_rows,
    step_forms_for,
)
from .models import Candidate, SourceList, TrainingClass
from .tables import CandidateTable, DecisionQueueTable, SourceListTable, TrainingClassTable, WorkQueueTable


class CandidateListView(FilteredListView):
    model = Candidate
    filterset_class = CandidateFilterSet
    table_class = CandidateTable
    title = gettext_lazy("Candidates")
    create_url = "candidates:candidate_create"
    template_name = "candidates/candidate_list.html"
    logs_export = True

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune")

    def get_filterset_kwargs(self, filterset_class):
        """Opened without filters, the list (and its export) shows the people still in the procedure."""
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["data"] = filterset_class.opening_on_the_work(kwargs["data"] or QueryDict())
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = self.filterset.data.urlencode()
        if self.request.user.has_perm("candidates.add_enrollment"):
            context["enrol_form"] = EnrolForm(user=self.request.user)
            today = timezone.localdate()
            classes = list(enrolment_classes(self.request.user))  # one query for both groups
            context["open_classes"] = [c for c in classes if c.ends_on >= today]
            context["ended_classes"] = [c for c in classes if c.ends_on < today]
        return context


class CandidateDetailView(RecordsFileViewMixin, ScopedDetailView):
    model = Candidate

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune__parent", "party_cell", "helper", "party_member")

    def get_context_data(self, bound_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        candidate, user = self.object, self.request.user
        context.update(
            events=candidate.events.select_related("recorded_by").order_by("occurred_on", "pk"),
            introducers=candidate.introducers.select_related("party_member"),
            entries=candidate.source_list_entries.select_related("source_list"),
            step_forms=step_forms_for(candidate, user, bound=bound_form),
            checklist=rules.next_step_requirements(candidate, timezone.localdate()),
            documents=documents.available_documents(candidate.events.all()),
            can_move=user.has_perm("candidates.move_candidate"),
            duplicates=services.possible_duplicates(
                full_name=candidate.full_name, birth_date=candidate.birth_date, exclude_pk=candidate.pk, user=user
            ),
        )
        if candidate.dossier_is_open and context["can_move"]:
            context["dossier_form"] = (
                bound_form
                if isinstance(bound_form, DossierUpdateForm)
                else DossierUpdateForm(candidate=candidate, user=user, prefix="dossier")
            )
            context["introducer_form"] = (
                bound_form
                if isinstance(bound_form, IntroducerForm)
                else IntroducerForm(candidate=candidate, user=user, prefix="introducer")
            )
        return context


class CandidateActionView(PermissionRequiredMixin, View):
    """POST a form of the candidate's page; on a refusal, the page again with the form as typed."""

    permission_required = "candidates.view_candidate"
    http_method_names = ["post"]

    def get_candidate(self) -> Candidate:
        return get_object_or_404(Candidate.objects.for_user(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, candidate):
        raise NotImplementedError

    def post(self, request, pk, **kwargs):
        candidate = self.get_candidate()
        form = self.get_form(candidate)
        if form.is_valid():
            try:
                form.perform()
            except RuleViolation as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, self.success_message(candidate))
                return HttpResponseRedirect(candidate.get_absolute_url())
        forget_refused_choices(form)
        detail = CandidateDetailView(request=request, kwargs={"pk": pk}, object=candidate)
        context = detail.get_context_data(bound_form=form, object=candidate)
        FileView.record_view(user=request.user, obj=candidate, door=AccessDoor.FORM_ERROR)
        messages.error(request, _("Nothing was saved: see the form below."))
        return detail.render_to_response(context, status=400)

    def success_message(self, candidate):
        return _("Saved.")


class CandidateStepView(CandidateActionView):
    """Record a step of the pipeline through its service."""

    def get_form(self, candidate):
        form_class = STEP_FORMS.get(self.kwargs["stage"])
        if form_class is None:
            raise Http404
        return form_class(self.request.POST, candidate=candidate, user=self.request.user, prefix=form_class.stage)

    def success_message(self, candidate):
        candidate.refresh_from_db()
        return _("%(name)s: “%(stage)s” recorded.") % {
            "name": candidate.full_name,
            "stage": candidate.get_stage_display(),
        }


class DossierUpdateView(CandidateActionView):
    def get_form(self, candidate):
        return DossierUpdateForm(self.request.POST, candidate=candidate, user=self.request.user, prefix="dossier")


class IntroducerCreateView(CandidateActionView):
    def get_form(self, candidate):
        return IntroducerForm(self.request.POST, candidate=candidate, user=self.request.user, prefix="introducer")


class CandidateCreateView(ScopedCreateView):
    model = Candidate
    form_class = CandidateForm
    template_name = "candidates/candidate_form.html"
    list_url = "candidates:candidate_list"

    def save_form(self, form):
        return services.create_candidate(
            candidate=form.instance, added_on=form.cleaned_data["added_on"], by=self.request.user
        )


class CandidateUpdateView(RecordsFormReadMixin, ScopedUpdateView):
    model = Candidate
    form_class = CandidateForm
    template_name = "candidates/candidate_form.html"

    def save_form(self, form):
        return services.update_candidate(candidate=form.instance, by=self.request.user)


class CandidateCorrectionView(PermissionRequiredMixin, View):
    """The one door to change a frozen fact: the organisation board, with a reason."""

    permission_required = "candidates.change_candidate"
    template_name = "includes/form_page.html"

    def get_candidate(self):
        """Out of scope: 404, as everywhere; in scope but not the organisation board: 403."""
        candidate = get_object_or_404(Candidate.objects.for_user(self.request.user), pk=self.kwargs["pk"])
        if not self.request.user.scope.is_province:
            raise PermissionDenied
        return candidate

    def render(self, candidate, form, status=200):
        context = {
            "form": form,
            "object": candidate,
            "title": _("Correct the file of %(name)s") % {"name": candidate.full_name},
            "cancel_url": candidate.get_absolute_url(),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        candidate = self.get_candidate()
        FileView.record_view(user=request.user, obj=candidate, door=AccessDoor.CORRECTION)
        return self.render(candidate, CandidateCorrectionForm(instance=candidate, user=request.user))

    def post(self, request, pk):
        candidate = self.get_candidate()
        form = CandidateCorrectionForm(request.POST, instance=candidate, user=request.user)
        if form.is_valid():
            try:
                changed = form.perform()
            except RuleViolation as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                labels = ", ".join(str(Candidate._meta.get_field(name).verbose_name) for name in changed)
                messages.success(request, _("Corrected: %(fields)s.") % {"fields": labels})
                return HttpResponseRedirect(candidate.get_absolute_url())
        FileView.record_view(
            user=request.user, obj=candidate, door=AccessDoor.FORM_ERROR, details={"form": "correction"}
        )
        return self.render(candidate, form, status=400)


class WorkQueueView(FilteredListView):
    """What is overdue, and what falls due within 7 and 30 days, in the user's scope."""

    model = Candidate
    filterset_class = CandidateFilterSet
    table_class = WorkQueueTable
    title = gettext_lazy("Work queue")
    template_name = "candidates/work_queue.html"
    export_name = "work-queue"
    logs_export = True

    def get(self, request, *args, **kwargs):
        self.as_of_form = AsOfForm(request.GET or None)
        self.as_of = self.as_of_form.as_of_date()
        self.window = self.request.GET.get("window", "30")
        return super().get(request, *args, **kwargs)

    def scope_queryset(self, queryset):
        # every file in scope: a tab's condition says which it shows (a deadline, or no legal basis)
        return queryset.select_related("establishment__commune")

    def get_context_data(self, **kwargs):
        """The filtered files with a deadline, cut to the tab's window: each badge counts, under
        the same filters, the rows its tab shows (and the export holds the tab's rows)."""
        due = self.object_list
        self.object_list = kwargs["object_list"] = due.filter(queue_condition(self.window, self.as_of))
        context = super().get_context_data(**kwargs)
        context.update(
            as_of_form=self.as_of_form,
            as_of=self.as_of,
            window=self.window if self.window in QUEUE_TABS else "30",
            counts=queue_counts(due, self.as_of),
            tab_query=self.tab_query(),
        )
        return context

    def tab_query(self) -> str:
        """The page's filters without the tab and the page number: the tabs' links keep them."""
        params = self.request.GET.copy()
        for name in ("window", "page", "_export"):
            params.pop(name, None)
        params["as_of"] = self.as_of.isoformat()
        return params.urlencode()


class DecisionQueueView(FilteredListView):
    """District reviewers: their district's candidates awaiting the admission decision."""

    model = Candidate
    filterset_class = CandidateFilterSet
    table_class = DecisionQueueTable
    title = gettext_lazy("Awaiting the admission decision")
    export_name = "awaiting-decision"
    logs_export = True

    def scope_queryset(self, queryset):
        """Decisions are the competent committee's: an account of a unit that has ended (a district
        since 01/07/2025) has none left to record."""
        if not self.request.user.scope.is_open_on(timezone.localdate()):
            return queryset.none()
        return queryset.filter(stage=Stage.GRASSROOTS_RESOLUTION).select_related("establishment__commune")


class CandidateAutocompleteView(AutocompleteView):
    model = Candidate

    def get_queryset(self):
        return super().get_queryset().select_related("establishment").order_by("full_name")

    def label(self, obj):
        return f"{obj.full_name} ({obj.birth_date:%d/%m/%Y}, {obj.establishment})"


class SourceListListView(FilteredListView):
    model = SourceList
    table_class = SourceListTable
    title = gettext_lazy("Source lists")

    filterset_class = SourceListFilterSet

    def scope_queryset(self, queryset):
        return queryset.select_related("commune__parent")


class SourceListDetailView(ScopedDetailView):
    model = SourceList

    def scope_queryset(self, queryset):
        return queryset.select_related("commune__parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = self.object.entries.select_related("candidate", "establishment").order_by(
            "candidate__full_name"
        )
        return context


# --- Training classes ----------------------------------------------------------------------


class TrainingClassListView(FilteredListView):
    model = TrainingClass
    filterset_class = TrainingClassFilterSet
    table_class = TrainingClassTable
    title = gettext_lazy("Training classes")
    create_url = "candidates:training_class_create"
    export_name = "training-classes"

    def scope_queryset(self, queryset):
        return queryset.select_related("unit").with_counts()


def record_roster_read(request, training_class, view: str, enrollments=None) -> None:
    """A class roster (its page, print, spreadsheet, list) reads the files of everyone listed: one
    entry of the access log for the class, with the number of people and who they are."""
    if enrollments is None:
        enrollments = training_class.enrollments_seen_by(request.user)
    candidate_ids = list(enrollments.order_by("candidate_id").values_list("candidate_id", flat=True))
    FileView.record_view(
        user=request.user,
        obj=training_class,
        door=AccessDoor.ROSTER,
        details={"view": view, "count": len(candidate_ids), "candidates": candidate_ids},
    )


class TrainingClassDetailView(ScopedDetailView):
    model = TrainingClass
    roster_view = "page"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        record_roster_read(request, self.object, self.roster_view)
        return response

    def scope_queryset(self, queryset):
        return queryset.select_related("unit").with_counts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["enrollments"] = (
            self.object.enrollments_seen_by(self.request.user)
            .select_related("candidate__establishment__commune")
            .order_by("candidate__full_name", "pk")
        )
        context["status"] = self.object.status_on(timezone.localdate())
        return context


class TrainingClassFormMixin:
    model = TrainingClass
    form_class = TrainingClassForm
    list_url = "candidates:training_class_list"

    def save_form(self, form):
        return services.save_training_class(training_class=form.instance, by=self.request.user)


class TrainingClassCreateView(TrainingClassFormMixin, ScopedCreateView):
    pass


class TrainingClassUpdateView(TrainingClassFormMixin, ScopedUpdateView):
    pass


class RosterView(ModelPermissionMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """The whole class's attendance, results and certificates in one form."""

    model = TrainingClass
    permission_required = "candidates.change_enrollment"
    template_name = "candidates/roster_form.html"

    def get(self, request, pk):
        self.object = self.get_object()
        formset, _enrollments = roster_formset(self.object, request.user)
        record_roster_read(request, self.object, "form")
        return self.render(formset)

    def post(self, request, pk):
        self.object = self.get_object()
        formset, enrollments = roster_formset(self.object, request.user, data=request.POST)
        if formset.is_valid():
            try:
                moved = services.save_roster(
                    training_class=self.object, rows=roster_rows(formset, enrollments), by=request.user
                )
            except services.RosterError as error:
                show_stored(formset, self.object)  # nothing was saved: the rows say what the database holds
                for index, field_errors in error.errors.items():
                    for field, message in field_errors.items():
                        formset.forms[index].add_error(
                            field if field in formset.forms[index].fields else None, message
                        )
                messages.error(request, error.message)
            except RuleViolation as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Roster saved; %(count)s candidate(s) now trained.") % {"count": moved})
                with vietnamese_documents():  # the results recorded: the class's list is made for its next reader
                    template_name, context, filename = documents.class_list(self.object)
                    prerender_html(template_name, context, by=request.user, filename=filename)
                return HttpResponseRedirect(self.object.get_absolute_url())
        record_roster_read(request, self.object, "form_error")
        return self.render(formset, status=400)

    def render(self, formset, status=200):
        context = {
            "object": self.object,
            "formset": formset,
            "title": _("Roster of %(class)s") % {"class": self.object},
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


def show_stored(formset, training_class) -> None:
    """After a refused roster, each row's enrolment and candidate as stored (the refused attempt
    changed them in memory before the rollback)."""
    stored = {e.pk: e for e in training_class.enrollments.select_related("candidate")}
    for form in formset.forms:
        enrollment = getattr(form, "enrollment_object", None)
        if enrollment is not None and enrollment.pk in stored:
            form.enrollment_object = stored[enrollment.pk]


def roster_table_rows(training_class, user):
    shows_ethnicity = can_see_sensitive(user)  # sensitive: the column is left out for others
    header = [
        _("No."),
        _("Full name"),
        _("Birth date"),
        _("Gender"),
        *([_("Ethnicity")] if shows_ethnicity else []),
        _("Commune"),
        _("Attended"),
        _("Completed"),
        _("Essay"),
        _("Certificate number"),
        _("Certificate date"),
    ]
    yield header
    enrollments = (
        training_class.enrollments_seen_by(user)
        .select_related("candidate__establishment__commune")
        .order_by("candidate__full_name", "pk")
    )
    for number, e in enumerate(enrollments, start=1):
        c = e.candidate
        yield [
            number,
            c.full_name,
            c.birth_date,
            c.get_gender_display(),
            *([c.get_ethnicity_display()] if shows_ethnicity else []),
            c.establishment.commune.name,
            e.attended,
            e.completed,
            e.get_essay_result_display(),
            e.certificate_number,
            e.certificate_on,
        ]


class RosterExportView(ModelPermissionMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    model = TrainingClass

    def get(self, request, pk):
        training_class = self.get_object()
        record_roster_read(request, training_class, "xlsx")
        return xlsx_response(
            {str(_("Roster")): roster_table_rows(training_class, request.user)}, f"roster-{training_class.pk}"
        )


class RosterPrintView(TrainingClassDetailView):
    template_name = "candidates/roster_print.html"
    roster_view = "print"


class EnrolView(PermissionRequiredMixin, View):
    """Enrol the ticked candidates of the list — or all that match its filters, once confirmed for
    their number — in a class."""

    permission_required = "candidates.add_enrollment"
    http_method_names = ["post"]

    def post(self, request):
        form = EnrolForm(request.POST, user=request.user)
        back = f"{reverse('candidates:candidate_list')}?{request.POST.get('filters', '')}"
        if not form.is_valid():
            for error in form.errors.values():
                messages.error(request, " ".join(error))
            return HttpResponseRedirect(back)
        candidates = form.cleaned_data["selection"]
        training_class = form.cleaned_data["training_class"]
        if form.cleaned_data["everyone"]:
            filterset = CandidateFilterSet(
                CandidateFilterSet.opening_on_the_work(QueryDict(form.cleaned_data["filters"])),
                queryset=Candidate.objects.for_user(request.user),
                request=request,
            )
            if not filterset.is_valid():
                messages.error(request, _("The list's filters are not valid: correct them first."))
                return HttpResponseRedirect(reverse("candidates:candidate_list"))
            candidates = filterset.qs
            count = candidates.count()
            if form.cleaned_data["confirmed_count"] != count:
                return self.confirm(form, count, back)
        try:
            result = services.enrol_candidates(
                training_class=training_class,
                candidate_ids=candidates,
                enrolled_on=form.cleaned_data["enrolled_on"],
                by=request.user,
            )
        except RuleViolation as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(back)
        context = {"result": result, "training_class": training_class, "title": _("Enrolment")}
        return TemplateResponse(request, "candidates/enrolment_result.html", context)

    def confirm(self, form, count, back):
        """The step before enrolling all that match: their number, to confirm. Sent again with
        another number (the list changed in between), the page says so and asks again."""
        context = {
            "form": form,
            "count": count,
            "changed": form.cleaned_data["confirmed_count"] is not None,
            "training_class": form.cleaned_data["training_class"],
            "back": back,
            "title": _("Enrol all that match"),
        }
        return TemplateResponse(self.request, "candidates/enrolment_confirm.html", context)


class CandidateFileViewsView(FileViewListView):
    model = Candidate
    person_kind = "candidates"


# --- Documents (PDF) ---------------------------------------------------------------------


class CandidateDocumentView(DocumentView):
    """A paper of the candidate's file (`documents.CANDIDATE_DOCUMENTS`); opening it is a read of the file."""

    model = Candidate
    records_file_view = True

    def scope_queryset(self, queryset):
        return queryset.select_related("establishment__commune", "party_cell", "party_member")

    def document(self, obj):
        return documents.build_candidate_document(obj, self.kwargs["document"])


class TrainingClassListDocumentView(DocumentView):
    model = TrainingClass

    def scope_queryset(self, queryset):
        return queryset.select_related("unit")

    def document(self, obj):
        record_roster_read(self.request, obj, "pdf", enrollments=obj.enrollments.all())
        return documents.class_list(obj)


class CertificatesDocumentView(ModelPermissionMixin, View):
    """The certificates issued in a period (`start`, `end` as yyyy-mm-dd; default: this year)."""

    model = TrainingClass

    def get(self, request):
        form = CertificatePeriodForm(request.GET or None)
        start, end = form.period()
        with vietnamese_documents():
            template_name, context, filename = documents.certificates_list(request.user, start, end)
            FileView.record_list(
                user=request.user,
                model=Candidate,
                door=AccessDoor.DOCUMENT,
                count=len(context["enrollments"]),
                filters={"start": start.isoformat(), "end": end.isoformat()},
                document="certificates",
                candidates=sorted({e.candidate_id for e in context["enrollments"]}),
            )
            return pdf_response(template_name, context, request=request, filename=filename)
