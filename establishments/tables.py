"""Tables of the registry lists. The views' querysets select / annotate every column shown."""

import django_tables2 as tables
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sonla_party.tables import (
    BooleanColumn,
    ChoiceColumn,
    CitizenIdColumn,
    DateColumn,
    DatedTable,
    ExportColumn,
    LinkedCountColumn,
    PageBatchColumn,
    value_path,
)

from .choices import (
    AssignmentRole,
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
from .models import AdministrativeUnit, Assignment, Cadre, Establishment, PartyCell, PartyMember, PartyOrganisation
from .units import UnitMap


class UnitOnDateColumn(tables.Column):
    """The commune-level unit a row's home unit stood for on the table's date (`table.as_of`,
    default today) — or, with `level="district"`, its district then (empty from 01/07/2025).
    One unit map per table (two queries), whatever the number of rows."""

    def __init__(self, *args, level: str = UnitLevel.COMMUNE, show_code: bool = False, **kwargs):
        """`accessor` names the unit's key (e.g. "establishment__commune_id"): no row is read."""
        self.level, self.show_code = level, show_code
        kwargs.setdefault("order_by", (f"{kwargs.get('accessor', 'commune_id').removesuffix('_id')}__sort_key",))
        super().__init__(*args, **kwargs)

    def unit_of(self, value, table):
        if value is None:
            return None
        units = table.__dict__.get("_unit_map")
        if units is None:
            units = table.__dict__["_unit_map"] = UnitMap.load()
        day = getattr(table, "as_of", None) or timezone.localdate()
        found = units.row_of(getattr(value, "pk", value), day, self.level)
        if found is None and self.level == UnitLevel.COMMUNE:
            found = getattr(value, "pk", value)  # before the unit began: as entered
        return units.unit(found) if found else None

    def render(self, value, table):
        unit = self.unit_of(value, table)
        if unit is None:
            return "—"
        return f"{unit.name} ({unit.code})" if self.show_code else unit.name

    def value(self, value, table):
        unit = self.unit_of(value, table)
        return "" if unit is None else unit.name

    def export_column(self, bound_column, table):
        return ExportColumn(value_path(bound_column), lambda value: self.value(value, table), self.empty_values)


class UnitCodeColumn(UnitOnDateColumn):
    """The code of that unit (exports: the code as valid on the table's date)."""

    def render(self, value, table):
        unit = self.unit_of(value, table)
        return unit.code if unit else "—"

    def value(self, value, table):
        unit = self.unit_of(value, table)
        return unit.code if unit else ""

    def export_column(self, bound_column, table):
        return ExportColumn(value_path(bound_column), lambda value: self.value(value, table), self.empty_values)


def cadres_today(establishments) -> dict[int, str]:
    """Who follows each establishment today, directly or through its commune: one query."""
    rows = list(establishments)
    ids, communes = {e.pk for e in rows}, {e.commune_id for e in rows}
    found = {"establishment": {}, "commune": {}}
    active = Assignment.objects.active_on(timezone.localdate()).filter(
        Q(establishment__in=ids) | Q(commune__in=communes)
    )
    for assignment in active.select_related("cadre"):
        kind, key = (
            ("establishment", assignment.establishment_id)
            if assignment.establishment_id
            else ("commune", assignment.commune_id)
        )
        found[kind].setdefault(key, set()).add(assignment.cadre.full_name)
    return {
        e.pk: ", ".join(sorted(found["establishment"].get(e.pk, set()) | found["commune"].get(e.commune_id, set())))
        for e in rows
    }


class EstablishmentTable(DatedTable):
    name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    code = tables.Column()
    kind = ChoiceColumn(EstablishmentKind.choices)
    commune = UnitOnDateColumn(accessor="commune_id", verbose_name=_("Commune"))
    commune_code = UnitCodeColumn(accessor="commune_id", verbose_name=_("Commune code"), visible=False)
    district = UnitOnDateColumn(accessor="commune_id", level=UnitLevel.DISTRICT, verbose_name=_("District"))
    has_party_members = BooleanColumn(verbose_name=_("Has party members"))
    has_party_cell = BooleanColumn(verbose_name=_("Has a party cell"))
    has_cadre = BooleanColumn(verbose_name=_("Has a responsible cadre"))
    cadres = PageBatchColumn(
        cadres_today, missing="", record_fields=("pk", "commune_id"), verbose_name=_("Responsible cadres today")
    )

    class Meta:
        model = Establishment
        fields = ("name", "code", "kind", "commune", "commune_code", "district", "has_party_members", "has_party_cell")
        sequence = ("name", "code", "kind", "commune", "commune_code", "district", "...")
        empty_text = _("No establishment matches.")


class PartyCellTable(DatedTable):
    export_paths = {"seat": "seat__name"}  # a foreign key is exported as its text (its __str__)
    name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    seat = tables.Column(order_by=("seat__sort_key",))
    commune = UnitOnDateColumn(accessor="unit_id", verbose_name=_("Commune"))
    district = UnitOnDateColumn(accessor="unit_id", level=UnitLevel.DISTRICT, verbose_name=_("District"))
    founded_on = DateColumn()
    founding_method = ChoiceColumn(FoundingMethod.choices)
    dissolved_on = DateColumn()
    member_count = LinkedCountColumn(
        viewname="establishments:party_member_list",
        url_params={"party_cell": "pk", "in_party": lambda record: "true"},
        verbose_name=_("Current members"),
    )

    class Meta:
        model = PartyCell
        fields = ("name", "seat", "commune", "district", "founded_on", "founding_method", "dissolved_on")
        empty_text = _("No party cell matches.")


class PartyMemberTable(DatedTable):
    export_paths = {
        "establishment": "establishment__name",
        "party_cell": "party_cell__name",
    }  # a foreign key is exported as its text (its __str__)
    full_name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    birth_date = DateColumn()
    gender = ChoiceColumn(Gender.choices)
    ethnicity = ChoiceColumn(Ethnicity.choices)
    citizen_id = CitizenIdColumn()
    establishment = tables.Column(order_by=("establishment__sort_key",))
    commune = UnitOnDateColumn(accessor="establishment__commune_id", verbose_name=_("Commune"))
    party_cell = tables.Column(order_by=("party_cell__sort_key",))
    admitted_on = DateColumn()
    official_on = DateColumn()
    status = ChoiceColumn(MemberStatus.choices, verbose_name=_("Status"))

    class Meta:
        model = PartyMember
        fields = (
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "citizen_id",
            "establishment",
            "commune",
            "party_cell",
            "admitted_on",
            "official_on",
            "status",
        )
        empty_text = _("No party member matches.")


class CadreTable(DatedTable):
    export_paths = {"area": "area__name"}  # a foreign key is exported as its text (its __str__)
    full_name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    force = ChoiceColumn(CadreForce.choices)
    unit = tables.Column()
    rank = tables.Column()
    phone = tables.Column()
    area = tables.Column(order_by=("area__sort_key",))
    open_assignments = LinkedCountColumn(
        viewname="establishments:assignment_list",
        url_params={"cadre": "pk", "is_open": lambda record: "true"},
        verbose_name=_("Open assignments"),
    )

    class Meta:
        model = Cadre
        fields = ("full_name", "force", "unit", "rank", "phone", "area")
        empty_text = _("No cadre matches.")


class AssignmentTable(DatedTable):
    cadre = tables.Column(linkify=lambda record: record.cadre.get_absolute_url(), order_by=("cadre__sort_key",))
    force = ChoiceColumn(CadreForce.choices, accessor="cadre__force", verbose_name=_("Force"))
    place = tables.Column(
        accessor="pk",
        verbose_name=_("Place followed"),
        orderable=False,
        linkify=lambda record: record.get_absolute_url(),
    )
    commune = tables.Column(accessor="pk", verbose_name=_("Commune"), orderable=False)
    role = ChoiceColumn(AssignmentRole.choices)
    starts_on = DateColumn()
    ends_on = DateColumn()

    class Meta:
        model = Assignment
        fields = ("cadre", "force", "place", "commune", "role", "starts_on", "ends_on")
        empty_text = _("No assignment matches.")

    def render_place(self, record):
        return str(record.place)

    def value_place(self, record):
        return str(record.place)

    def render_commune(self, record):
        return str(record.establishment.commune if record.establishment_id else record.commune)

    def value_commune(self, record):
        return self.render_commune(record)


class AdministrativeUnitTable(DatedTable):
    export_paths = {"parent": "parent__name"}  # a foreign key is exported as its text (its __str__)
    code = tables.Column()
    name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    kind = ChoiceColumn(UnitKind.choices)
    level = ChoiceColumn(UnitLevel.choices)
    parent = tables.Column(order_by=("parent__code",))
    valid_from = DateColumn()
    valid_to = DateColumn()
    legal_act = tables.Column()

    class Meta:
        model = AdministrativeUnit
        fields = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to", "legal_act")
        empty_text = _("No unit matches.")


class PartyOrganisationTable(DatedTable):
    export_paths = {"unit": "unit__name"}  # a foreign key is exported as its text (its __str__)
    name = tables.Column(linkify=True, order_by=("sort_key", "pk"))
    level = ChoiceColumn(OrganisationLevel.choices)
    kind = ChoiceColumn(OrganisationKind.choices)
    unit = tables.Column(order_by=("unit__sort_key",))
    founded_on = DateColumn()
    dissolved_on = DateColumn()

    class Meta:
        model = PartyOrganisation
        fields = ("name", "level", "kind", "unit", "founded_on", "dissolved_on")
        empty_text = _("No party organisation matches.")
