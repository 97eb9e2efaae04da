"""FilterSets of the registry lists. Parameters are the public contract (see DESIGN.md)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sonla_party.filters import BaseFilterSet, TrueFalseFilter, date_filter
from sonla_party.widgets import AutocompleteSelect

from .choices import EstablishmentKind, Ethnicity, FoundingMethod, Gender, MemberStatus
from .models import Commune, District, Establishment, PartyCell, PartyMember


def district_filter(field_name: str):
    return django_filters.ModelChoiceFilter(
        label=_("District"), field_name=field_name, queryset=District.objects.all()
    )


def commune_filter(field_name: str):
    return django_filters.ModelChoiceFilter(label=_("Commune"), field_name=field_name, queryset=Commune.objects.all())


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

    class Meta:
        model = Establishment
        fields = ["district", "commune", "kind", "has_party_members", "has_party_cell", "as_of", "q"]

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
    active_on = date_filter(_("Active on"), method="filter_active_on")

    class Meta:
        model = PartyCell
        fields = ["district", "commune", "founded_on", "founding_method", "active_on", "q"]

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
    ethnicity = django_filters.ChoiceFilter(label=_("Ethnicity"), choices=Ethnicity.choices)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    admitted_on = django_filters.DateFromToRangeFilter(
        label=_("Admitted between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )

    class Meta:
        model = PartyMember
        fields = [
            "district",
            "commune",
            "establishment",
            "party_cell",
            "status",
            "ethnicity",
            "gender",
            "admitted_on",
            "q",
        ]
