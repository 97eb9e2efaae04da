"""FilterSets of the registry lists. Parameters are the public contract (see DESIGN.md)."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from sonla_party.filters import BaseFilterSet, TrueFalseFilter, date_filter, key_filter
from sonla_party.renderers import FastSelect
from sonla_party.search import search
from sonla_party.widgets import AutocompleteSelect

from .choices import (
    CadreForce,
    EstablishmentKind,
    Ethnicity,
    FoundingMethod,
    Gender,
    MemberStatus,
    OrganisationKind,
    OrganisationLevel,
    UnitKind,
    UnitLevel,
)
from .fields import CommuneSelect, UnitChoiceField
from .models import (
    AdministrativeUnit,
    Assignment,
    Cadre,
    CellMembership,
    Commune,
    District,
    Establishment,
    PartyCell,
    PartyMember,
    PartyOrganisation,
)
from .units import UnitMap


class UnitFilter(django_filters.ModelChoiceFilter):
    """A district or a commune-level unit by its key: the rows that lie in it on some date — its
    own, and those of the units it was formed from (a new commune shows its old communes' rows)."""

    field_class = UnitChoiceField

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.in_units(UnitMap.load().territory(value.pk) | {value.pk})


def district_filter():
    return UnitFilter(label=_("District"), queryset=District.objects.all())


def commune_filter():
    return UnitFilter(label=_("Commune"), queryset=Commune.objects.all(), widget=CommuneSelect())


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
    district = district_filter()
    commune = commune_filter()
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
    district = district_filter()
    commune = commune_filter()
    founded_on = django_filters.DateFromToRangeFilter(
        label=_("Founded between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    founding_method = django_filters.ChoiceFilter(label=_("Founded by"), choices=FoundingMethod.choices)
    seat_kind = django_filters.ChoiceFilter(
        label=_("Kind of its seat establishment"), choices=EstablishmentKind.choices, field_name="seat__kind"
    )
    has_seat = TrueFalseFilter(label=_("Seated in an establishment"), method="filter_has_seat")
    dissolved_on = django_filters.DateFromToRangeFilter(
        label=_("Dissolved between"), widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    active_on = date_filter(_("Active on"), method="filter_active_on")

    class Meta:
        model = PartyCell
        fields = [
            "district",
            "commune",
            "founded_on",
            "founding_method",
            "seat_kind",
            "has_seat",
            "dissolved_on",
            "active_on",
            "q",
        ]

    def filter_has_seat(self, queryset, name, value):
        return queryset.filter(seat__isnull=value != "true")

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class PartyMemberFilterSet(BaseFilterSet):
    district = district_filter()
    commune = commune_filter()
    establishment = django_filters.ModelChoiceFilter(
        label=_("Establishment"),
        queryset=Establishment.objects.all(),
        widget=AutocompleteSelect("establishments:establishment_autocomplete"),
    )
    party_cell = django_filters.ModelChoiceFilter(
        label=_("Party cell"),
        queryset=PartyCell.objects.all(),
        method="filter_party_cell",
        widget=AutocompleteSelect("establishments:party_cell_autocomplete"),
    )
    establishment_kind = django_filters.ChoiceFilter(
        label=_("Establishment kind"), choices=EstablishmentKind.choices, field_name="establishment__kind"
    )
    first_in_establishment = TrueFalseFilter(
        label=_("First members of their establishment"), method="filter_first_in_establishment"
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
            "establishment_kind",
            "first_in_establishment",
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

    def filter_first_in_establishment(self, queryset, name, value):
        return queryset.first_in_establishment(value == "true")

    def filter_in_party(self, queryset, name, value):
        left = Q(status=MemberStatus.LEFT)
        return queryset.exclude(left) if value == "true" else queryset.filter(left)

    def as_of_date(self):
        as_of = self.form.cleaned_data.get("as_of") if self.form.is_valid() else None
        return as_of or timezone.localdate()

    def filter_party_cell(self, queryset, name, value):
        """Members of the cell on the date (their dated membership, not today's cell)."""
        memberships = CellMembership.objects.active_on(self.as_of_date()).filter(member=OuterRef("pk"), cell=value)
        return queryset.filter(Exists(memberships))

    def filter_queryset(self, queryset):
        """Members of the Party on the date (admitted by then, not left), each with their status on
        that date; with `status=left` or `in_party=false`, those who had left by then."""
        as_of = self.as_of_date()
        queryset = queryset.filter(admitted_on__lte=as_of).with_status(as_of)
        data = self.form.cleaned_data if self.form.is_valid() else {}
        if not data.get("status") and not data.get("in_party"):
            queryset = queryset.exclude(status=MemberStatus.LEFT)
        return super().filter_queryset(queryset)


class CadreFilterSet(BaseFilterSet):
    district = district_filter()
    commune = commune_filter()
    force = django_filters.ChoiceFilter(label=_("Force"), choices=CadreForce.choices)
    has_open_assignment = TrueFalseFilter(label=_("Has an open assignment"), method="filter_open")

    class Meta:
        model = Cadre
        fields = ["district", "commune", "force", "has_open_assignment", "q"]

    def filter_open(self, queryset, name, value):
        open_ones = Exists(Assignment.objects.filter(cadre=OuterRef("pk"), ends_on__isnull=True))
        return queryset.filter(open_ones if value == "true" else ~open_ones)


class AssignmentFilterSet(BaseFilterSet):
    cadre = key_filter(_("Cadre"), Cadre.objects.all())
    is_open = TrueFalseFilter(label=_("Open (no end date)"), field_name="ends_on__isnull")
    district = district_filter()
    commune = commune_filter()
    kind = django_filters.ChoiceFilter(
        label=_("Establishment kind"), choices=EstablishmentKind.choices, field_name="establishment__kind"
    )
    force = django_filters.ChoiceFilter(label=_("Force"), choices=CadreForce.choices, field_name="cadre__force")
    open_on = date_filter(_("Open on"), method="filter_open_on")

    class Meta:
        model = Assignment
        fields = ["cadre", "is_open", "district", "commune", "kind", "force", "open_on", "q"]

    def filter_open_on(self, queryset, name, value):
        return queryset.active_on(value)

    def filter_q(self, queryset, name, value):
        return search(queryset, value, field="cadre__search_text")


class AdministrativeUnitFilterSet(BaseFilterSet):
    """`/units/`: the units valid on `as_of` (default: every unit, any date)."""

    as_of = date_filter(_("Valid on"), method="filter_as_of")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=UnitLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices)
    parent = django_filters.ModelChoiceFilter(
        label=_("Parent unit"), queryset=AdministrativeUnit.objects.exclude(level=UnitLevel.COMMUNE), widget=FastSelect
    )

    class Meta:
        model = AdministrativeUnit
        fields = ["as_of", "level", "kind", "parent", "q"]

    def filter_as_of(self, queryset, name, value):
        return queryset.valid_on(value)


class PartyOrganisationFilterSet(BaseFilterSet):
    """`/party-organisations/`: the organisations active on `as_of` (default today)."""

    as_of = date_filter(_("Active on"), method="filter_as_of")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=OrganisationLevel.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrganisationKind.choices)
    parent = django_filters.ModelChoiceFilter(
        label=_("Directly under"),
        queryset=PartyOrganisation.objects.exclude(level=OrganisationLevel.CELL),
        method="filter_parent",
        widget=AutocompleteSelect("establishments:party_organisation_autocomplete"),
    )
    district = district_filter()
    commune = commune_filter()

    class Meta:
        model = PartyOrganisation
        fields = ["as_of", "level", "kind", "parent", "district", "commune", "q"]

    def as_of_date(self):
        if self.form.is_valid() and self.form.cleaned_data.get("as_of"):
            return self.form.cleaned_data["as_of"]
        return timezone.localdate()

    def filter_as_of(self, queryset, name, value):
        return queryset  # applied in filter_queryset, before the parent, which needs it

    def filter_parent(self, queryset, name, value):
        return queryset.under_on(value, self.as_of_date())

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset.active_on(self.as_of_date()))
