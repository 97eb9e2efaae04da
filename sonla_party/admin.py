from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.admin import SimpleHistoryAdmin

from .choices import AccessDoor
from .forms import guard_field, parse_key
from .models import FileView, Job, User
from .search import MAX_SEARCH_WORDS, search
from .sensitive import hidden_fields

# The admin's header and browser title in the app's words (Django's own say "Django administration").
admin.site.site_header = _("Party development — Sơn La")
admin.site.site_title = _("Administration")
admin.site.index_title = _("Records, reference data and accounts")

# Django's admin strings its own Vietnamese catalogue leaves untranslated: marked here so that our
# catalogue (which takes precedence) gives them in Vietnamese. A test lists Django's gaps.
DJANGO_ADMIN_GAPS = (
    gettext_noop("Select this object for an action - {}"),
    gettext_noop("Breadcrumbs"),
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Set password"),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("Skip to main content"),
    gettext_noop("Hide counts"),
    gettext_noop("Show counts"),
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("Toggle navigation"),
    gettext_noop("Sidebar"),
    gettext_noop("Filter navigation items"),
    gettext_noop("View selected %(model)s"),
    gettext_noop("Select all objects on this page for an action"),
)
# django-axes (the login lock-out) has no Vietnamese catalogue: its admin pages' words, for ours.
AXES_WORDS = (
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)


class GuardedFieldsMixin:
    """Admin forms (inlines too) turn nonsense into form errors like the app's forms do: a key
    no column can hold is an invalid choice, a date at the calendar's end out of range."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return guard_field(field) if field is not None else None

    def get_object(self, request, object_id, from_field=None):
        if from_field is None and isinstance(self.model._meta.pk, models.IntegerField) and not parse_key(object_id):
            return None  # the admin then answers as for a missing record
        return super().get_object(request, object_id, from_field)


class ScopedAdmin(GuardedFieldsMixin, SimpleHistoryAdmin):
    """Admin pages start from `for_user` like every other page: nobody sees beyond their scope,
    neither in change lists, change forms, autocomplete nor the choices of related fields."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    # The sensitive fields (`sonla_party.sensitive`), for a user without the right: no column, no
    # filter, and no field on a stored record's form (kept as stored); a new record takes them.
    def get_list_display(self, request):
        hidden = hidden_fields(self.model, request.user)
        return [name for name in super().get_list_display(request) if name not in hidden]

    def get_list_filter(self, request):
        hidden = hidden_fields(self.model, request.user)
        return [f for f in super().get_list_filter(request) if not (isinstance(f, str) and f in hidden)]

    def get_exclude(self, request, obj=None):
        excluded = tuple(super().get_exclude(request, obj) or ())
        if obj is None:
            return excluded or None
        return (*excluded, *hidden_fields(self.model, request.user)) or None

    def get_readonly_fields(self, request, obj=None):
        hidden = hidden_fields(self.model, request.user) if obj is not None else ()
        return [name for name in super().get_readonly_fields(request, obj) if name not in hidden]

    def get_search_results(self, request, queryset, search_term):
        """Accent-insensitive search, like the app's own lists ("muong" finds "Mường")."""
        if search_term and hasattr(self.model, "search_source_fields"):
            return search(queryset, search_term, user=request.user), False
        # Django's own search, on the same terms as ours: a few different words, no control characters.
        words = dict.fromkeys("".join(c if c.isprintable() else " " for c in search_term).split())
        return super().get_search_results(request, queryset, " ".join(list(words)[:MAX_SEARCH_WORDS]))

    def _require_in_scope(self, request, object_id):
        """The history pages of simple-history look records up without `get_queryset`: check it."""
        from django.contrib.admin.utils import unquote

        try:
            in_scope = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError, OverflowError):
            raise Http404 from None
        if not in_scope and not request.user.scope.is_province:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version can be read, never written back: a "revert" would save old values
        around the services (a stage outside the pipeline, a frozen fact). Off for everyone
        (SIMPLE_HISTORY_REVERT_DISABLED hides the button; this refuses the POST too)."""
        self._require_in_scope(request, object_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    def _scope_related(self, request, formfield):
        queryset = getattr(formfield, "queryset", None) if formfield is not None else None
        if queryset is not None and hasattr(queryset, "for_user"):
            formfield.queryset = queryset.for_user(request.user)
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._scope_related(request, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._scope_related(request, super().formfield_for_manytomany(db_field, request, **kwargs))


class LogsFileReadsAdminMixin:
    """The admin's change form and history of a person's file read the file: each shown page is an
    entry of the access log (a change form shown again after an error too; a saved change is in
    the history)."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context=extra_context)
        door = AccessDoor.ADMIN_CHANGE if request.method == "GET" else AccessDoor.FORM_ERROR
        self._record_read(request, response, "original", door)
        return response

    def render_history_view(self, request, template, context, **kwargs):
        """simple-history's history list and its past versions (rendered after their scope and
        permission checks): a past version of the file is a read of it too."""
        response = super().render_history_view(request, template, context, **kwargs)
        obj = context.get("object") or context.get("original")
        if response.status_code == 200 and obj is not None:
            version = parse_key(context.get("access_log_version"))
            details = {"version": version} if version else {}
            FileView.record_view(user=request.user, obj=obj, door=AccessDoor.ADMIN_HISTORY, details=details)
        return response

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        extra_context = {**(extra_context or {}), "access_log_version": version_id}
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)

    @staticmethod
    def _record_read(request, response, context_key, door):
        obj = (getattr(response, "context_data", None) or {}).get(context_key)
        if response.status_code == 200 and obj is not None and obj.pk is not None:
            FileView.record_view(user=request.user, obj=obj, door=door)


