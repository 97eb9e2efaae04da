"""The province's structure as reference data: its units before and after the July 2025 reform,
where each old unit went, and the party committees that lead them.

Sources (in `establishments/data/`, copied from the board's reference files):
- `son_la_communes.csv`: the 200 commune-level units of 01/03/2025 under their 12 districts;
- `son_la_communes_2025.csv`: the 75 commune-level units from 01/07/2025 (Resolution 1681/NQ-UBTVQH15);
- `son_la_succession_2025.csv`: the new unit each old unit went into, whole.

The functions take an app registry (`django.apps.apps`, or a migration's `apps`), so the data
migration and the demo load the same facts the same way. Each is idempotent: running it again on
a database that has the facts adds nothing.
"""

import csv
import datetime
from pathlib import Path

from django.db.models import F

from sonla_party.search import fold

DATA = Path(__file__).resolve().parent / "data"
LAST_DAY_OF_DISTRICTS = datetime.date(2025, 6, 30)
FIRST_DAY_OF_TWO_LEVELS = datetime.date(2025, 7, 1)
REFORM_ACT = "Nghị quyết 1681/NQ-UBTVQH15 ngày 16/06/2025 của Ủy ban Thường vụ Quốc hội"
PROVINCE = ("14", "Sơn La")
DISTRICTS = [  # the official codes (DESIGN.md) and kinds: thành phố, huyện, thị xã (Mộc Châu, early 2025)
    ("116", "Sơn La", "city"),
    ("118", "Quỳnh Nhai", "district"),
    ("119", "Thuận Châu", "district"),
    ("120", "Mường La", "district"),
    ("121", "Bắc Yên", "district"),
    ("122", "Phù Yên", "district"),
    ("123", "Mộc Châu", "district_town"),
    ("124", "Yên Châu", "district"),
    ("125", "Mai Sơn", "district"),
    ("126", "Sông Mã", "district"),
    ("127", "Sốp Cộp", "district"),
    ("128", "Vân Hồ", "district"),
]
# Communes along the border with Laos.
BORDER_COMMUNES = {
    "Mường Lèo",
    "Mường Lạn",
    "Mường Và",
    "Púng Bánh",
    "Nậm Lạnh",
    "Chiềng Khương",
    "Mường Cai",
    "Mường Hung",
    "Yên Hưng",
    "Co Mạ",
    "Long Hẹ",
    "Phiêng Pằn",
    "Chiềng On",
    "Phiêng Khoài",
    "Lóng Sập",
    "Chiềng Khừa",
    "Xuân Nha",
    "Tân Xuân",
}
KIND_WORDS = {
    "province": "tỉnh",
    "city": "thành phố",
    "district": "huyện",
    "district_town": "thị xã",
    "commune": "xã",
    "ward": "phường",
    "town": "thị trấn",
}


def read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _unit(Unit, *, level, code, valid_from, defaults, using):
    found = Unit.objects.db_manager(using).filter(level=level, code=code, valid_from=valid_from).first()
    if found is None:
        found = Unit.objects.db_manager(using).create(
            level=level, code=code, valid_from=valid_from, search_text=fold(f"{defaults['name']} {code}"), **defaults
        )
    return found


def load_units(apps, using: str = "default") -> dict[str, int]:
    """The province, the 12 districts and 200 communes ending on 30/06/2025, the 75 units from
    01/07/2025 under the province, and the successions. Returns what it created."""
    Unit = apps.get_model("establishments", "AdministrativeUnit")
    Succession = apps.get_model("establishments", "UnitSuccession")
    before = Unit.objects.db_manager(using).count(), Succession.objects.db_manager(using).count()
    province = _unit(
        Unit,
        using=using,
        level="province",
        code=PROVINCE[0],
        valid_from=None,
        defaults={"name": PROVINCE[1], "kind": "province"},
    )
    districts = {}
    for code, name, kind in DISTRICTS:
        districts[code] = _unit(
            Unit,
            using=using,
            level="district",
            code=code,
            valid_from=None,
            defaults={"name": name, "kind": kind, "parent": province},
        )
    old = {}
    for row in read("son_la_communes.csv"):
        defaults = {
            "name": row["name"],
            "kind": row["kind"],
            "parent": districts[row["district_code"]],
            "is_border": row["name"] in BORDER_COMMUNES,
            "is_mountainous": row["kind"] == "commune",
        }
        old[row["code"]] = _unit(
            Unit, using=using, level="commune", code=row["code"], valid_from=None, defaults=defaults
        )
    Unit.objects.db_manager(using).filter(
        pk__in=[u.pk for u in [*districts.values(), *old.values()]], valid_to__isnull=True
    ).update(valid_to=LAST_DAY_OF_DISTRICTS)
    successions = read("son_la_succession_2025.csv")
    new = {}
    for row in read("son_la_communes_2025.csv"):
        sources = [old[s["old_code"]] for s in successions if s["new_code"] == row["code"]]
        defaults = {
            "name": row["name"],
            "kind": row["kind"],
            "parent": province,
            "legal_act": REFORM_ACT,
            "is_border": any(s.is_border for s in sources),
            "is_mountainous": any(s.is_mountainous for s in sources),
        }
        new[row["code"]] = _unit(
            Unit, using=using, level="commune", code=row["code"], valid_from=FIRST_DAY_OF_TWO_LEVELS, defaults=defaults
        )
    for row in successions:
        Succession.objects.db_manager(using).get_or_create(
            predecessor=old[row["old_code"]],
            successor=new[row["new_code"]],
            defaults={"on": FIRST_DAY_OF_TWO_LEVELS, "legal_act": REFORM_ACT},
        )
    return {
        "units": Unit.objects.db_manager(using).count() - before[0],
        "successions": Succession.objects.db_manager(using).count() - before[1],
    }


