"""Move the districts into the table of administrative units, under a province unit, and point
every reference to a district (communes, users, cadres, training classes, and their history) at
its unit; users of a commune keep it as their unit. Existing cells get their unit (the seat's
commune) and their members a dated membership from the day they were admitted."""

from django.db import migrations
from django.db.models import F

from sonla_party.search import fold

PROVINCE = {"level": "province", "code": "14", "name": "Sơn La", "kind": "province"}
DISTRICT_KINDS = {"town": "district_town"}  # thị xã; the communes' "town" stays thị trấn


def forward(apps, schema_editor):
    using = schema_editor.connection.alias
    Unit = apps.get_model("establishments", "AdministrativeUnit")
    District = apps.get_model("establishments", "District")
    if not District.objects.db_manager(using).exists() and not Unit.objects.db_manager(using).exists():
        return  # a new database: the reference data comes with the next migrations
    province = Unit.objects.db_manager(using).filter(level="province", code=PROVINCE["code"]).first()
    if province is None:
        province = Unit.objects.db_manager(using).create(**PROVINCE, search_text=fold(f"{PROVINCE['name']} {PROVINCE['code']}"))
    mapping = {}
    for district in District.objects.db_manager(using).order_by("code"):
        unit = Unit.objects.db_manager(using).create(
            level="district",
            code=district.code,
            name=district.name,
            kind=DISTRICT_KINDS.get(district.kind, district.kind),
            parent=province,
            search_text=fold(f"{district.name} {district.code}"),
        )
        mapping[district.pk] = unit.pk
    _repoint(apps, mapping, using)
    for unit in Unit.objects.db_manager(using).filter(level="commune"):
        Unit.objects.db_manager(using).filter(pk=unit.pk).update(search_text=fold(f"{unit.name} {unit.code}"))
    _cells_and_memberships(apps, using)


def _repoint(apps, mapping, using):
    """Every column that held a district's key now holds its unit's key."""
    Unit = apps.get_model("establishments", "AdministrativeUnit")
    User = apps.get_model("sonla_party", "User")
    targets = [
        (Unit.objects.db_manager(using).filter(level="commune"), "district_id", "parent_id"),
        (apps.get_model("establishments", "HistoricalAdministrativeUnit").objects.db_manager(using).all(), "district_id", "parent_id"),
        (apps.get_model("establishments", "Cadre").objects.db_manager(using).all(), "district_id", "area_id"),
        (apps.get_model("establishments", "HistoricalCadre").objects.db_manager(using).all(), "district_id", "area_id"),
        (apps.get_model("candidates", "TrainingClass").objects.db_manager(using).all(), "district_id", "unit_id"),
        (apps.get_model("candidates", "HistoricalTrainingClass").objects.db_manager(using).all(), "district_id", "unit_id"),
        (User.objects.db_manager(using).filter(commune__isnull=True), "district_id", "unit_id"),
    ]
    for old, new in mapping.items():
        for queryset, source, target in targets:
            queryset.filter(**{source: old}).update(**{target: new})
    User.objects.db_manager(using).filter(commune__isnull=False).update(unit=F("commune"))


def _cells_and_memberships(apps, using):
    Organisation = apps.get_model("establishments", "PartyOrganisation")
    HistoricalOrganisation = apps.get_model("establishments", "HistoricalPartyOrganisation")
    Establishment = apps.get_model("establishments", "Establishment")
    Member = apps.get_model("establishments", "PartyMember")
    Membership = apps.get_model("establishments", "CellMembership")
    communes = dict(Establishment.objects.db_manager(using).values_list("pk", "commune_id"))
    for cell_pk, seat in Organisation.objects.db_manager(using).values_list("pk", "seat_id"):
        Organisation.objects.db_manager(using).filter(pk=cell_pk).update(unit_id=communes.get(seat))
    for seat in set(HistoricalOrganisation.objects.db_manager(using).values_list("seat_id", flat=True)):
        HistoricalOrganisation.objects.db_manager(using).filter(seat_id=seat).update(unit_id=communes.get(seat))
    memberships = [
        Membership(member_id=pk, cell_id=cell, starts_on=admitted, ends_on=left)
        for pk, cell, admitted, left in Member.objects.db_manager(using).filter(party_cell__isnull=False).values_list(
            "pk", "party_cell_id", "admitted_on", "left_on"
        )
    ]
    Membership.objects.db_manager(using).bulk_create(memberships, batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("establishments", "0006_dated_structure_columns"),
        ("sonla_party", "0007_user_unit"),
        ("candidates", "0007_training_class_unit_and_deciding_committee"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
