"""Admin screens of the candidates app. `stage` is read-only here: steps are admin actions that
call the same services as the web pages, so the admission rules hold in the admin too."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sonla_party.admin import GuardedFieldsMixin, LogsFileReadsAdminMixin, ScopedAdmin
from sonla_party.exceptions import RuleViolation

from . import services
from .choices import Stage
from .forms import CandidateForm, TrainingClassForm
from .models import (
    STEP_FIELDS,
    Candidate,
    Enrollment,
    Introducer,
    SourceList,
    SourceListEntry,
    StageEvent,
    TrainingClass,
)


class ServiceCheckedForm(forms.ModelForm):
    """A change form that runs its service's check once the instance carries the form's values:
    a refusal is a form error on its field, never a 500 at save time."""

    def service_check(self):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                self.service_check()
            except RuleViolation as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)


class CandidateAdminForm(ServiceCheckedForm):
    class Meta:
        model = Candidate
        fields = [*CandidateForm.Meta.fields, "party_cell"]

    acting_user = None  # set by CandidateAdmin.get_form: the check names members only in scope

    def service_check(self):
        services.check_candidate_edit(candidate=self.instance, by=self.acting_user)


class StageEventInline(GuardedFieldsMixin, admin.TabularInline):
    model = StageEvent
    extra = 0
    can_delete = False
    fields = (
        "occurred_on",
        "stage",
        "document_number",
        "votes_for",
        "official_members",
        "deciding_body",
        "note",
        "recorded_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class IntroducerInline(GuardedFieldsMixin, admin.TabularInline):
    model = Introducer
    extra = 0
    fields = ("party_member", "known_since", "youth_union_resolution", "introduced_on", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


def _exit_action(service, date_argument: str, stage, description):
    """An admin action recording an exit today for each selected candidate, through the service."""

    def action(modeladmin, request, queryset):
        done, refused = 0, []
        for candidate in queryset:
            try:
                service(
                    candidate=candidate,
                    by=request.user,
                    note=str(_("Recorded from the admin")),
                    **{date_argument: timezone.localdate()},
                )
                done += 1
            except RuleViolation as error:
                refused.append(f"{candidate}: {error}")
        if done:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d candidate recorded as %(stage)s.", "%(count)d candidates recorded as %(stage)s.", done
                )
                % {"count": done, "stage": stage.label},
                messages.SUCCESS,
            )
        for line in refused:
            modeladmin.message_user(request, line, messages.ERROR)

    action.short_description = description
    action.__name__ = f"record_{stage}"
    return action


@admin.register(Candidate)
class CandidateAdmin(LogsFileReadsAdminMixin, ScopedAdmin):
    list_display = (
        "full_name",
        "birth_date",
        "gender",
        "ethnicity",
        "establishment",
        "stage",
        "stage_since",
        "next_due_on",
    )
    list_filter = (
        "stage",
        "gender",
        "ethnicity",
        "is_youth_union_member",
        ("establishment__commune__parent", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("establishment",)
    search_fields = ("search_text",)
    autocomplete_fields = ("establishment", "helper", "party_cell")
    form = CandidateAdminForm
    # The steps write the certificate and the dossier's dates; corrections have their own page.
    readonly_fields = ("stage", "stage_since", "party_member", "next_due_on", "next_due_kind", *STEP_FIELDS)
    inlines = [IntroducerInline, StageEventInline]
    date_hierarchy = "stage_since"
    actions = [
        _exit_action(services.withdraw_candidate, "withdrawn_on", Stage.WITHDRAWN, _("Record: withdrawn (today)")),
        _exit_action(services.record_moved_away, "moved_on", Stage.MOVED_AWAY, _("Record: moved away (today)")),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def get_exclude(self, request, obj=None):
        excluded = tuple(super().get_exclude(request, obj) or ())
        if request.user.has_perm("sonla_party.view_full_citizen_id"):
            return excluded
        return (*excluded, "citizen_id")

    def save_model(self, request, obj, form, change):
        """Saving goes through the services (the form ran their checks): a new candidate joins the
        source list."""
        if change:
            services.update_candidate(candidate=obj, by=request.user)
        else:
            services.create_candidate(candidate=obj, added_on=timezone.localdate(), by=request.user)


@admin.register(SourceList)
class SourceListAdmin(ScopedAdmin):
    list_display = ("commune", "year", "approved_on")
    list_filter = ("year", ("commune__parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("commune",)
    search_fields = ("commune__name",)
    autocomplete_fields = ("commune",)


@admin.register(SourceListEntry)
class SourceListEntryAdmin(ScopedAdmin):
    list_display = ("candidate", "source_list", "establishment", "added_on", "removed_on", "removed_reason")
    list_filter = ("source_list__year",)
    list_select_related = ("candidate", "source_list__commune", "establishment")
    search_fields = ("candidate__full_name",)
    autocomplete_fields = ("candidate", "source_list", "establishment")


@admin.register(StageEvent)
class StageEventAdmin(ScopedAdmin):
    """Events are written by the services only: read-only here."""

    list_display = ("candidate", "stage", "occurred_on", "document_number", "recorded_by", "recorded_at")
    list_filter = ("stage",)
    list_select_related = ("candidate", "recorded_by")
    search_fields = ("candidate__full_name", "document_number")
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IntroducerAdminForm(ServiceCheckedForm):
    class Meta:
        model = Introducer
        fields = ("party_member", "known_since", "youth_union_resolution", "introduced_on", "note")

    def service_check(self):
        services.check_introducer_edit(introducer=self.instance)


@admin.register(Introducer)
class IntroducerAdmin(ScopedAdmin):
    """Edits obey the introducer rules (`check_introducer`): only while the dossier is open."""

    form = IntroducerAdminForm
    list_display = ("candidate", "party_member", "youth_union_resolution", "introduced_on")
    list_select_related = ("candidate", "party_member")
    search_fields = ("candidate__full_name",)
    autocomplete_fields = ("party_member",)
    readonly_fields = ("candidate",)

    def has_add_permission(self, request):
        return False  # through the candidate's page

    def save_model(self, request, obj, form, change):
        services.save_introducer(introducer=obj, by=request.user)


class EnrollmentInline(GuardedFieldsMixin, admin.TabularInline):
    model = Enrollment
    extra = 0
    can_delete = False
    fields = (
        "candidate",
        "enrolled_on",
        "attended",
        "completed",
        "essay_result",
        "certificate_number",
        "certificate_on",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)  # each sees their scope's people

    def has_add_permission(self, request, obj=None):
        return False  # enrolment goes through the candidate list, where its rules are checked


class TrainingClassAdminForm(ServiceCheckedForm):
    class Meta:
        model = TrainingClass
        fields = TrainingClassForm.Meta.fields

    def service_check(self):
        services.check_training_class(training_class=self.instance)


@admin.register(TrainingClass)
class TrainingClassAdmin(ScopedAdmin):
    form = TrainingClassAdminForm
    list_display = ("name", "unit", "organiser", "starts_on", "ends_on", "capacity")
    list_filter = (("unit", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("unit",)
    search_fields = ("name", "organiser", "venue")
    date_hierarchy = "starts_on"
    inlines = [EnrollmentInline]

    def save_model(self, request, obj, form, change):
        services.save_training_class(training_class=obj, by=request.user)


@admin.register(Enrollment)
class EnrollmentAdmin(ScopedAdmin):
    """Read-only: enrolment and the roster have their own pages, which apply the training rules."""

    list_display = ("candidate", "training_class", "attended", "completed", "certificate_number", "certificate_on")
    list_filter = ("completed", "essay_result")
    list_select_related = ("candidate", "training_class__unit")
    search_fields = ("candidate__full_name", "certificate_number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
