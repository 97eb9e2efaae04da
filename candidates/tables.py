"""Tables of the candidates app; the views' querysets select every column shown."""

import django_tables2 as tables
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from establishments.choices import Ethnicity, Gender, UnitLevel
from establishments.tables import UnitOnDateColumn
from sonla_party.tables import (
    BooleanColumn,
    ChoiceColumn,
    CitizenIdColumn,
    DateColumn,
    DatedTable,
    LinkedCountColumn,
    LinkedPageBatchColumn,
)

from .choices import ClassStatus, DueKind, Stage
from .models import Candidate, SourceList, SourceListEntry, TrainingClass


class DueColumn(DateColumn):
    """The next deadline, marked when it has passed."""

    def render(self, value, record):
        text = super().render(value)
        if value < timezone.localdate():
            return format_html('<span class="badge text-bg-danger" title="{}">{}</span>', _("Overdue"), text)
        return text


class CandidateTable(DatedTable):
    export_paths = {"establishment": "establishment__name"}  # a foreign key is exported as its text (its __str__)
    selection = tables.CheckBoxColumn(
        accessor="pk", exclude_from_export=True, attrs={"th__input": {"data-select-all": "selection"}}
    )
    full_name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    birth_date = DateColumn()
    gender = ChoiceColumn(Gender.choices)
    ethnicity = ChoiceColumn(Ethnicity.choices)
    citizen_id = CitizenIdColumn()
    establishment = tables.Column(order_by=("establishment__sort_key",))
    commune = UnitOnDateColumn(accessor="establishment__commune_id", verbose_name=_("Commune"))
    stage = ChoiceColumn(Stage.choices)
    stage_since = DateColumn()
    next_due_on = DueColumn()
    next_due_kind = ChoiceColumn(DueKind.choices)
    is_youth_union_member = BooleanColumn()

    class Meta:
        model = Candidate
        fields = (
            "selection",
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "citizen_id",
            "establishment",
            "commune",
            "stage",
            "stage_since",
            "next_due_on",
            "next_due_kind",
            "is_youth_union_member",
        )
        empty_text = _("No candidate matches.")


class WorkQueueTable(DatedTable):
    export_paths = {"establishment": "establishment__name"}  # a foreign key is exported as its text (its __str__)
    next_due_on = DueColumn(verbose_name=_("Due on"))
    next_due_kind = ChoiceColumn(DueKind.choices, verbose_name=_("What is due"))
    full_name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    stage = ChoiceColumn(Stage.choices)
    establishment = tables.Column(order_by=("establishment__sort_key",))
    commune = UnitOnDateColumn(accessor="establishment__commune_id", verbose_name=_("Commune"))
    district = UnitOnDateColumn(
        accessor="establishment__commune_id", level=UnitLevel.DISTRICT, verbose_name=_("District")
    )

    class Meta:
        model = Candidate
        fields = ("next_due_on", "next_due_kind", "full_name", "stage", "establishment", "commune", "district")
        order_by = ("next_due_on",)
        empty_text = _("Nothing is due in this period.")


class DecisionQueueTable(DatedTable):
    export_paths = {"establishment": "establishment__name"}  # a foreign key is exported as its text (its __str__)
    full_name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    birth_date = DateColumn()
    establishment = tables.Column(order_by=("establishment__sort_key",))
    commune = UnitOnDateColumn(accessor="establishment__commune_id", verbose_name=_("Commune"))
    stage_since = DateColumn(verbose_name=_("Grassroots resolution on"))
    next_due_on = DueColumn(verbose_name=_("Decision due by"))
    action = tables.TemplateColumn(
        template_name="candidates/includes/decision_button.html",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta:
        model = Candidate
        fields = ("full_name", "birth_date", "establishment", "commune", "stage_since", "next_due_on", "action")
        order_by = ("next_due_on",)
        empty_text = _("No candidate awaits a decision.")


def source_list_figures(source_lists) -> dict[int, dict[str, int]]:
    """People on each list and how many of them hold a certificate: one query for all the lists."""
    rows = (
        SourceListEntry.objects.filter(source_list__in=[s.pk for s in source_lists])
        .order_by()
        .values("source_list")
        .annotate(entries=Count("pk"), trained=Count("pk", filter=Q(candidate__certificate_on__isnull=False)))
    )
    return {row.pop("source_list"): row for row in rows}


def entries_of_list(**conditions):
    """The same counts as a subquery, for sorting the whole list by them."""
    entries = SourceListEntry.objects.filter(source_list=OuterRef("pk"), **conditions).order_by()
    return Coalesce(Subquery(entries.values("source_list").annotate(n=Count("pk")).values("n")), 0)


class SourceListTable(DatedTable):
    export_paths = {
        "commune": "commune__name",
        "district": "commune__parent__name",
    }  # a foreign key is exported as its text (its __str__)
    commune = tables.Column(linkify=lambda record: record.get_absolute_url(), order_by=("commune__sort_key",))
    district = tables.Column(
        accessor="commune__parent", verbose_name=_("District"), order_by=("commune__parent__code",), default=""
    )
    year = tables.Column()
    approved_on = DateColumn()
    entry_count = LinkedPageBatchColumn(
        source_list_figures,
        "entries",
        sort_by=entries_of_list,
        viewname="candidates:candidate_list",
        url_params={"source_list": "pk"},
        verbose_name=_("People on the list"),
    )
    trained_count = LinkedPageBatchColumn(
        source_list_figures,
        "trained",
        sort_by=lambda: entries_of_list(candidate__certificate_on__isnull=False),
        viewname="candidates:candidate_list",
        url_params={"source_list": "pk", "has_certificate": lambda record: "true"},
        verbose_name=_("Of whom trained"),
    )

    class Meta:
        model = SourceList
        fields = ("commune", "district", "year", "approved_on", "entry_count", "trained_count")
        empty_text = _("No source list matches.")


class ClassStatusColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("verbose_name", _("Status"))
        super().__init__(*args, **kwargs)

    def render(self, record):
        return ClassStatus(record.status_on(timezone.localdate())).label

    def value(self, record):
        return str(self.render(record))


class TrainingClassTable(DatedTable):
    export_paths = {"unit": "unit__name"}  # a foreign key is exported as its text (its __str__)
    name = tables.Column(linkify=True)
    unit = tables.Column(order_by=("unit__sort_key",))
    organiser = tables.Column()
    starts_on = DateColumn()
    ends_on = DateColumn()
    venue = tables.Column()
    capacity = tables.Column()
    enrolled_count = LinkedCountColumn(
        viewname="candidates:candidate_list", url_params={"enrolled_in": "pk"}, verbose_name=_("Enrolled")
    )
    completed_count = LinkedCountColumn(
        viewname="candidates:candidate_list",
        url_params={"enrolled_in": "pk", "completed_class": lambda record: "true"},
        verbose_name=_("Completed"),
    )
    status = ClassStatusColumn()

    class Meta:
        model = TrainingClass
        fields = ("name", "unit", "organiser", "starts_on", "ends_on", "venue", "capacity")
        sequence = (
            "name",
            "unit",
            "organiser",
            "starts_on",
            "ends_on",
            "venue",
            "capacity",
            "enrolled_count",
            "completed_count",
            "status",
        )
        empty_text = _("No class matches.")
