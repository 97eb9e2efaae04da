"""View building blocks shared by every app, and the pages that span both apps."""

import sys
from functools import cached_property

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import EmptyPage
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView, View
from django.views.generic.detail import SingleObjectMixin
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from .choices import AccessDoor
from .exceptions import RuleViolation
from .exports import FORMATS, export_response, list_preamble
from .forms import DateInput, parse_key, style_fields
from .history import history_entries
from .jobs import counted, export_job_or_none
from .models import FileView
from .scoping import require_open_on
from .search import name_first, search
from .sensitive import hide_sensitive_columns
from .tables import PageByKeysData, export_rows
from .widgets import forget_refused_choices


class ModelPermissionMixin(PermissionRequiredMixin):
    """Requires `<app>.<action>_<model>` unless `permission_required` says otherwise."""

    permission_action = "view"

    def get_permission_required(self):
        if self.permission_required:
            return super().get_permission_required()
        opts = self.model._meta
        return [f"{opts.app_label}.{self.permission_action}_{opts.model_name}"]


class ScopedQuerysetMixin:
    """Rows start from `Model.objects.for_user(user)`: a row out of scope answers 404."""

    def get_queryset(self):
        return self.scope_queryset(self.model.objects.for_user(self.request.user))

    def scope_queryset(self, queryset):
        """Hook for `select_related` / annotations of the page."""
        return queryset


class FilteredListView(ModelPermissionMixin, ScopedQuerysetMixin, SingleTableMixin, FilterView):
    """A list page: FilterSet + Table on the user's rows, with CSV / XLSX export of every match.

    Subclasses set `model`, `filterset_class`, `table_class`, `title` and optionally `create_url`.
    Pagination is the table's only (Django's ListView would count the rows a second time).
    """

    template_name = "includes/filtered_list.html"
    title = ""
    create_url = None
    export_name = None
    export_exclude_columns = ()
    logs_export = False  # a list of people: each export is an entry of the access log

    def get_table(self, **kwargs):
        """The table sorted as the request asks, on the page it asks for (the last one when beyond
        it), with `per_page` kept within [1, LIST_MAX_PAGE_SIZE]: a page of a million rows is no
        page, and a negative size no size."""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        RequestConfig(self.request, paginate=False).configure(table)
        hide_sensitive_columns(table, self.request.user)
        per_page = min(
            parse_key(self.request.GET.get(table.prefixed_per_page_field)) or settings.LIST_PAGE_SIZE,
            settings.LIST_MAX_PAGE_SIZE,
        )
        page = parse_key(self.request.GET.get(table.prefixed_page_field)) or 1
        try:
            table.paginate(page=page, per_page=per_page)
        except EmptyPage:
            table.paginate(page=table.paginator.num_pages, per_page=per_page)
        return table

    def get_table_data(self):
        return PageByKeysData(super().get_table_data())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["export_formats"] = FORMATS
        context["create_url"] = self.get_create_url()
        return context

    def get_create_url(self):
        if not self.create_url:
            return None
        opts = self.model._meta
        if not self.request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            return None
        return reverse(self.create_url)

    def render_to_response(self, context, **response_kwargs):
        export_format = self.request.GET.get("_export")
        if export_format in FORMATS:
            if self.filterset.is_valid():
                return export_job_or_none(self, export_format) or self.export(export_format)
            response_kwargs["status"] = 400  # the page again, with the filter errors to correct
        return super().render_to_response(context, **response_kwargs)

    @cached_property
    def export_count(self) -> int:
        """The rows of the list as filtered, counted once: the job threshold and the access log read it."""
        return self.object_list.count()

    def export(self, export_format: str):
        table = self.get_table_class()(
            self.object_list, exclude=self.export_exclude_columns, **self.get_table_kwargs()
        )
        RequestConfig(self.request, paginate=False).configure(table)
        hide_sensitive_columns(table, self.request.user)
        name = self.export_name or self.model._meta.model_name
        if self.logs_export:
            FileView.record_list(
                user=self.request.user,
                model=self.model,
                door=AccessDoor.EXPORT,
                count=self.export_count,
                filters=request_filters(self.request),
                list=name,
                format=export_format,
            )
        rows = export_rows(table)
        if (progress := getattr(self.request, "export_progress", None)) is not None:  # run by a job
            rows = counted(rows, progress)
        preamble = list_preamble(self.title, self.filterset.form, self.request.user)
        return export_response(rows, export_format, name, title=str(self.title)[:31], preamble=preamble)


