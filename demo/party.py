"""The demo party beyond the villages' cells: the sectoral committees directly under the Provincial
Party Committee and the grassroots organisations of the agencies, schools, forces and enterprises,
with their cells and members — calibrated to the board's figures of September 2024: 17 committees
directly under the Provincial Committee, 833 grassroots organisations, 4,115 cells.

From 01/07/2025 the district agencies' organisations sit under the commune party committee of the
unit where their district had its seat; the sectoral ones stay under the Provincial Committee.
"""

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from establishments.choices import FoundingMethod, OrganisationKind, OrganisationLevel, UnitLevel
from establishments.models import (
    AdministrativeUnit,
    PartyCell,
    PartyMember,
    PartyOrganisation,
    PartyOrganisationParent,
    UnitSuccession,
)
from establishments.structure import FIRST_DAY_OF_TWO_LEVELS
from sonla_party.search import fold

from .people import make_person

SEPTEMBER_2024 = datetime.date(2024, 9, 1)
GRASSROOTS_SEPTEMBER_2024 = 833
CELLS_SEPTEMBER_2024 = 4115
SECTORAL = [  # the five committees directly under the Provincial Committee besides the 12 districts'
    ("Đảng bộ Khối các cơ quan tỉnh", 34),
    ("Đảng bộ Khối Doanh nghiệp tỉnh", 28),
    ("Đảng bộ Quân sự tỉnh", 30),
    ("Đảng bộ Công an tỉnh", 28),
    ("Đảng bộ Bộ đội Biên phòng tỉnh", 30),
]
DISTRICT_AGENCIES = [
    "Cơ quan Huyện ủy",
    "Cơ quan chính quyền",
    "Công an",
    "Quân sự",
    "Trường THPT",
    "Trung tâm Y tế",
    "Ngân hàng Chính sách xã hội",
    "Kho bạc Nhà nước",
    "Chi cục Thuế",
    "Hạt Kiểm lâm",
    "Viện Kiểm sát nhân dân",
    "Tòa án nhân dân",
    "Trường Phổ thông Dân tộc nội trú",
    "Điện lực",
    "Bưu điện",
]
SECTORAL_AGENCIES = ["Sở", "Ban", "Công ty", "Trung đoàn", "Phòng", "Đồn", "Trường", "Bệnh viện"]


def _organisation(name, level, kind, unit, founded_on=None, **extra) -> PartyOrganisation:
    return PartyOrganisation(
        name=name, level=level, kind=kind, unit=unit, founded_on=founded_on, search_text=fold(name), **extra
    )


def _seat_units() -> dict[int, int]:
    """District → the new unit of 01/07/2025 that took over its seat (the lowest code among the
    units its communes went into)."""
    seats = {}
    for successor, district in UnitSuccession.objects.values_list("successor", "predecessor__parent").order_by(
        "successor__code"
    ):
        seats.setdefault(district, successor)
    return seats


