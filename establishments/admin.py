from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sonla_party.admin import GuardedFieldsMixin, LogsFileReadsAdminMixin, ScopedAdmin

from .forms import PartyMemberForm
from .models import (
    AdministrativeUnit,
    Assignment,
    Cadre,
    CellMembership,
    Commune,
    District,
    Establishment,
    MemberPlacement,
    PartyCell,
    PartyMember,
    PartyOrganisation,
    PartyOrganisationParent,
    UnitSuccession,
)
from .services import (
    RegistryError,
    check_assignment,
    check_cell_coverage,
    check_member_edit,
    check_new_establishment,
    save_establishment,
    save_member,
    save_party_cell,
)


class SuccessionInline(GuardedFieldsMixin, admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    extra = 0
    autocomplete_fields = ("predecessor",)
    verbose_name = _("formed from")
    verbose_name_plural = _("formed from")


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ScopedAdmin):
    """Every unit with its validity; the reorganisations are reference data, so changes are rare."""

    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", "valid_to", "is_border", "is_mountainous")
    list_select_related = ("parent",)
    search_fields = ("search_text",)
    autocomplete_fields = ("parent",)
    inlines = [SuccessionInline]


@admin.register(District)
class DistrictAdmin(AdministrativeUnitAdmin):
    inlines = []


@admin.register(Commune)
class CommuneAdmin(AdministrativeUnitAdmin):
    list_filter = ("kind", "valid_to", "is_border", "is_mountainous", ("parent", admin.RelatedOnlyFieldListFilter))


class EstablishmentAdminForm(forms.ModelForm):
    """The admin obeys the registry's rule for a new establishment (its opening date)."""

    class Meta:
        model = Establishment
        fields = ["commune", "kind", "name", "code", "opened_on", "closed_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and "opened_on" in self.fields:
            self.fields["opened_on"].initial = timezone.localdate()

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                check_new_establishment(establishment=self.instance)
            except RegistryError as error:
                self.add_error(error.field, error.message)


@admin.register(Establishment)
class EstablishmentAdmin(ScopedAdmin):
    form = EstablishmentAdminForm
    list_display = ("name", "code", "kind", "commune", "opened_on", "closed_on")
    list_filter = ("kind", ("commune__parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("commune",)
    search_fields = ("search_text",)
    autocomplete_fields = ("commune",)

    def save_model(self, request, obj, form, change):
        save_establishment(establishment=obj, by=request.user)


class PartyCellAdminForm(forms.ModelForm):
    """The admin obeys the same coverage rule as the web form."""

    class Meta:
        model = PartyCell
        fields = ["name", "seat", "establishments", "founded_on", "founding_method", "dissolved_on", "notes"]

    def _post_clean(self):
        super()._post_clean()
        if self.instance.seat_id:
            self.instance.unit_id = self.instance.seat.commune_id

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("seat") is not None:
            try:
                cleaned["establishments"] = check_cell_coverage(
                    seat=cleaned["seat"], establishments=cleaned.get("establishments") or []
                )
            except RegistryError as error:
                self.add_error(error.field, error.message)
        return cleaned


@admin.register(PartyCell)
class PartyCellAdmin(ScopedAdmin):
    form = PartyCellAdminForm
    list_display = ("name", "seat", "founded_on", "founding_method", "dissolved_on")
    list_filter = ("founding_method", ("unit__parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("seat",)
    search_fields = ("search_text",)
    autocomplete_fields = ("seat", "establishments")
    date_hierarchy = "founded_on"

    def save_model(self, request, obj, form, change):
        save_party_cell(cell=obj, establishments=form.cleaned_data["establishments"], by=request.user)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)  # the coverage is the service's


class CellMembershipInline(GuardedFieldsMixin, admin.TabularInline):
    """The member's cells over time: transfers go through the member's page (a dated move)."""

    model = CellMembership
    extra = 0
    fields = ("cell", "starts_on", "ends_on", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MemberPlacementInline(CellMembershipInline):
    model = MemberPlacement
    fields = ("establishment", "since", "until", "note")
    readonly_fields = fields


class PartyMemberAdminForm(forms.ModelForm):
    """The admin obeys the member rules of the web form and the import (`check_member`)."""

    class Meta:
        model = PartyMember
        fields = PartyMemberForm.Meta.fields

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                check_member_edit(self.instance)
            except RegistryError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)


@admin.register(PartyMember)
class PartyMemberAdmin(LogsFileReadsAdminMixin, ScopedAdmin):
    form = PartyMemberAdminForm
    list_display = (
        "full_name",
        "birth_date",
        "gender",
        "ethnicity",
        "establishment",
        "admitted_on",
        "official_on",
        "left_on",
    )
    list_filter = (
        "gender",
        "ethnicity",
        "left_reason",
        ("establishment__commune__parent", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("establishment",)
    search_fields = ("search_text",)
    autocomplete_fields = ("establishment", "party_cell")
    date_hierarchy = "admitted_on"
    inlines = [CellMembershipInline, MemberPlacementInline]

    def get_exclude(self, request, obj=None):
        excluded = tuple(super().get_exclude(request, obj) or ())
        if request.user.has_perm("sonla_party.view_full_citizen_id"):
            return excluded
        return (*excluded, "citizen_id")

    def save_model(self, request, obj, form, change):
        save_member(member=obj, by=request.user)


@admin.register(Cadre)
class CadreAdmin(ScopedAdmin):
    list_display = ("full_name", "force", "unit", "rank", "area", "phone")
    list_filter = ("force", ("area", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("area",)
    search_fields = ("search_text",)
    autocomplete_fields = ("area", "party_member")


class AssignmentAdminForm(forms.ModelForm):
    """The admin obeys the same assignment rules as the web form."""

    class Meta:
        model = Assignment
        fields = ["cadre", "establishment", "commune", "role", "starts_on", "ends_on", "note"]

    def _post_clean(self):
        super()._post_clean()  # the instance now carries the form's values
        if not self.errors:
            try:
                check_assignment(self.instance)
            except RegistryError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    form = AssignmentAdminForm
    list_display = ("cadre", "establishment", "commune", "role", "starts_on", "ends_on")
    list_filter = ("role", "cadre__force", ("cadre__area", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("cadre", "establishment", "commune")
    search_fields = ("cadre__full_name", "establishment__name", "commune__name")
    autocomplete_fields = ("cadre", "establishment", "commune")
    date_hierarchy = "starts_on"


class ParentLinkInline(GuardedFieldsMixin, admin.TabularInline):
    model = PartyOrganisationParent
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ("parent",)


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(ScopedAdmin):
    """The party's organisations of every level, with their place in the hierarchy on each date."""

    list_display = ("name", "level", "kind", "unit", "founded_on", "dissolved_on")
    list_filter = ("level", "kind", "dissolved_on")
    list_select_related = ("unit",)
    search_fields = ("search_text",)
    autocomplete_fields = ("unit", "seat", "establishments")
    inlines = [ParentLinkInline]