class ScopedDetailView(ModelPermissionMixin, ScopedQuerysetMixin, DetailView):
    """A detail page of a row in the user's scope, with its change history."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object, user=self.request.user)
        opts = self.model._meta
        context["can_change"] = self.request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        return context


def request_filters(request) -> dict:
    """The GET parameters of a list, as the user sent them (the access log's "filters" of an export)."""
    return {
        key: values[0] if len(values) == 1 else values
        for key, values in request.GET.lists()
        if key != "_export" and any(values)
    }


class RecordsFileViewMixin:
    """A page showing a person's file records that this user read it (who viewed the file)."""

    file_read_door = AccessDoor.DETAIL

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        FileView.record_view(user=request.user, obj=self.object, door=self.file_read_door)
        return response


class RecordsFormReadMixin(RecordsFileViewMixin):
    """An edit form of a person's file shows the file: its GET is a read, and so is the form shown
    again after an error (the saved change itself is in the history)."""

    file_read_door = AccessDoor.EDIT_FORM

    def form_invalid(self, form):
        FileView.record_view(user=self.request.user, obj=self.object, door=AccessDoor.FORM_ERROR)
        return super().form_invalid(form)


class FileViewListView(ModelPermissionMixin, ScopedQuerysetMixin, SingleObjectMixin, TemplateView):
    """Who opened this person's file, newest first (the board's permission `view_file_access`)."""

    permission_required = "sonla_party.view_file_access"
    template_name = "includes/file_views.html"
    person_kind = None  # the person's kind in the access log's report (`access_log:person`)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["views"] = FileView.objects.of(self.object).select_related("user")[:500]
        context["title"] = _("Who viewed the file of %(name)s") % {"name": self.object}
        if self.request.user.scope.is_province and self.person_kind:
            context["person_report_url"] = reverse("access_log:person", args=[self.person_kind, self.object.pk])
            context["access_log_url"] = reverse("access_log:period")
        return context


class ScopedFormMixin(ScopedQuerysetMixin):
    """Create / edit forms: the form receives the user (its choices stay in scope)."""

    success_message = ""
    list_url = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        opts = self.model._meta
        if getattr(self, "object", None) is not None and self.object.pk:
            context["title"] = _("Edit %(object)s") % {"object": self.object}
            context["cancel_url"] = self.object.get_absolute_url()
        else:
            context["title"] = _("New %(model)s") % {"model": opts.verbose_name}
            context["cancel_url"] = reverse(self.list_url) if self.list_url else None
        return context

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            require_open_on(self.request.user, timezone.localdate())  # an account of an ended unit only reads
            with transaction.atomic():
                self.object = self.save_form(form)
        except RuleViolation as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message or _("Saved."))
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        forget_refused_choices(form)
        return super().form_invalid(form)

    def save_form(self, form):
        """Plain CRUD saves the form; views whose writes enforce a rule call their service here."""
        return form.save()


class ScopedCreateView(ModelPermissionMixin, ScopedFormMixin, CreateView):
    permission_action = "add"
    template_name = "includes/form_page.html"


class ScopedUpdateView(ModelPermissionMixin, ScopedFormMixin, UpdateView):
    permission_action = "change"
    template_name = "includes/form_page.html"


class AutocompleteView(ModelPermissionMixin, View):
    """JSON matches for a search box: at most 20 rows, in the user's scope."""

    model = None
    limit = 20

    def label(self, obj) -> str:
        return str(obj)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def get(self, request):
        query = request.GET.get("q", "")
        queryset = name_first(search(self.get_queryset(), query, user=request.user), query)[: self.limit]
        return JsonResponse({"results": [{"id": obj.pk, "text": self.label(obj)} for obj in queryset]})


class AsOfForm(forms.Form):
    as_of = forms.DateField(label=gettext_lazy("As of"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def as_of_date(self):
        if self.is_valid() and self.cleaned_data.get("as_of"):
            return self.cleaned_data["as_of"]
        return timezone.localdate()


class UsernameLengthMixin:
    """Django's sign-in forms check a username's length only in the browser: a longer one is
    refused here like a wrong password, before the lockout records it (in a 255-character column)."""

    def clean(self):
        if len(self.cleaned_data.get("username") or "") > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return super().clean()


class LoginForm(UsernameLengthMixin, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthMixin, AdminAuthenticationForm):
    pass


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on every page (the admin's too)."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


# PostgreSQL's codes of a connection that failed or a server going away: connection exceptions
# (08…), a shutdown or a server not yet accepting connections (57P…), too many connections.
LOST_SQLSTATES = ("08", "57P", "53300")
SQLITE_TRANSIENT = ("database is locked", "unable to open database file", "disk i/o error")


def is_lost_connection(error) -> bool:
    """Whether `error` means the database is away for a moment (so "retry" is the right answer),
    not that the request is one it will never accept (a query too large, a value out of range)."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(LOST_SQLSTATES)
    if cause is not None and type(cause).__module__ == "sqlite3":
        return any(text in str(cause).lower() for text in SQLITE_TRANSIENT)
    return True  # no code from the server: the connection itself failed


def server_error(request):
    """handler500. A database that is not answering (restarting) is a 503 "try again in a moment",
    wherever it failed — in a view, or in a middleware loading the session before any view;
    anything else (a permanent database error too: `is_lost_connection`) is the 500 page.
    Neither page touches the database. The connection is
    health-checked at the next request (CONN_HEALTH_CHECKS), so the workers recover on their own
    once the database is back."""
    if is_lost_connection(sys.exc_info()[1]):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(render_to_string("500.html"))


@login_not_required
def healthz(request):
    """For the reverse proxy and the load balancer: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
