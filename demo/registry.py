"""Demo registry: a province that tells the real story of Resolution 03-NQ/TU.

Calibrated to the published figures:
- on 01/01/2006: 3,181 establishments, 86 without party members, 995 without a party cell;
- during 2006: 61 establishments got their first members (56 villages, 4 schools, 1 health
  station) and 364 cells were founded (230 villages, 59 schools, 75 health stations);
- 2006–2015: 1,070 cells founded (737 villages, 248 schools, 85 health stations; 704 by
  admitting new members); on 31/12/2015, 86 villages and 10 schools still without a cell;
- on 31/12/2020 every establishment had both. Some enterprises and cooperatives (Resolution
  19-NQ/TU) open from 2021 on, a few still without a cell.
Cells founded in an establishment already covered by a combined cell are "split off".

The demo data is the starting state, not a change: the small tables (districts, communes,
establishments, cells, cadres) get their "created" history record; the large ones (members,
and in the candidates app files and events) are seeded without one, to load the province fast.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db.models import F, Min
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from candidates.rules import PROBATION_MONTHS
from establishments import structure
from establishments.choices import (
    AssignmentRole,
    CadreForce,
    EstablishmentKind,
    FoundingMethod,
    LeftReason,
    UnitKind,
    UnitLevel,
)
from establishments.models import Assignment, Cadre, CellMembership, Commune, Establishment, PartyCell, PartyMember
from sonla_party.workdays import add_months

from . import party as party_demo
from .people import CitizenIds, make_person

START = datetime.date(2006, 1, 1)
TOTAL_2006 = 3181
KIND_TOTALS = {  # of the 3,181 establishments of 2006
    EstablishmentKind.HEALTH_STATION: 204,
    EstablishmentKind.SCHOOL: 420,
    EstablishmentKind.RESIDENTIAL_GROUP: 150,
    EstablishmentKind.SUB_REGION: 180,
}
NEW_ENTERPRISES = 19  # enterprises and cooperatives opened 2021–2024

VILLAGE_SYLLABLES_1 = [
    "Nà",
    "Huổi",
    "Pá",
    "Co",
    "Phiêng",
    "Hua",
    "Noong",
    "Bó",
    "Púng",
    "Tong",
    "Lọng",
    "Kéo",
    "Mường",
    "Pom",
    "Nặm",
    "Hin",
    "Tà",
    "Khau",
    "Piềng",
    "Đông",
    "Cang",
    "Mòn",
]
VILLAGE_SYLLABLES_2 = [
    "Sài",
    "Lay",
    "Hốc",
    "Mòn",
    "Pe",
    "Khoang",
    "Ban",
    "Chiềng",
    "Cuông",
    "Đứa",
    "Lếch",
    "Xa",
    "Tát",
    "Củ",
    "Mu",
    "Nghè",
    "Lót",
    "Khay",
    "Hạ",
    "Thượng",
    "Phát",
    "Quăn",
    "Ỏ",
    "Điện",
]
SCHOOL_KINDS = ["Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường PTDT bán trú", "Trường THPT"]


@dataclass
class Plan:
    """Which establishment gets what, and when."""

    establishments: list[Establishment] = field(default_factory=list)
    cell_founding: dict[int, tuple[datetime.date, str]] = field(default_factory=dict)  # index → (date, method)
    combined_seat: dict[int, int] = field(default_factory=dict)  # split index → seat index
    first_member_on: dict[int, datetime.date] = field(default_factory=dict)  # no members in 2006 → first admission


def load_communes() -> list[Commune]:
    """The 200 commune-level units of the districts' years, from the reference data (idempotent:
    the data migration has usually loaded them already)."""
    structure.load_units(django_apps)
    return list(
        Commune.objects.filter(valid_from__isnull=True, parent__level=UnitLevel.DISTRICT)
        .select_related("parent")
        .order_by("code")
    )


def random_date(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _year(rng, year_from: int, year_to: int) -> datetime.date:
    return random_date(rng, datetime.date(year_from, 1, 2), datetime.date(year_to, 12, 30))


def village_name(rng: random.Random, used: set[str]) -> str:
    for _attempt in range(50):
        name = f"Bản {rng.choice(VILLAGE_SYLLABLES_1)} {rng.choice(VILLAGE_SYLLABLES_2)}"
        if name not in used:
            used.add(name)
            return name
    name = f"Bản {rng.choice(VILLAGE_SYLLABLES_1)} {rng.choice(VILLAGE_SYLLABLES_2)} {len(used)}"
    used.add(name)
    return name


def kinds_per_commune(rng: random.Random, communes: list[Commune]) -> dict[int, list[str]]:
    """Spread the 3,181 establishments over the communes, kind by kind."""
    per = defaultdict(list)
    rural = [c for c in communes if c.kind == UnitKind.COMMUNE]
    wards = [c for c in communes if c.kind == UnitKind.WARD]
    towns = [c for c in communes if c.kind == UnitKind.TOWN]
    for commune in communes:
        per[commune.pk].append(EstablishmentKind.HEALTH_STATION)
    for commune in rng.sample(rural, KIND_TOTALS[EstablishmentKind.HEALTH_STATION] - len(communes)):
        per[commune.pk].append(EstablishmentKind.HEALTH_STATION)
    schools = KIND_TOTALS[EstablishmentKind.SCHOOL]
    for commune in communes:
        per[commune.pk] += [EstablishmentKind.SCHOOL] * 2
    for commune in rng.sample(communes, schools - 2 * len(communes)):
        per[commune.pk].append(EstablishmentKind.SCHOOL)
    groups = KIND_TOTALS[EstablishmentKind.RESIDENTIAL_GROUP]
    for index in range(groups):
        per[wards[index % len(wards)].pk].append(EstablishmentKind.RESIDENTIAL_GROUP)
    sub_regions = KIND_TOTALS[EstablishmentKind.SUB_REGION]
    hosts = towns * 12 + rng.sample(rural, 28) * 3
    for index in range(sub_regions):
        per[hosts[index % len(hosts)].pk].append(EstablishmentKind.SUB_REGION)
    villages = TOTAL_2006 - sum(len(kinds) for kinds in per.values())
    weights = [rng.randint(6, 20) for _c in rural]
    shares = [villages * w // sum(weights) for w in weights]
    for index in range(villages - sum(shares)):
        shares[index % len(shares)] += 1
    for commune, share in zip(rural, shares, strict=True):
        per[commune.pk] += [EstablishmentKind.VILLAGE] * share
    return per


def build_establishments(rng: random.Random, communes: list[Commune]) -> list[Establishment]:
    per = kinds_per_commune(rng, communes)
    result = []
    for commune in communes:
        used: set[str] = set()
        counters = defaultdict(int)
        for kind in per[commune.pk]:
            counters[kind] += 1
            number = counters[kind]
            name, code = establishment_name(rng, kind, number, commune, used)
            result.append(Establishment(commune=commune, kind=kind, name=name, code=code))
    for index in range(NEW_ENTERPRISES):
        commune = communes[(index * 37) % len(communes)]
        kind = EstablishmentKind.ENTERPRISE if index % 2 else EstablishmentKind.COOPERATIVE
        prefix = "Công ty TNHH" if kind == EstablishmentKind.ENTERPRISE else "Hợp tác xã"
        trade = rng.choice(["Chè", "Cà phê", "Nông sản", "Dược liệu", "Bò sữa", "Xoài"])
        result.append(
            Establishment(
                commune=commune,
                kind=kind,
                name=f"{prefix} {trade} {commune.name}",
                code=f"DN{index + 1:02d}",
                opened_on=_year(rng, 2021, 2024),
            )
        )
    return result


def establishment_name(rng, kind, number, commune, used) -> tuple[str, str]:
    if kind == EstablishmentKind.VILLAGE:
        return village_name(rng, used), f"B{number:02d}"
    if kind == EstablishmentKind.SCHOOL:
        school = SCHOOL_KINDS[(number - 1) % len(SCHOOL_KINDS)]
        suffix = f" số {(number - 1) // len(SCHOOL_KINDS) + 1}" if number > len(SCHOOL_KINDS) else ""
        return f"{school} {commune.name}{suffix}", f"TH{number:02d}"
    if kind == EstablishmentKind.HEALTH_STATION:
        suffix = f" {number}" if number > 1 else ""
        return f"Trạm Y tế {commune.name}{suffix}", f"YT{number:02d}"
    if kind == EstablishmentKind.SUB_REGION:
        return f"Tiểu khu {number}", f"TK{number:02d}"
    return f"Tổ dân phố {number}", f"TDP{number:02d}"


def plan_history(rng: random.Random, establishments: list[Establishment]) -> Plan:
    """Choose, per kind, the blanks of 2006 and the dates their members and cells arrive."""
    plan = Plan(establishments=establishments)
    by_kind = defaultdict(list)
    for index, est in enumerate(establishments):
        if est.opened_on is None:
            by_kind[est.kind].append(index)
    for indexes in by_kind.values():
        rng.shuffle(indexes)
    villages = by_kind[EstablishmentKind.VILLAGE]
    schools = by_kind[EstablishmentKind.SCHOOL]
    health = by_kind[EstablishmentKind.HEALTH_STATION]

    # Blank-cell establishments of 2006: 702 villages, 218 schools, 75 health stations (= 995).
    blank_v, blank_s, blank_h = villages[:702], schools[:218], health[:75]
    # Of these, 86 had no party member: 78 villages, 7 schools, 1 health station.
    nomember_v, nomember_s, nomember_h = blank_v[:78], blank_s[:7], blank_h[:1]
    # Members arrive in 2006 for 56 villages, 4 schools, 1 health station; the others 2007–2012.
    for position, index in enumerate(nomember_v):
        plan.first_member_on[index] = _year(rng, 2006, 2006) if position < 56 else _year(rng, 2007, 2012)
    for position, index in enumerate(nomember_s):
        plan.first_member_on[index] = _year(rng, 2006, 2006) if position < 4 else _year(rng, 2007, 2012)
    plan.first_member_on[nomember_h[0]] = datetime.date(2006, 3, 15)

    late_v = set(nomember_v[56:])  # members only after 2006: their cells come after 2015
    late_s = set(nomember_s[4:])
    early_nomember = set(nomember_v[:56]) | set(nomember_s[:4])
    # Villages: 230 cells in 2006, 386 in 2007–2015, 86 after 2015.
    after_2015_v = list(late_v) + [i for i in blank_v[78:] if i not in late_v][: 86 - len(late_v)]
    rest_v = [i for i in blank_v if i not in set(after_2015_v)]
    in_2006_v = [i for i in rest_v if i not in early_nomember][:230]
    for index in blank_v:
        if index in after_2015_v:
            when = _year(rng, 2016, 2020)
        elif index in in_2006_v:
            when = _year(rng, 2006, 2006)
        else:
            when = _year(rng, 2007, 2015)
        plan.cell_founding[index] = (when, None)
    # Schools: 59 cells in 2006, 149 in 2007–2015, 10 after 2015.
    after_2015_s = list(late_s) + [i for i in blank_s[7:] if i not in late_s][: 10 - len(late_s)]
    rest_s = [i for i in blank_s if i not in set(after_2015_s)]
    in_2006_s = [i for i in rest_s if i not in early_nomember][:59]
    for index in blank_s:
        if index in after_2015_s:
            when = _year(rng, 2016, 2020)
        elif index in in_2006_s:
            when = _year(rng, 2006, 2006)
        else:
            when = _year(rng, 2007, 2015)
        plan.cell_founding[index] = (when, None)
    # Health stations: all 75 in 2006 (the one without members after its first admission).
    for index in blank_h:
        when = (
            random_date(rng, datetime.date(2006, 9, 1), datetime.date(2006, 12, 28))
            if index in nomember_h
            else _year(rng, 2006, 2006)
        )
        plan.cell_founding[index] = (when, None)
    # First members must come before the first cell.
    for index, first in plan.first_member_on.items():
        when, method = plan.cell_founding[index]
        if when <= first:
            plan.cell_founding[index] = (first + datetime.timedelta(days=rng.randint(60, 200)), method)
    _plan_methods(rng, plan, blank_v + blank_s + blank_h)
    _plan_splits(rng, plan, villages[702:], schools[218:], health[75:])
    return plan


# Of the 1,070 cells of 2006–2015, 704 were founded by admitting members and having enough after
# their recognition: 446 villages, 197 schools, 61 health stations (the others: members
# transferred in, split off from a combined cell, resettlement).
RECRUITED_2006_2015 = {
    EstablishmentKind.VILLAGE: 446,
    EstablishmentKind.SCHOOL: 197,
    EstablishmentKind.HEALTH_STATION: 61,
}


def _plan_methods(rng: random.Random, plan: Plan, first_cells: list[int]) -> None:
    """How the first cells of 2006–2015 were founded, kind by kind (see RECRUITED_2006_2015)."""
    in_period = [i for i in first_cells if plan.cell_founding[i][0] <= datetime.date(2015, 12, 31)]
    rng.shuffle(in_period)
    others = [FoundingMethod.TRANSFERRED_IN] * 6 + [FoundingMethod.RESETTLEMENT] * 2 + [FoundingMethod.OTHER]
    recruited = defaultdict(int)
    for index in in_period:
        kind = plan.establishments[index].kind
        if recruited[kind] < RECRUITED_2006_2015.get(kind, 0):
            recruited[kind] += 1
            method = FoundingMethod.RECRUITED
        else:
            method = rng.choice(others)
        plan.cell_founding[index] = (plan.cell_founding[index][0], method)
    for index in first_cells:
        if plan.cell_founding[index][1] is None:
            plan.cell_founding[index] = (
                plan.cell_founding[index][0],
                rng.choice([FoundingMethod.RECRUITED, FoundingMethod.TRANSFERRED_IN]),
            )


def _plan_splits(rng: random.Random, plan: Plan, villages: list[int], schools: list[int], health: list[int]) -> None:
    """121 villages, 40 schools and 10 health stations covered in 2006 by a neighbour's combined
    cell get their own cell in 2007–2015 (split off)."""
    establishments = plan.establishments
    splits = villages[:121] + schools[:40] + health[:10]
    split_set = set(splits)
    seats_by_commune = defaultdict(list)
    for index, est in enumerate(establishments):
        if est.opened_on is None and index not in plan.cell_founding and index not in split_set:
            seats_by_commune[est.commune_id].append(index)
    for index in splits:
        seat = rng.choice(seats_by_commune[establishments[index].commune_id])
        plan.combined_seat[index] = seat
        plan.cell_founding[index] = (_year(rng, 2007, 2015), FoundingMethod.SPLIT_OFF)


def build_cells(rng: random.Random, plan: Plan) -> tuple[dict[int, PartyCell], list[tuple[PartyCell, Establishment]]]:
    """One own cell per establishment (old ones founded before 2006), plus the combined coverage."""
    establishments = plan.establishments
    own = {}
    for index, est in enumerate(establishments):
        if est.opened_on is not None:  # the new enterprises: about half have a cell
            if index % 2 == 0:
                own[index] = PartyCell(
                    name=f"Chi bộ {est.name}",
                    seat=est,
                    unit_id=est.commune_id,
                    founded_on=est.opened_on + datetime.timedelta(days=rng.randint(90, 400)),
                    founding_method=FoundingMethod.TRANSFERRED_IN,
                )
            continue
        founded = plan.cell_founding.get(index)
        if founded is None:
            founded = (_year(rng, 1965, 2005), rng.choice([FoundingMethod.RECRUITED, FoundingMethod.TRANSFERRED_IN]))
        own[index] = PartyCell(
            name=f"Chi bộ {est.name}",
            seat=est,
            unit_id=est.commune_id,
            founded_on=founded[0],
            founding_method=founded[1],
        )
    today = timezone.localdate()
    for index in list(own):
        if own[index].founded_on > today:
            del own[index]
    bulk_create_with_history(list(own.values()), PartyCell, batch_size=1000)
    coverage = [(cell, establishments[index]) for index, cell in own.items()]
    for split, seat in plan.combined_seat.items():
        coverage.append((own[seat], establishments[split]))
    through = PartyCell.establishments.through
    through.objects.bulk_create(
        [through(partyorganisation_id=cell.pk, establishment_id=est.pk) for cell, est in coverage], batch_size=2000
    )
    return own, coverage


SEPTEMBER_2024 = datetime.date(2024, 9, 1)
MEMBERS_SEPTEMBER_2024 = 93216  # the province's members then (the province-scale demo holds exactly these)


def plan_members(rng: random.Random, plan: Plan, cells: dict[int, PartyCell], scale: str, ids) -> list[PartyMember]:
    """Members of every establishment (unsaved), consistent with the plan's first-member dates."""
    today = timezone.localdate()
    before, after = ((3, 7), (1, 3)) if scale == "default" else ((20, 33), (5, 10))
    members: list[PartyMember] = []
    for index, est in enumerate(plan.establishments):
        cell = cells.get(index)
        admissions = []
        if est.opened_on is not None:
            admissions += [_year(rng, est.opened_on.year, min(today.year, 2025)) for _n in range(rng.randint(*after))]
        elif index in plan.first_member_on:  # no member before this date
            first = plan.first_member_on[index]
            admissions.append(first)
            admissions += [random_date(rng, first, today) for _n in range(rng.randint(2, 4) + rng.randint(*after))]
        else:
            admissions.append(_year(rng, 1975, 2004))  # the member who makes "has members" in 2006
            admissions += [_year(rng, 1970, 2005) for _n in range(rng.randint(*before) - 1)]
            admissions += [_year(rng, 2006, 2025) for _n in range(rng.randint(*after))]
        for position, admitted in enumerate(sorted(admissions)):
            if admitted > today:
                continue
            member = _member(rng, ids, est, cell, admitted, can_leave=position > 0, today=today)
            member.first_of_establishment = position == 0
            members.append(member)
    return members