def committee_name(unit) -> str:
    return f"Đảng bộ {KIND_WORDS[unit.kind]} {unit.name}"


def _organisation(Organisation, *, kind, unit, using, **fields):
    found = Organisation.objects.db_manager(using).filter(kind=kind, unit=unit).first()
    if found is None:
        found = Organisation.objects.db_manager(using).create(
            kind=kind, unit=unit, search_text=fold(fields["name"]), **fields
        )
    return found


def load_party_structure(apps, using: str = "default") -> dict[str, int]:
    """The Provincial Party Committee; the district party committees (until 30/06/2025) and the
    commune party committees directly under the province (from 01/07/2025); the grassroots party
    committee of each old commune; and, for every cell, its place under its commune's committee
    on each date. Returns what it created."""
    Unit = apps.get_model("establishments", "AdministrativeUnit")
    Organisation = apps.get_model("establishments", "PartyOrganisation")
    Link = apps.get_model("establishments", "PartyOrganisationParent")
    Succession = apps.get_model("establishments", "UnitSuccession")
    province = Unit.objects.db_manager(using).filter(level="province").first()
    if province is None:
        return {"organisations": 0, "links": 0}
    before = Organisation.objects.db_manager(using).count(), Link.objects.db_manager(using).count()
    top = _organisation(
        Organisation,
        using=using,
        kind="provincial_committee",
        unit=province,
        level="province",
        name=f"Đảng bộ tỉnh {province.name}",
    )
    committees = {}  # unit pk → the committee leading it
    for unit in (
        Unit.objects.db_manager(using)
        .filter(level__in=["district", "commune"])
        .order_by("-level", F("valid_from").asc(nulls_first=True), "code")
    ):
        if unit.level == "district":
            kind, level, parent = "district_committee", "affiliated", top
        elif unit.valid_from is not None:  # a commune-level unit of the two-level government
            kind, level, parent = "commune_committee", "affiliated", top
        else:
            kind, level, parent = "grassroots_committee", "grassroots", committees.get(unit.parent_id)
        committee = _organisation(
            Organisation,
            using=using,
            kind=kind,
            unit=unit,
            level=level,
            name=committee_name(unit),
            founded_on=unit.valid_from,
            dissolved_on=unit.valid_to + datetime.timedelta(days=1) if unit.valid_to else None,
            founding_document=unit.legal_act,
        )
        committees[unit.pk] = committee
        if parent is not None:
            _link(Link, committee, parent, unit.valid_from, committee.dissolved_on, using)
    successor = dict(Succession.objects.db_manager(using).values_list("predecessor_id", "successor_id"))
    placed = set(
        Link.objects.db_manager(using).filter(organisation__level="cell").values_list("organisation_id", flat=True)
    )
    links = []
    for cell in (
        Organisation.objects.db_manager(using).filter(level="cell").exclude(unit__isnull=True).exclude(pk__in=placed)
    ):
        links += _cell_links(Link, cell, committees, successor)
    Link.objects.db_manager(using).bulk_create(links, batch_size=2000)
    return {
        "organisations": Organisation.objects.db_manager(using).count() - before[0],
        "links": Link.objects.db_manager(using).count() - before[1],
    }


def _link(Link, organisation, parent, starts_on, ends_on, using):
    if not Link.objects.db_manager(using).filter(organisation=organisation, parent=parent).exists():
        Link.objects.db_manager(using).create(
            organisation=organisation, parent=parent, starts_on=starts_on, ends_on=ends_on
        )


def _later(a, b):
    return b if a is None else a if b is None else max(a, b)


def _earlier(a, b):
    return b if a is None else a if b is None else min(a, b)


def _cell_links(Link, cell, committees, successor) -> list:
    """A cell sits under its commune's committee; when that commune ended, under its successor's."""
    links, unit = [], cell.unit_id
    while unit is not None and unit in committees:
        committee = committees[unit]
        starts_on = _later(cell.founded_on, committee.founded_on)
        ends_on = _earlier(cell.dissolved_on, committee.dissolved_on)
        if starts_on is None or ends_on is None or starts_on < ends_on:
            links.append(Link(organisation=cell, parent=committee, starts_on=starts_on, ends_on=ends_on))
        if committee.dissolved_on is None or (cell.dissolved_on and cell.dissolved_on <= committee.dissolved_on):
            break
        unit = successor.get(unit)
    return links