@admin.register(User)
class UserAdmin(GuardedFieldsMixin, SimpleHistoryAdmin, DjangoUserAdmin):
    """Users with their history: who gave whom a scope, a role or a permission, when, before/after."""

    history_list_display = ("unit", "is_active", "is_staff", "is_superuser")

    list_display = ("username", "first_name", "last_name", "unit", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", "unit__level")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Scope"), {"fields": ("unit",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Scope"), {"fields": ("unit", "groups")}),
    )


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin, DjangoGroupAdmin):
    """Roles (groups) with the history of their permissions."""


@admin.register(FileView)
class FileViewAdmin(admin.ModelAdmin):
    """Read-only log of who opened which person's file."""

    list_display = ("viewed_at", "user", "door", "content_type", "object_id", "details")
    list_filter = ("door", "content_type")
    list_select_related = ("user", "content_type")
    search_fields = ("user__username",)
    date_hierarchy = "viewed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only view of the background jobs, for the site's administrators: who started what, how
    far it went, why it failed. The files (exports of a person's scope) are not shown: only their
    owner downloads them, from the job's page. A user whose scope is not the province sees their own
    jobs only."""

    list_display = ("created_at", "owner", "kind", "status", "progress", "finished_at")
    list_filter = ("status", "kind")
    list_select_related = ("owner",)
    search_fields = ("owner__username",)
    date_hierarchy = "created_at"
    fields = (
        "owner",
        "kind",
        "status",
        "batch",
        "params",
        "language",
        "rows_done",
        "rows_total",
        "message",
        "attempt",
        "task_id",
        "file_name",
        "created_at",
        "started_at",
        "updated_at",
        "finished_at",
    )
    readonly_fields = fields
    view_on_site = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.scope.is_province else queryset.for_user(request.user)

    @admin.display(description=_("rows done"))
    def progress(self, job):
        return f"{job.rows_done} / {job.rows_total}" if job.rows_total else job.rows_done

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def view_on_site(request, content_type_id, object_id):
    """The admin's "view on site" (/admin/r/<type>/<key>/). Django's own redirects to any record
    that exists, so a record outside the user's scope answered otherwise than a missing one: here
    both are 404, and only a record the user may see is redirected to its page."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404 from None
    queryset = model._default_manager.all() if model is not None else None
    if queryset is None or (not hasattr(queryset, "for_user") and not request.user.scope.is_province):
        raise Http404
    if hasattr(queryset, "for_user"):
        queryset = queryset.for_user(request.user)
    try:
        visible = queryset.filter(pk=object_id).exists()
    except (ValueError, ValidationError, OverflowError):
        visible = False
    if not visible:
        raise Http404
    return contenttype_views.shortcut(request, content_type_id, object_id)
