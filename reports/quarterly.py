"""The quarterly report of the board's meeting with the district (since 2025: commune) committees.

One row per unit of the quarter's date in the user's scope — the districts up to 2/2025, the
commune-level units from 3/2025, or, on request, today's units for any quarter — and the province
for users who see all of it. Every
figure is a SQL aggregate built from the same conditions as the list it links to, so a figure
and its drill-down list always agree. A quarter costs four grouped queries (establishments,
candidates, members, cells), whatever the number of rows; they count per home unit and are
rolled up through the unit map.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import (
    Candidate,
    SourceListEntry,
    StageEvent,
    entry_added_q,
    entry_open_on_q,
    event_open_on_q,
    phase_event_q,
    step_event_q,
)
from establishments.models import Establishment, PartyCell, PartyMember, active_on_q
from establishments.units import UnitMap, UnitRow

from .models import FinalisedReport

EVENT_COLUMNS = {
    "trained": "trained",
    "admitted": "admitted",
    "recognised": "official",
    "removed": "removed",
    "withdrawn": "withdrawn",
    "moved_away": "moved_away",
}


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        following = self.next()
        return following.start - datetime.timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def year_before(self) -> "Quarter":
        return Quarter(self.year - 1, self.number)

    def last(self, count: int) -> list["Quarter"]:
        """The `count` quarters ending with this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.insert(0, quarters[0].previous())
        return quarters

    def __str__(self):
        return f"{self.number}/{self.year}"

    @classmethod
    def containing(cls, day: datetime.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    group: str  # "end" (at the quarter's end) or "during" (during the quarter)

    def link(self, quarter: Quarter, unit: UnitRow | None) -> str:
        start, end = quarter.start.isoformat(), quarter.end.isoformat()
        url_name, params = _DRILL_DOWNS[self.key](start, end)
        if unit is not None:  # the row's unit: a district, or a commune-level unit
            params = {unit.level: unit.pk, **params}
        return f"{reverse(url_name)}?{urlencode(params)}"


def _est(**params):
    return lambda start, end: ("establishments:establishment_list", {"as_of": end, **params})


def _cand_phase(phase):
    return lambda start, end: ("candidates:candidate_list", {"phase": phase, "as_of": end})


def _cand_event(stage):
    return lambda start, end: (
        "candidates:candidate_list",
        {"event": stage, "event_after": start, "event_before": end},
    )


def _members(status):
    return lambda start, end: ("establishments:party_member_list", {"status": status, "as_of": end})


def _cells(field_name):
    return lambda start, end: (
        "establishments:party_cell_list",
        {f"{field_name}_after": start, f"{field_name}_before": end},
    )


_DRILL_DOWNS = {
    "establishments": _est(),
    "without_members": _est(has_party_members="false"),
    "without_cell": _est(has_party_cell="false"),
    "blank_without_cadre": _est(blank="true", has_cadre="false"),
    "on_source_list": _cand_phase("on_source_list"),
    "certified": _cand_phase("certified"),
    "in_procedure": _cand_phase("in_procedure"),
    "probationary": _members("probationary"),
    "official": _members("official"),
    "added_to_source": lambda start, end: (
        "candidates:candidate_list",
        {"added_after": start, "added_before": end},
    ),
    **{key: _cand_event(stage) for key, stage in EVENT_COLUMNS.items()},
    "cells_founded": _cells("founded_on"),
    "cells_dissolved": _cells("dissolved_on"),
}

COLUMNS = [
    Column("establishments", _("Establishments"), "end"),
    Column("without_members", _("Without party members"), "end"),
    Column("without_cell", _("Without a party cell"), "end"),
    Column("blank_without_cadre", _("Blank, with no responsible cadre"), "end"),
    Column("on_source_list", _("On source lists"), "end"),
    Column("certified", _("Holding a valid certificate"), "end"),
    Column("in_procedure", _("In the dossier and voting stages"), "end"),
    Column("probationary", _("Probationary members"), "end"),
    Column("official", _("Official members"), "end"),
    Column("added_to_source", _("Added to source lists"), "during"),
    Column("trained", _("Trained"), "during"),
    Column("admitted", _("Admitted"), "during"),
    Column("recognised", _("Recognised official"), "during"),
    Column("removed", _("Removed"), "during"),
    Column("withdrawn", _("Withdrawn"), "during"),
    Column("moved_away", _("Moved away"), "during"),
    Column("cells_founded", _("Cells founded"), "during"),
    Column("cells_dissolved", _("Cells dissolved"), "during"),
]
KEYS = [column.key for column in COLUMNS]


def _split(rows, group: str, count: int) -> list[dict[int, dict[str, int]]]:
    """Rows of `group` with columns named `<key>__<i>` → one {home unit: {key: value}} per quarter i."""
    figures = [{} for _index in range(count)]
    for row in rows:
        district = row.pop(group)
        for name, value in row.items():
            key, index = name.rsplit("__", 1)
            figures[int(index)].setdefault(district, {})[key] = value
    return figures


def establishment_figures(user, quarters: list[Quarter]) -> list[dict]:
    """At each quarter's end: establishments, without members, without a cell, blank without a
    cadre (one query per quarter: the facts are subqueries on that date)."""
    names = {"total": "establishments"}  # the report's column for the establishments that exist
    figures = []
    for quarter in quarters:
        counts = Establishment.objects.for_user(user).fact_counts_on(quarter.end, "commune")
        figures.append(
            {district: {names.get(key, key): value for key, value in row.items()} for district, row in counts.items()}
        )
    return figures


def candidate_figures(user, quarters: list[Quarter]) -> list[dict]:
    """Steps and phases from the events, lists from their lines: two grouped queries for all the
    quarters. Each counts distinct candidates under the same conditions as the candidate list's
    drill-down filters."""
    district = "candidate__establishment__commune"  # the home unit; rolled up by the report's map
    events, relevant = {}, Q(pk__in=[])
    entries, lines = {}, Q(pk__in=[])
    for i, quarter in enumerate(quarters):
        start, end = quarter.start, quarter.end
        relevant |= Q(occurred_on__range=(start, end)) | event_open_on_q(end)  # the rows any count looks at
        for phase in ("certified", "in_procedure"):
            events[f"{phase}__{i}"] = Count("candidate", distinct=True, filter=phase_event_q(phase, end))
        for key, stage in EVENT_COLUMNS.items():
            events[f"{key}__{i}"] = Count("candidate", distinct=True, filter=step_event_q(stage, start, end))
        lines |= entry_open_on_q(end) | entry_added_q(start, end)
        entries[f"on_source_list__{i}"] = Count("candidate", distinct=True, filter=entry_open_on_q(end))
        entries[f"added_to_source__{i}"] = Count("candidate", distinct=True, filter=entry_added_q(start, end))
    by_events = StageEvent.objects.for_user(user).filter(relevant).order_by().values(district).annotate(**events)
    by_lines = (
        SourceListEntry.objects.filter(candidate__in=Candidate.objects.for_user(user).values("pk"))
        .filter(lines)
        .order_by()
        .values(district)
        .annotate(**entries)
    )
    figures = _split(list(by_events), district, len(quarters))
    for i, part in enumerate(_split(list(by_lines), district, len(quarters))):
        for district_id, row in part.items():
            figures[i].setdefault(district_id, {}).update(row)
    return figures


def member_figures(user, quarters: list[Quarter]) -> list[dict]:
    """Probationary and official members at each quarter's end (one query for all the quarters)."""
    counts = {}
    for i, quarter in enumerate(quarters):
        on = quarter.end
        active = active_on_q("admitted_on", "left_on", on)
        official = Q(official_on__isnull=False, official_on__lte=on)
        counts[f"probationary__{i}"] = Count("pk", filter=active & ~official)
        counts[f"official__{i}"] = Count("pk", filter=active & official)
    rows = PartyMember.objects.for_user(user).order_by().values("establishment__commune").annotate(**counts)
    return _split(list(rows), "establishment__commune", len(quarters))


def cell_figures(user, quarters: list[Quarter]) -> list[dict]:
    """Cells founded and dissolved during each quarter (one query for all the quarters)."""
    counts, touched = {}, Q(pk__in=[])
    for i, quarter in enumerate(quarters):
        founded, dissolved = (
            Q(founded_on__range=(quarter.start, quarter.end)),
            Q(dissolved_on__range=(quarter.start, quarter.end)),
        )
        counts[f"cells_founded__{i}"] = Count("pk", filter=founded)
        counts[f"cells_dissolved__{i}"] = Count("pk", filter=dissolved)
        touched |= founded | dissolved
    rows = PartyCell.objects.for_user(user).filter(touched).order_by().values("unit").annotate(**counts)
    return _split(list(rows), "unit", len(quarters))


@dataclass(frozen=True)
class ReportMap:
    """How a report groups its figures: the rows are the units of `level` on `day` (the report's
    own date, or today for "today's map"); every quarter's figures are rolled up on the same rows,
    so that the changes compare the same territory across a reorganisation."""

    units: UnitMap
    day: datetime.date
    level: str

    @classmethod
    def of(cls, quarter: Quarter, map_day: datetime.date | None = None) -> "ReportMap":
        units = UnitMap.load()
        day = map_day or quarter.end
        return cls(units, day, units.row_level(day))


def quarter_figures(user, quarters: list[Quarter], report_map: ReportMap, row_ids: list[int]) -> list[dict]:
    """Every column for every row of `row_ids`, for each quarter (a bounded number of queries:
    one per quarter for the establishments, four in all for the rest), rolled up by the map."""
    parts = [
        establishment_figures(user, quarters),
        candidate_figures(user, quarters),
        member_figures(user, quarters),
        cell_figures(user, quarters),
    ]
    result = []
    for i in range(len(quarters)):
        per_home: dict[int, dict[str, int]] = {}
        for part in parts:
            for home, row in part[i].items():
                per_home.setdefault(home, {}).update(row)
        per_row = report_map.units.rollup(per_home, report_map.day, report_map.level)
        result.append({pk: {**dict.fromkeys(KEYS, 0), **per_row.get(pk, {})} for pk in row_ids})
    return result


@dataclass
class ReportRow:
    unit: UnitRow | None  # None: the province
    figures: dict[str, int]
    previous: dict[str, int]
    year_before: dict[str, int]
    finalised: dict[str, int] | None = None
    cells: list = field(default_factory=list)

    @property
    def key(self) -> str:
        """Where a finalised report keeps this row's figures."""
        return "province" if self.unit is None else str(self.unit.pk)


def total(rows: list[dict[str, int]]) -> dict[str, int]:
    return {key: sum(row[key] for row in rows) for key in KEYS}


@dataclass
class Report:
    quarter: Quarter
    rows: list[ReportRow]
    province: ReportRow | None
    map: ReportMap

    @property
    def previous_level(self) -> str:
        """How the previous quarter's own report was grouped (it differs across the 2025 reform)."""
        return self.map.units.row_level(self.quarter.previous().end)


def report_rows(user, report_map: ReportMap) -> list[UnitRow]:
    if user.scope.is_province:
        return report_map.units.rows_on(report_map.day, report_map.level)
    return report_map.units.rows_on(report_map.day, report_map.level, homes=user.scope.territory)


def build_report(user, quarter: Quarter, map_day: datetime.date | None = None) -> Report:
    """The quarter, the one before and the same one a year before, per row of the map (nine queries)."""
    report_map = ReportMap.of(quarter, map_day)
    units = report_rows(user, report_map)
    now, before, last_year = quarter_figures(
        user, [quarter, quarter.previous(), quarter.year_before()], report_map, [u.pk for u in units]
    )
    rows = [ReportRow(u, now[u.pk], before[u.pk], last_year[u.pk]) for u in units]
    province = None
    if user.scope.is_province:
        province = ReportRow(
            None,
            total([r.figures for r in rows]),
            total([r.previous for r in rows]),
            total([r.year_before for r in rows]),
        )
    return Report(quarter, rows, province, report_map)


def admissions_by_quarter(user, quarters: list[Quarter], map_day: datetime.date | None = None) -> dict:
    """Admissions (ceremonies) per quarter and row of the last quarter's map, for the chart (one query)."""
    report_map = ReportMap.of(quarters[-1], map_day)
    units = report_rows(user, report_map)
    rows = (
        StageEvent.objects.for_user(user)
        .filter(stage="admitted", occurred_on__range=(quarters[0].start, quarters[-1].end))
        .annotate(year=ExtractYear("occurred_on"), quarter=ExtractQuarter("occurred_on"))
        .order_by()
        .values("candidate__establishment__commune", "year", "quarter")
        .annotate(n=Count("candidate", distinct=True))
    )
    found: dict[tuple[int, int, int], int] = {}
    for r in rows:
        row = report_map.units.row_of(r["candidate__establishment__commune"], report_map.day, report_map.level)
        if row is not None:
            key = (row, r["year"], r["quarter"])
            found[key] = found.get(key, 0) + r["n"]
    return {
        "labels": [str(q) for q in quarters],
        "series": {str(u.pk): u.name for u in units},
        **{str(u.pk): [found.get((u.pk, q.year, q.number), 0) for q in quarters] for u in units},
    }


def blank_by_quarter(user, quarters: list[Quarter]) -> dict:
    counts = Establishment.objects.for_user(user).blank_counts_on([q.end for q in quarters])
    return {
        "labels": [str(q) for q in quarters],
        "series": {"without_members": str(_("Without party members")), "without_cell": str(_("Without a party cell"))},
        "without_members": [c["without_members"] for c in counts],
        "without_cell": [c["without_cell"] for c in counts],
    }


def finalised_for(quarter: Quarter) -> FinalisedReport | None:
    return (
        FinalisedReport.objects.filter(year=quarter.year, quarter=quarter.number)
        .select_related("finalised_by")
        .first()
    )
