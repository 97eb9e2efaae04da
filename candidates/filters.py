"""FilterSets of the candidates app. Parameter names are part of the public contract."""

import datetime

import django_filters
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from establishments.choices import EstablishmentKind, Ethnicity, Gender, Lacking
from establishments.filters import commune_filter, district_filter
from establishments.models import Establishment
from sonla_party.filters import BaseFilterSet, TrueFalseFilter, date_filter, key_filter
from sonla_party.search import search
from sonla_party.widgets import AutocompleteSelect
from sonla_party.workdays import add_months

from .choices import ACTIVE, ClassStatus, Stage
from .models import (
    PHASES,
    Candidate,
    Enrollment,
    SourceList,
    SourceListEntry,
    TrainingClass,
    candidates_added,
    candidates_in_phase,
    candidates_with_step,
    without_legal_basis_q,
)

EARLIEST, LATEST = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)


class CandidateFilterSet(BaseFilterSet):
    district = district_filter()
    commune = commune_filter()
    establishment = django_filters.ModelChoiceFilter(
        label=_("Establishment"),
        queryset=Establishment.objects.all(),
        widget=AutocompleteSelect("establishments:establishment_autocomplete"),
    )
    establishment_kind = django_filters.ChoiceFilter(
        label=_("Establishment kind"), choices=EstablishmentKind.choices, field_name="establishment__kind"
    )
    from_blank = django_filters.ChoiceFilter(
        label=_("From an establishment blank on the date"), choices=Lacking.choices, method="noop"
    )
    blank_on = date_filter(_("Blank on"), method="noop")
    procedure = django_filters.ChoiceFilter(
        label=_("In the procedure"),
        choices=[("active", _("Still in the procedure")), ("ended", _("Admitted or left"))],
        empty_label=_("Everyone"),
        method="filter_procedure",
    )
    stage = django_filters.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    ethnicity = django_filters.ChoiceFilter(label=_("Ethnicity"), choices=Ethnicity.choices)
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Gender.choices)
    age_min = django_filters.NumberFilter(label=_("Age from"), method="filter_age_min", min_value=0, max_value=120)
    age_max = django_filters.NumberFilter(label=_("Age up to"), method="filter_age_max", min_value=0, max_value=120)
    youth_union = TrueFalseFilter(label=_("Youth Union member"), field_name="is_youth_union_member")
    source_list_year = django_filters.NumberFilter(
        label=_("Source list year"), method="filter_source_list_year", min_value=1990, max_value=2100
    )
    overdue = TrueFalseFilter(label=_("Overdue"), method="filter_overdue")
    has_certificate = TrueFalseFilter(label=_("Holds a certificate"), method="filter_has_certificate")
    source_list = key_filter(_("Source list"), SourceList.objects.all(), method="filter_source_list")
    enrolled_in = key_filter(_("Enrolled in the class"), TrainingClass.objects.all(), method="filter_enrolled_in")
    completed_class = TrueFalseFilter(label=_("Completed the class"), method="noop")
    phase = django_filters.ChoiceFilter(label=_("Phase on the date"), choices=list(PHASES.items()), method="noop")
    as_of = date_filter(_("As of"), method="noop")
    added_after = date_filter(_("Added to a source list from"), method="noop")
    added_before = date_filter(_("Added to a source list until"), method="noop")
    event = django_filters.ChoiceFilter(label=_("Step recorded"), choices=Stage.choices, method="noop")
    event_after = date_filter(_("Step from"), method="noop")
    event_before = date_filter(_("Step until"), method="noop")

    class Meta:
        model = Candidate
        fields = [
            "district",
            "commune",
            "establishment",
            "establishment_kind",
            "from_blank",
            "blank_on",
            "procedure",
            "stage",
            "ethnicity",
            "gender",
            "age_min",
            "age_max",
            "youth_union",
            "source_list_year",
            "overdue",
            "has_certificate",
            "source_list",
            "enrolled_in",
            "completed_class",
            "phase",
            "as_of",
            "added_after",
            "added_before",
            "event",
            "event_after",
            "event_before",
            "q",
        ]

    @classmethod
    def opening_on_the_work(cls, data):
        """The candidate list opened without a filter shows the people still in the procedure
        (`procedure=active`, visible in the form); any filter given — a link of a report, the form
        sent with "Everyone" — is taken as it is."""
        if any(name in data for name in cls.base_filters):
            return data
        data = data.copy()
        data["procedure"] = "active"
        return data

    def noop(self, queryset, name, value):
        return queryset  # these filters work together: see filter_queryset

    def filter_procedure(self, queryset, name, value):
        """Still being brought towards admission (`choices.ACTIVE`), or no longer."""
        in_procedure = Q(stage__in=ACTIVE)
        return queryset.filter(in_procedure if value == "active" else ~in_procedure)

    def filter_queryset(self, queryset):
        """The date-bound filters of the quarterly report's drill-downs (see candidates.models)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        queryset = super().filter_queryset(queryset)
        if data.get("phase"):
            as_of = data.get("as_of") or timezone.localdate()
            queryset = queryset.filter(candidates_in_phase(data["phase"], as_of))
        if data.get("added_after") or data.get("added_before"):
            queryset = queryset.filter(
                candidates_added(data.get("added_after") or EARLIEST, data.get("added_before") or LATEST)
            )
        if data.get("from_blank"):  # their establishment was blank on `blank_on` (default today)
            blank = Establishment.objects.blank_on(data.get("blank_on") or timezone.localdate(), data["from_blank"])
            queryset = queryset.filter(establishment__in=blank.values("pk"))
        if data.get("event"):
            start, end = data.get("event_after") or EARLIEST, data.get("event_before") or LATEST
            queryset = queryset.filter(candidates_with_step(data["event"], start, end))
        return queryset

    def filter_age_min(self, queryset, name, value):
        """At least `value` full years old today: born on or before today minus `value` years."""
        return queryset.filter(birth_date__lte=add_months(timezone.localdate(), -12 * int(value)))

    def filter_age_max(self, queryset, name, value):
        """At most `value` full years old today: born after today minus `value + 1` years."""
        return queryset.filter(birth_date__gt=add_months(timezone.localdate(), -12 * (int(value) + 1)))

    def filter_source_list_year(self, queryset, name, value):
        entries = SourceListEntry.objects.filter(candidate=OuterRef("pk"), source_list__year=int(value))
        return queryset.filter(Exists(entries))

    def filter_has_certificate(self, queryset, name, value):
        return queryset.filter(certificate_on__isnull=value != "true")

    def filter_source_list(self, queryset, name, value):
        return queryset.filter(Exists(SourceListEntry.objects.filter(candidate=OuterRef("pk"), source_list=value)))

    def filter_enrolled_in(self, queryset, name, value):
        """Enrolled in the class (and, with `completed_class`, having completed it or not)."""
        enrolments = Enrollment.objects.filter(candidate=OuterRef("pk"), training_class=value)
        completed = self.form.cleaned_data.get("completed_class")
        if completed:
            enrolments = enrolments.filter(completed=completed == "true")
        return queryset.filter(Exists(enrolments))

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value == "true":
            return queryset.filter(next_due_on__lt=today)
        return queryset.exclude(next_due_on__lt=today)


def queue_window(as_of: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The work queue's horizons: overdue before `as_of`, due within 7 and within 30 days."""
    return as_of, as_of + datetime.timedelta(days=7), as_of + datetime.timedelta(days=30)