def in_party_on(member: PartyMember, day: datetime.date) -> bool:
    return member.admitted_on <= day and (member.left_on is None or member.left_on > day)


def calibrate_members(rng, members: list[PartyMember], settled: set[int], ids) -> list[PartyMember]:
    """Exactly MEMBERS_SEPTEMBER_2024 members in the Party on 01/09/2024: surplus members of
    establishments that had members long before are left out, or members are added there (so
    that no "blank" fact of Resolution 03 moves)."""
    count = sum(in_party_on(m, SEPTEMBER_2024) for m in members)
    if count > MEMBERS_SEPTEMBER_2024:
        spare = [
            i
            for i, m in enumerate(members)
            if m.establishment.pk in settled and not m.first_of_establishment and in_party_on(m, SEPTEMBER_2024)
        ]
        dropped = set(rng.sample(spare, count - MEMBERS_SEPTEMBER_2024))
        return [m for i, m in enumerate(members) if i not in dropped]
    hosts = [m for m in members if m.establishment.pk in settled and m.first_of_establishment]
    today = timezone.localdate()
    for _n in range(MEMBERS_SEPTEMBER_2024 - count):
        host = rng.choice(hosts)
        admitted = _year(rng, 2008, 2020)
        member = _member(rng, ids, host.establishment, host.party_cell, admitted, can_leave=False, today=today)
        member.first_of_establishment = False
        members.append(member)
    return members


