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
    LinkedCountColumn,
    PageBatchColumn,
)

from .choices import AssignmentRole, CadreForce, EstablishmentKind, Ethnicity, FoundingMethod, Gender, MemberStatus
from .models import Assignment, Cadre, Establishment, PartyCell, PartyMember


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


class EstablishmentTable(tables.Table):
    name = tables.Column(linkify=True)
    code = tables.Column()
    kind = ChoiceColumn(EstablishmentKind.choices)
    commune = tables.Column(order_by=("commune__name",))
    district = tables.Column(
        accessor="commune__district", verbose_name=_("District"), order_by=("commune__district__code",)
    )
    has_party_members = BooleanColumn(verbose_name=_("Has party members"))
    has_party_cell = BooleanColumn(verbose_name=_("Has a party cell"))
    has_cadre = BooleanColumn(verbose_name=_("Has a responsible cadre"))
    cadres = PageBatchColumn(cadres_today, missing="", verbose_name=_("Responsible cadres today"))

    class Meta:
        model = Establishment
        fields = ("name", "code", "kind", "commune", "district", "has_party_members", "has_party_cell", "has_cadre")
        empty_text = _("No establishment matches.")


class PartyCellTable(tables.Table):
    name = tables.Column(linkify=True)
    seat = tables.Column(order_by=("seat__name",))
    commune = tables.Column(accessor="seat__commune", verbose_name=_("Commune"), order_by=("seat__commune__name",))
    district = tables.Column(
        accessor="seat__commune__district", verbose_name=_("District"), order_by=("seat__commune__district__code",)
    )
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


class PartyMemberTable(tables.Table):
    full_name = tables.Column(linkify=True)
    birth_date = DateColumn()
    gender = ChoiceColumn(Gender.choices)
    ethnicity = ChoiceColumn(Ethnicity.choices)
    citizen_id = CitizenIdColumn()
    establishment = tables.Column(order_by=("establishment__name",))
    commune = tables.Column(
        accessor="establishment__commune", verbose_name=_("Commune"), order_by=("establishment__commune__name",)
    )
    party_cell = tables.Column(order_by=("party_cell__name",))
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


class CadreTable(tables.Table):
    full_name = tables.Column(linkify=True)
    force = ChoiceColumn(CadreForce.choices)
    unit = tables.Column()
    rank = tables.Column()
    phone = tables.Column()
    district = tables.Column(order_by=("district__code",))
    open_assignments = LinkedCountColumn(
        viewname="establishments:assignment_list",
        url_params={"cadre": "pk", "is_open": lambda record: "true"},
        verbose_name=_("Open assignments"),
    )

    class Meta:
        model = Cadre
        fields = ("full_name", "force", "unit", "rank", "phone", "district")
        empty_text = _("No cadre matches.")


class AssignmentTable(tables.Table):
    cadre = tables.Column(linkify=lambda record: record.cadre.get_absolute_url(), order_by=("cadre__full_name",))
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
