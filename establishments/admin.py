from django import forms
from django.contrib import admin

from sonla_party.admin import ScopedAdmin

from .models import Assignment, Cadre, Commune, District, Establishment, PartyCell, PartyMember
from .services import RegistryError, check_assignment, check_cell_coverage


@admin.register(District)
class DistrictAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Commune)
class CommuneAdmin(ScopedAdmin):
    list_display = ("code", "name", "kind", "district", "is_border", "is_mountainous")
    list_filter = ("kind", "is_border", "is_mountainous", ("district", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("district",)
    search_fields = ("code", "name")
    autocomplete_fields = ("district",)


@admin.register(Establishment)
class EstablishmentAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "commune", "opened_on", "closed_on")
    list_filter = ("kind", ("commune__district", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("commune",)
    search_fields = ("search_text",)
    autocomplete_fields = ("commune",)


class PartyCellAdminForm(forms.ModelForm):
    """The admin obeys the same coverage rule as the web form."""

    class Meta:
        model = PartyCell
        fields = ["name", "seat", "establishments", "founded_on", "founding_method", "dissolved_on", "notes"]

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
    list_filter = ("founding_method", ("seat__commune__district", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("seat",)
    search_fields = ("search_text",)
    autocomplete_fields = ("seat", "establishments")
    date_hierarchy = "founded_on"


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedAdmin):
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
        ("establishment__commune__district", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("establishment",)
    search_fields = ("search_text",)
    autocomplete_fields = ("establishment", "party_cell")
    date_hierarchy = "admitted_on"

    def get_exclude(self, request, obj=None):
        if request.user.has_perm("sonla_party.view_full_citizen_id"):
            return ()
        return ("citizen_id",)


@admin.register(Cadre)
class CadreAdmin(ScopedAdmin):
    list_display = ("full_name", "force", "unit", "rank", "district", "phone")
    list_filter = ("force", ("district", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("district",)
    search_fields = ("search_text",)
    autocomplete_fields = ("district", "party_member")


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
    list_filter = ("role", "cadre__force", ("cadre__district", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("cadre", "establishment", "commune")
    search_fields = ("cadre__full_name", "establishment__name", "commune__name")
    autocomplete_fields = ("cadre", "establishment", "commune")
    date_hierarchy = "starts_on"