def save_members(members: list[PartyMember]) -> int:
    """Write the members and their dated cell memberships (from admission, or the cell's founding)."""
    for start in range(0, len(members), 5000):
        PartyMember.objects.bulk_create(members[start : start + 5000], batch_size=5000)
    memberships = []
    for member in members:
        cell = getattr(member, "cell_record", None) or member.party_cell
        if cell is None:
            continue
        starts = max(member.admitted_on, cell.founded_on)
        ends = member.left_on
        if cell.dissolved_on is not None and (ends is None or cell.dissolved_on < ends):
            ends = cell.dissolved_on
        if ends is None or ends >= starts:
            memberships.append(CellMembership(member=member, cell=cell, starts_on=starts, ends_on=ends))
    CellMembership.objects.bulk_create(memberships, batch_size=5000)
    return len(members)


def _member(rng, ids, est, cell, admitted, *, can_leave: bool, today) -> PartyMember:
    person = make_person(rng, ids, admitted, 19, 45)
    official = add_months(admitted, PROBATION_MONTHS)
    official = official if official <= today else None
    left_on, reason = None, ""
    roll = rng.random()
    if can_leave and roll < 0.12:
        left_on = random_date(rng, admitted + datetime.timedelta(days=400), admitted + datetime.timedelta(days=9000))
        reason = rng.choice(
            [LeftReason.TRANSFERRED_OUT, LeftReason.DECEASED, LeftReason.TRANSFERRED_OUT, LeftReason.OTHER]
        )
        if left_on > today:
            left_on, reason = None, ""
    elif can_leave and roll < 0.13 and official:
        left_on, reason, official = official - datetime.timedelta(days=1), LeftReason.REMOVED, None
    return PartyMember(
        full_name=person.full_name,
        birth_date=person.birth_date,
        gender=person.gender,
        ethnicity=person.ethnicity,
        citizen_id=person.citizen_id,
        establishment=est,
        party_cell=cell,
        admitted_on=admitted,
        official_on=official,
        left_on=left_on,
        left_reason=reason,
    )


