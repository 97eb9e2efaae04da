"""FilterSets of the registry lists. Parameters are the public contract (see DESIGN.md)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sonla_party.filters import BaseFilterSet, TrueFalseFilter, date_filter, key_filter
from sonla_party.renderers import FastSelect
from sonla_party.search import search
from sonla_party.widgets import AutocompleteSelect

from .choices import CadreForce, EstablishmentKind, Ethnicity, FoundingMethod, Gender, MemberStatus
from .models import Assignment, Cadre, Commune, District, Establishment, PartyCell, PartyMember


def district_filter(field_name: str):
    return django_filters.ModelChoiceFilter(
        label=_("District"), field_name=field_name, queryset=District.objects.all(), widget=FastSelect
    )


def commune_filter(field_name: str):
    return django_filters.ModelChoiceFilter(
        label=_("Commune"), field_name=field_name, queryset=Commune.objects.all(), widget=FastSelect
    )


class AsOfFilterSet(BaseFilterSet):
    """Lists whose facts are computed on a date: `as_of` (default today)."""

    as_of = date_filter(_("As of"), method="filter_as_of")

    def as_of_date(self):
        if self.form.is_valid() and self.form.cleaned_data.get("as_of"):
            return self.form.cleaned_data["as_of"]
        return timezone.localdate()

    def filter_as_of(self, queryset, name, value):
        return queryset  # applied in filter_queryset, before the filters that need it


class EstablishmentFilterSet(AsOfFilterSet):
    district = district_filter("commune__district")
    commune = commune_filter("commune")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=EstablishmentKind.choices)
    has_party_members = TrueFalseFilter(label=_("Has party members"))
    has_party_cell = TrueFalseFilter(label=_("Has a party cell"))
    blank = TrueFalseFilter(label=_("Blank (no members or no cell)"), method="filter_blank")
    has_cadre = TrueFalseFilter(label=_("Has a responsible cadre"))

    class Meta:
        model = Establishment
        fields = [
            "district",
            "commune",
            "kind",
            "has_party_members",
            "has_party_cell",
            "blank",
            "has_cadre",
            "as_of",
            "q",
        ]

    def filter_blank(self, queryset, name, value):
        return queryset.blank(value == "true")

    def filter_queryset(self, queryset):
        as_of = self.as_of_date()
        queryset = queryset.existing_on(as_of).with_facts(as_of)
        return super().filter_queryset(queryset)


class PartyCellFilterSet(BaseFilterSet):
    district = district_filter("seat__commune__district")
    commune = commune_filter("seat__commune")
    founded_on = django_filters.DateFromToRangeFilter(
        label=_("Founded between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    founding_method = django_filters.ChoiceFilter(label=_("Founded by"), choices=FoundingMethod.choices)
    dissolved_on = django_filters.DateFromToRangeFilter(
        label=_("Dissolved between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    active_on = date_filter(_("Active on"), method="filter_active_on")

    class Meta:
        model = PartyCell
        fields = ["district", "commune", "founded_on", "founding_method", "dissolved_on", "active_on", "q"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class PartyMemberFilterSet(BaseFilterSet):
    district = district_filter("establishment__commune__district")
    commune = commune_filter("establishment__commune")
    establishment = django_filters.ModelChoiceFilter(
        label=_("Establishment"),
        queryset=Establishment.objects.all(),
        widget=AutocompleteSelect("establishments:establishment_autocomplete"),
    )
    party_cell = django_filters.ModelChoiceFilter(
        label=_("Party cell"),
        queryset=PartyCell.objects.all(),
        widget=AutocompleteSelect("establishments:party_cell_autocomplete"),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MemberStatus.choices)
    in_party = TrueFalseFilter(label=_("In the Party on the date"), method="filter_in_party")
    ethnicity = django_filters.ChoiceFilter(label=_("Ethnicity"), choices=Ethnicity.choices)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    admitted_on = django_filters.DateFromToRangeFilter(
        label=_("Admitted between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    as_of = date_filter(_("Status as of"), method="filter_as_of")

    class Meta:
        model = PartyMember
        fields = [
            "district",
            "commune",
            "establishment",
            "party_cell",
            "status",
            "in_party",
            "as_of",
            "ethnicity",
            "gender",
            "admitted_on",
            "q",
        ]

    def filter_as_of(self, queryset, name, value):
        return queryset  # applied in filter_queryset, before the status filter

    def filter_in_party(self, queryset, name, value):
        left = Q(status=MemberStatus.LEFT)
        return queryset.exclude(left) if value == "true" else queryset.filter(left)

    def filter_queryset(self, queryset):
        """Members on the date (admitted by then), each with their status on that date."""
        as_of = self.form.cleaned_data.get("as_of") if self.form.is_valid() else None
        as_of = as_of or timezone.localdate()
        return super().filter_queryset(queryset.filter(admitted_on__lte=as_of).with_status(as_of))


class CadreFilterSet(BaseFilterSet):
    district = district_filter("district")
    force = django_filters.ChoiceFilter(label=_("Force"), choices=CadreForce.choices)
    has_open_assignment = TrueFalseFilter(label=_("Has an open assignment"), method="filter_open")

    class Meta:
        model = Cadre
        fields = ["district", "force", "has_open_assignment", "q"]

    def filter_open(self, queryset, name, value):
        open_ones = Exists(Assignment.objects.filter(cadre=OuterRef("pk"), ends_on__isnull=True))
        return queryset.filter(open_ones if value == "true" else ~open_ones)


class AssignmentFilterSet(BaseFilterSet):
    cadre = key_filter(_("Cadre"), Cadre.objects.all())
    is_open = TrueFalseFilter(label=_("Open (no end date)"), field_name="ends_on__isnull")
    district = district_filter("cadre__district")
    commune = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=Commune.objects.all(), method="filter_commune", widget=FastSelect
    )
    kind = django_filters.ChoiceFilter(
        label=_("Establishment kind"), choices=EstablishmentKind.choices, field_name="establishment__kind"
    )
    force = django_filters.ChoiceFilter(label=_("Force"), choices=CadreForce.choices, field_name="cadre__force")
    open_on = date_filter(_("Open on"), method="filter_open_on")

    class Meta:
        model = Assignment
        fields = ["cadre", "is_open", "district", "commune", "kind", "force", "open_on", "q"]

    def filter_commune(self, queryset, name, value):
        return queryset.filter(Q(commune=value) | Q(establishment__commune=value))

    def filter_open_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_q(self, queryset, name, value):
        return search(queryset, value, field="cadre__search_text")
