"""Tables of the registry lists. The views' querysets select / annotate every column shown."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from sonla_party.tables import BooleanColumn, ChoiceColumn, CitizenIdColumn, DateColumn

from .choices import EstablishmentKind, Ethnicity, FoundingMethod, Gender, MemberStatus
from .models import Establishment, PartyCell, PartyMember


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

    class Meta:
        model = Establishment
        fields = ("name", "code", "kind", "commune", "district", "has_party_members", "has_party_cell")
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
    member_count = tables.Column(verbose_name=_("Current members"))

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