CADRE_FORCES = [
    (CadreForce.COMMUNE_OFFICIAL, "Đảng ủy xã", "Phó Bí thư Đảng ủy"),
    (CadreForce.COMMUNE_OFFICIAL, "Ủy ban nhân dân xã", "Phó Chủ tịch UBND xã"),
    (CadreForce.MILITARY, "Ban Chỉ huy Quân sự huyện", "Đại úy"),
    (CadreForce.POLICE, "Công an huyện", "Thượng úy"),
    (CadreForce.PROVINCIAL_OFFICIAL, "Ban Tổ chức Huyện ủy", "Chuyên viên"),
]


def build_cadres(rng: random.Random) -> dict[str, int]:
    """Border-guard deputy secretaries in the border communes (handed over every few years), and
    cadres following most — not all — of the establishments while they were blank."""
    ids = CitizenIds(start=800000)
    today = timezone.localdate()
    cadres, assignments = [], []

    def cadre(district, force, unit, rank):
        person = make_person(rng, ids, today, 28, 50)
        cadres.append(
            Cadre(
                full_name=person.full_name,
                force=force,
                unit=unit,
                rank=rank,
                area=district,
                phone=f"09{rng.randint(10000000, 99999999)}",
            )
        )
        return cadres[-1]

    # Each border commune has its guard while it exists: the old ones until 30/06/2025, their
    # successors from 01/07/2025 (a new guard is named with the new commune).
    for commune in (
        Commune.objects.filter(is_border=True)
        .select_related("parent")
        .order_by(F("valid_from").asc(nulls_first=True), "code")
    ):
        start = commune.valid_from or _year(rng, 2007, 2010)
        last_day = min(commune.valid_to or today, today)
        area = commune.district or commune
        while start <= last_day:
            guard = cadre(area, CadreForce.BORDER_GUARD, f"Đồn Biên phòng {commune.name}", "Thiếu tá")
            end = start + datetime.timedelta(days=rng.randint(3 * 365, 6 * 365))
            if commune.valid_to is not None and end > commune.valid_to:
                end = commune.valid_to + datetime.timedelta(days=1)  # an assignment's end is exclusive
            assignments.append(
                Assignment(
                    cadre=guard,
                    commune=commune,
                    role=AssignmentRole.DEPUTY_SECRETARY,
                    starts_on=start,
                    ends_on=end if end < today else None,
                )
            )
            start = end
    pools = defaultdict(list)
    for est, blank_from, blank_until in _blank_periods():
        if rng.random() > 0.85:
            continue  # nobody followed this one
        district = est.commune.district
        if not pools[district.pk] or rng.random() < 0.35:
            pools[district.pk].append(cadre(district, *rng.choice(CADRE_FORCES)))
        follower = rng.choice(pools[district.pk])
        start = blank_from + datetime.timedelta(days=rng.randint(0, 200))
        if blank_until is not None and start >= blank_until:
            start = blank_from
        end = blank_until + datetime.timedelta(days=rng.randint(60, 400)) if blank_until else None
        assignments.append(
            Assignment(
                cadre=follower,
                establishment=est,
                role=AssignmentRole.FOLLOWS_ESTABLISHMENT,
                starts_on=start,
                ends_on=end if end and end < today else None,
            )
        )
    bulk_create_with_history(cadres, Cadre, batch_size=1000)
    for assignment in assignments:
        assignment.cadre_id = assignment.cadre.pk
    bulk_create_with_history(assignments, Assignment, batch_size=1000)
    return {"cadres": len(cadres), "assignments": len(assignments)}