LEGAL_BASIS_WINDOW = "legal_basis"  # the files recording no basis for processing the data, deadline or not
QUEUE_TABS = {
    "overdue": "overdue",
    "7": "week",
    "30": "month",
    LEGAL_BASIS_WINDOW: "legal_basis",
}  # `window` → its count


def queue_condition(window: str, as_of: datetime.date) -> Q:
    """The files of a tab of the work queue on `as_of`: overdue (the next step was due before
    `as_of`), or due from `as_of` to 7 or to 30 days later (any other `window` is "30"), or
    recording no legal basis for processing the data. The one
    predicate of the queue: its rows, its badges and the dashboard's "my work" all use it."""
    if window == LEGAL_BASIS_WINDOW:
        return without_legal_basis_q()
    today, week, month = queue_window(as_of)
    if window == "overdue":
        return Q(next_due_on__lt=today)
    return Q(next_due_on__gte=today, next_due_on__lte=week if window == "7" else month)


def queue_counts(queryset, as_of: datetime.date) -> dict[str, int]:
    """{"overdue", "week", "month"}: how many rows of `queryset` each tab of the queue shows (one query)."""
    return queryset.aggregate(
        **{count: Count("pk", filter=queue_condition(window, as_of)) for window, count in QUEUE_TABS.items()}
    )


class SourceListFilterSet(BaseFilterSet):
    district = district_filter()
    commune = commune_filter()
    year = django_filters.NumberFilter(label=_("Year"), min_value=1990, max_value=2100)
    from_blank = django_filters.ChoiceFilter(
        label=_("With people from an establishment blank on the date"),
        choices=Lacking.choices,
        method="filter_from_blank",
    )
    blank_on = date_filter(_("Blank on"), method="noop")

    class Meta:
        model = SourceList
        fields = ["district", "commune", "year", "from_blank", "blank_on"]

    def noop(self, queryset, name, value):
        return queryset  # read by filter_from_blank

    def filter_from_blank(self, queryset, name, value):
        on = self.form.cleaned_data.get("blank_on") or timezone.localdate()
        entries = SourceListEntry.objects.from_blank(on, value).filter(source_list=OuterRef("pk"))
        return queryset.filter(Exists(entries))

    def filter_q(self, queryset, name, value):
        """Without accents, in the commune's and its district's names: "chieng" finds "Chiềng"."""
        return search(queryset, value, field="commune__search_text", also=("commune__parent__search_text",))


class TrainingClassFilterSet(BaseFilterSet):
    district = district_filter()
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="starts_on", lookup_expr="year", min_value=1990, max_value=2100
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClassStatus.choices, method="filter_status")

    class Meta:
        model = TrainingClass
        fields = ["district", "year", "status", "q"]

    def filter_status(self, queryset, name, value):
        return queryset.status_on(value, timezone.localdate())

    def filter_q(self, queryset, name, value):
        """Without accents, in the name, organiser, venue and the unit's name: "moc chau" finds "Mộc Châu"."""
        return search(queryset, value, also=("unit__search_text",))