def build_organisations(rng: random.Random, ids, settled: set[int], establishments) -> tuple[dict, list]:
    """Create the organisations; return (what was created, the unsaved members of their cells)."""
    top = PartyOrganisation.objects.get(kind=OrganisationKind.PROVINCIAL_COMMITTEE)
    province = top.unit
    districts = list(PartyOrganisation.objects.filter(kind=OrganisationKind.DISTRICT_COMMITTEE).select_related("unit"))
    new_committees = {c.unit_id: c for c in PartyOrganisation.objects.filter(kind=OrganisationKind.COMMUNE_COMMITTEE)}
    seats = _seat_units()
    sectoral = [
        _organisation(name, OrganisationLevel.AFFILIATED, OrganisationKind.SECTORAL_COMMITTEE, province)
        for name, _n in SECTORAL
    ]
    PartyOrganisation.objects.bulk_create(sectoral)
    links = [PartyOrganisationParent(organisation=org, parent=top) for org in sectoral]

    existing = PartyOrganisation.objects.active_on(SEPTEMBER_2024).filter(level=OrganisationLevel.GRASSROOTS).count()
    under_districts = GRASSROOTS_SEPTEMBER_2024 - existing - sum(n for _name, n in SECTORAL)
    grassroots, parents = [], []
    for index in range(under_districts):
        committee = districts[index % len(districts)]
        grassroots.append(_agency(rng, committee.unit, index // len(districts)))
        parents.append((committee, new_committees.get(seats.get(committee.unit_id))))
    for org, (_name, count) in zip(sectoral, SECTORAL, strict=True):
        for number in range(count):
            grassroots.append(
                _agency(rng, province, number, prefix=SECTORAL_AGENCIES[number % len(SECTORAL_AGENCIES)])
            )
            parents.append((org, None))
    PartyOrganisation.objects.bulk_create(grassroots, batch_size=1000)
    for org, (before, after) in zip(grassroots, parents, strict=True):
        ends = FIRST_DAY_OF_TWO_LEVELS if after is not None else None
        links.append(PartyOrganisationParent(organisation=org, parent=before, ends_on=ends))
        if after is not None:
            links.append(PartyOrganisationParent(organisation=org, parent=after, starts_on=FIRST_DAY_OF_TWO_LEVELS))

    cells = _agency_cells(rng, [g for g in grassroots if g.kind == OrganisationKind.GRASSROOTS_COMMITTEE])
    links += [PartyOrganisationParent(organisation=cell, parent=parent) for cell, parent in cells]
    PartyOrganisationParent.objects.bulk_create(links, batch_size=2000)
    members = _agency_members(
        rng,
        ids,
        settled,
        establishments,
        [c for c, _p in cells] + [g for g in grassroots if g.kind == OrganisationKind.GRASSROOTS_CELL],
    )
    return {"party_organisations": len(sectoral) + len(grassroots) + len(cells)}, members


def _agency(rng, unit, number: int, prefix: str = "") -> PartyOrganisation:
    """A grassroots organisation: a committee (with cells under it) one time in three, else a cell."""
    is_committee = rng.random() < 0.34
    where = unit.name if unit.level != UnitLevel.PROVINCE else "tỉnh Sơn La"
    agency = prefix or DISTRICT_AGENCIES[number % len(DISTRICT_AGENCIES)]
    label = f"{agency} {where}" + (
        f" số {number // len(DISTRICT_AGENCIES) + 1}" if number >= len(DISTRICT_AGENCIES) else ""
    )
    if prefix:
        label = f"{agency} {number + 1} — {where}"
    kind = OrganisationKind.GRASSROOTS_COMMITTEE if is_committee else OrganisationKind.GRASSROOTS_CELL
    name = f"{'Đảng bộ' if is_committee else 'Chi bộ'} {label}"
    founded = datetime.date(rng.randint(1980, 2004), rng.randint(1, 12), rng.randint(1, 28))
    return _organisation(name, OrganisationLevel.GRASSROOTS, kind, unit, founded_on=founded)


def _agency_cells(rng, committees: list[PartyOrganisation]) -> list[tuple[PartyCell, PartyOrganisation]]:
    """The cells under the agencies' committees: as many as make 4,115 cells on 01/09/2024."""
    needed = CELLS_SEPTEMBER_2024 - PartyCell.objects.active_on(SEPTEMBER_2024).count()
    cells = []
    for index in range(max(0, needed)):
        committee = committees[index % len(committees)]
        number = index // len(committees) + 1
        founded = committee.founded_on + datetime.timedelta(days=rng.randint(0, 900))
        name = f"Chi bộ {number} — {committee.name.removeprefix('Đảng bộ ')}"
        cell = _organisation(
            name,
            OrganisationLevel.CELL,
            OrganisationKind.CELL,
            committee.unit,
            founded_on=min(founded, SEPTEMBER_2024),
            founding_method=FoundingMethod.TRANSFERRED_IN,
        )
        cells.append((cell, committee))
    PartyOrganisation.objects.bulk_create([cell for cell, _c in cells], batch_size=1000)
    return cells


def _agency_members(rng, ids, settled: set[int], establishments, cells) -> list[PartyMember]:
    """Three to five members for each agency cell, living in a village or ward of its area that
    had members long before (so no fact of the villages' story moves)."""
    today = timezone.localdate()
    homes = defaultdict(list)
    units = dict(AdministrativeUnit.objects.filter(level="commune").values_list("pk", "parent_id"))
    for est in establishments:
        if est.pk in settled:
            homes[units.get(est.commune_id)].append(est)
    everywhere = [est for group in homes.values() for est in group]
    members = []
    for cell in cells:
        places = homes.get(cell.unit_id) or everywhere
        for _n in range(rng.randint(3, 5)):
            admitted = datetime.date(rng.randint(1990, 2019), rng.randint(1, 12), rng.randint(1, 28))
            admitted = max(admitted, cell.founded_on)
            person = make_person(rng, ids, admitted, 22, 45)
            member = PartyMember(
                full_name=person.full_name,
                birth_date=person.birth_date,
                gender=person.gender,
                ethnicity=person.ethnicity,
                citizen_id=person.citizen_id,
                establishment=rng.choice(places),
                party_cell_id=cell.pk,
                admitted_on=admitted,
                official_on=admitted.replace(year=admitted.year + 1),
            )
            member.first_of_establishment = False
            member.cell_record = cell
            if member.official_on > today:
                member.official_on = None
            members.append(member)
    return members