def _blank_periods():
    """(establishment, from, until) for every establishment that lacked members or a cell since
    2006: from 2006 (or its opening) until its first cell (None: still without one)."""
    first_cell = dict(
        PartyCell.establishments.through.objects.values("establishment")
        .annotate(first=Min("partyorganisation__founded_on"))
        .values_list("establishment", "first")
    )
    for est in Establishment.objects.select_related("commune__parent").order_by("pk"):
        since = max(START, est.opened_on or START)
        founded = first_cell.get(est.pk)
        if founded is None or founded > since:
            yield est, since, founded


def build_registry(*, seed: int = 2006, scale: str = "default") -> dict[str, int]:
    """Communes, establishments, cells, the party's organisations and members; returns what it created."""
    rng = random.Random(seed)
    communes = load_communes()
    establishments = build_establishments(rng, communes)
    bulk_create_with_history(establishments, Establishment, batch_size=1000)
    plan = plan_history(rng, establishments)
    cells, _coverage = build_cells(rng, plan)
    structure.load_party_structure(django_apps)
    ids = CitizenIds(start=1)
    members = plan_members(rng, plan, cells, scale, ids)
    settled = {
        est.pk
        for index, est in enumerate(establishments)
        if est.opened_on is None and index not in plan.first_member_on
    }
    organisations, agency_members = party_demo.build_organisations(rng, ids, settled, establishments)
    members += agency_members
    if scale == "province":
        members = calibrate_members(rng, members, settled, ids)
    saved = save_members(members)
    cadres = build_cadres(rng)
    return {
        **cadres,
        "communes": len(communes),
        "establishments": len(establishments),
        "party_cells": len(cells),
        **organisations,
        "party_members": saved,
    }
