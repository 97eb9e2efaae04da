"""The Resolution 03-NQ/TU report: the story of the blank establishments, year by year.

Resolution 03-NQ/TU of 10/02/2006 set the goal that every establishment (village, school,
health station…) have party members and a party cell. For any period, year by year and by kind
of establishment, this report reads off the data: the establishments without members and
without a cell at the start and at the end of each year, the first members reached, the cells
founded (by founding method) and dissolved, and the people of the establishments blank at the
period's start put on source lists, with how many of them completed the awareness class. Each
"during" figure is given for the year and since the period's start.

Every figure is a SQL aggregate built from the same predicate as the list it links to
(`EstablishmentQuerySet.blank_on`, `PartyMemberQuerySet.first_in_establishment`, the cell and
candidate filters), so a figure and its list always agree. The whole report costs a fixed
number of queries, whatever the period and the number of establishments; the counts are per
home unit and rolled up through the unit map, like the quarterly report's.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import urlencode

from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from candidates.models import SourceListEntry, StageEvent, entry_added_q
from establishments.choices import EstablishmentKind, FoundingMethod, Lacking
from establishments.models import Establishment, PartyCell, PartyMember, active_on_q
from establishments.units import UnitMap, UnitRow

from .quarterly import ReportMap

RESOLUTION_DAY = datetime.date(2006, 2, 10)
KINDS = list(EstablishmentKind.values)
TOTAL = "total"
COLUMNS = [TOTAL, *KINDS]
EARLIEST = datetime.date(1900, 1, 1)


@dataclass(frozen=True)
class Span:
    """One year of the period, cut to the period (the first and last years may be partial)."""

    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        return str(self.start.year)


def year_spans(start: datetime.date, end: datetime.date) -> list[Span]:
    return [
        Span(max(start, datetime.date(year, 1, 1)), min(end, datetime.date(year, 12, 31)))
        for year in range(start.year, end.year + 1)
    ]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str
    when: str  # "start" / "end": on a date; "during": in the year; "since": from the period's start


SOURCE_LABELS = {
    Lacking.NO_MEMBER: (
        _("Put on source lists, from establishments without members"),
        _("Completed the awareness class, from establishments without members"),
    ),
    Lacking.NO_CELL: (
        _("Put on source lists, from establishments without a cell"),
        _("Completed the awareness class, from establishments without a cell"),
    ),
    Lacking.EITHER: (
        _("Put on source lists, from blank establishments"),
        _("Completed the awareness class, from blank establishments"),
    ),
}


def figures() -> list[Figure]:
    """Every figure, in the order of the report (built per request: some labels are composed,
    and a composed label must be translated in the language of the request, not of the import)."""
    status = [
        ("establishments", _("Establishments"), _("Establishments that existed on the day.")),
        (
            "without_members",
            _("Without party members"),
            _("No party member placed there was in the Party on the day (admitted by then, not left)."),
        ),
        (
            "without_cell",
            _("Without a party cell"),
            _("No party cell covering it was active on the day (founded by then, not dissolved)."),
        ),
    ]
    during = [
        (
            "first_members",
            _("First members reached"),
            _(
                "Members admitted in the period when no other member was in the Party at their "
                "establishment (one per establishment and occasion), still in the Party at the period's end."
            ),
        ),
        (
            "cells_founded",
            _("Cells founded"),
            _("Party cells seated in an establishment, founded in the period; by the kind of their seat."),
        ),
        *[
            (
                f"cells_founded_{method}",
                _("of which: %(method)s") % {"method": method.label},
                _("Cells founded in the period whose founding method is: %(method)s.") % {"method": method.label},
            )
            for method in FoundingMethod
        ],
        (
            "cells_dissolved",
            _("Cells dissolved or merged"),
            _("Party cells seated in an establishment, dissolved in the period (a merged cell is dissolved)."),
        ),
    ]
    for lacking, (put, trained) in SOURCE_LABELS.items():
        during += [
            (
                f"source_{lacking}",
                put,
                _(
                    "People put on a source list in the period whose establishment was blank (%(what)s) "
                    "on the period's first day."
                )
                % {"what": lacking.label.lower()},
            ),
            (
                f"source_{lacking}_trained",
                trained,
                _("Of the people just above, those who completed the awareness class by the report's last day."),
            ),
        ]
    figures = [Figure(f"{key}_start", label, text, "start") for key, label, text in status]
    figures += [Figure(key, label, text, "during") for key, label, text in during]
    figures += [Figure(key, label, text, "since") for key, label, text in during]
    figures += [Figure(f"{key}_end", label, text, "end") for key, label, text in status]
    return figures


# --- the counts --------------------------------------------------------------------------------
# Each returns {(home unit, kind): {(figure key, span index): count}}. Span indexes 0…n-1 are the
# years, n…2n-1 the cumulative spans (from the period's start to each year's end).


def _add(found: dict, home, kind, key, index, value) -> None:
    if value:
        cell = found.setdefault((home, kind), {})
        cell[(key, index)] = cell.get((key, index), 0) + value


def establishment_counts(user, spans: list[Span], found: dict) -> None:
    """Existing, without members, without a cell, at each year's start and end (five queries)."""
    dates = [span.start for span in spans] + [span.end for span in spans]
    counts = Establishment.objects.for_user(user).fact_counts_on_dates(dates, ["commune", "kind"])
    n = len(spans)
    names = {"total": "establishments", "without_members": "without_members", "without_cell": "without_cell"}
    for (home, kind), per_date in counts.items():
        for i, row in enumerate(per_date):
            suffix, index = ("_start", i) if i < n else ("_end", i - n)
            for name, key in names.items():
                _add(found, home, kind, key + suffix, index, row[name])


def _spans_with_cumulative(spans: list[Span]) -> list[tuple[datetime.date, datetime.date]]:
    return [(s.start, s.end) for s in spans] + [(spans[0].start, s.end) for s in spans]


def member_counts(user, spans: list[Span], found: dict) -> None:
    """First members reached in each span (one query)."""
    ranges = _spans_with_cumulative(spans)
    counts = {
        f"n{i}": Count("pk", filter=Q(admitted_on__range=(start, end)) & active_on_q("admitted_on", "left_on", end))
        for i, (start, end) in enumerate(ranges)
    }
    rows = (
        PartyMember.objects.for_user(user)
        .first_in_establishment()
        .filter(admitted_on__range=(spans[0].start, spans[-1].end))
        .order_by()
        .values("establishment__commune", "establishment__kind")
        .annotate(**counts)
    )
    for row in rows:
        for i in range(len(ranges)):
            _add(found, row["establishment__commune"], row["establishment__kind"], "first_members", i, row[f"n{i}"])


def cell_counts(user, spans: list[Span], found: dict) -> None:
    """Cells founded (by method) and dissolved in each span, by the kind of their seat (one query)."""
    ranges = _spans_with_cumulative(spans)
    counts = {}
    for i, (start, end) in enumerate(ranges):
        counts[f"f{i}"] = Count("pk", filter=Q(founded_on__range=(start, end)))
        counts[f"d{i}"] = Count("pk", filter=Q(dissolved_on__range=(start, end)))
    period = (spans[0].start, spans[-1].end)
    rows = (
        PartyCell.objects.for_user(user)
        .filter(seat__isnull=False)
        .filter(Q(founded_on__range=period) | Q(dissolved_on__range=period))
        .order_by()
        .values("unit", "seat__kind", "founding_method")
        .annotate(**counts)
    )
    for row in rows:
        home, kind = row["unit"], row["seat__kind"]
        for i in range(len(ranges)):
            _add(found, home, kind, "cells_founded", i, row[f"f{i}"])
            _add(found, home, kind, f"cells_founded_{row['founding_method']}", i, row[f"f{i}"])
            _add(found, home, kind, "cells_dissolved", i, row[f"d{i}"])


def source_counts(user, spans: list[Span], last_day: datetime.date, found: dict) -> None:
    """People of the establishments blank on the period's first day put on source lists in each
    span, and of them those trained by `last_day` (one query: each line is marked by whether its
    person's establishment lacked members, lacked a cell, and whether the person was trained —
    uncorrelated subqueries, computed once — and counted by those marks)."""
    from candidates.models import Candidate

    ranges = _spans_with_cumulative(spans)
    first_day = spans[0].start
    trained = StageEvent.objects.filter(stage="trained", occurred_on__range=(EARLIEST, last_day)).values("candidate")
    marks = {
        "no_member": Q(
            candidate__establishment__in=Establishment.objects.blank_on(first_day, Lacking.NO_MEMBER).values("pk")
        ),
        "no_cell": Q(
            candidate__establishment__in=Establishment.objects.blank_on(first_day, Lacking.NO_CELL).values("pk")
        ),
        "trained": Q(candidate__in=trained),
    }
    home, kind = "candidate__establishment__commune", "candidate__establishment__kind"
    rows = (
        SourceListEntry.objects.filter(candidate__in=Candidate.objects.for_user(user).values("pk"))
        .filter(entry_added_q(*ranges[-1]))
        .annotate(**{name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in marks.items()})
        .filter(Q(no_member=True) | Q(no_cell=True))
        .order_by()
        .values(home, kind, *marks)
        .annotate(
            **{f"n{i}": Count("candidate", distinct=True, filter=entry_added_q(*r)) for i, r in enumerate(ranges)}
        )
    )
    for row in rows:
        lackings = [Lacking.EITHER]
        lackings += [Lacking.NO_MEMBER] if row["no_member"] else []
        lackings += [Lacking.NO_CELL] if row["no_cell"] else []
        for lacking in lackings:
            for i in range(len(ranges)):
                _add(found, row[home], row[kind], f"source_{lacking}", i, row[f"n{i}"])
                if row["trained"]:
                    _add(found, row[home], row[kind], f"source_{lacking}_trained", i, row[f"n{i}"])


# --- the report --------------------------------------------------------------------------------


class Cell:
    """A figure and what its link needs; the link is built only when shown (an export needs none).
    A plain class with slots: a province's report holds ≈ 380,000 of them."""

    __slots__ = ("_link", "figure", "kind", "span", "unit", "value")

    def __init__(self, value: int, figure: "Figure", span: tuple, kind: str | None, unit: UnitRow | None):
        self.value = value
        self.figure = figure
        self.span = span  # (start, end, the period's first day, its last day)
        self.kind = kind
        self.unit = unit
        self._link = None

    @property
    def link(self) -> str:
        if self._link is None:
            self._link = figure_link(self.figure, *self.span, self.kind, self.unit)
        return self._link


@dataclass
class Line:
    """One figure of one year (or of the period so far), for one row: the total and each kind."""

    span: Span
    figure: Figure
    first_day: datetime.date  # the period's start ("since" figures and source lists count from it)
    cells: list[Cell]

    @property
    def start(self) -> datetime.date:
        return self.first_day if self.figure.when == "since" else self.span.start

    @property
    def end(self) -> datetime.date:
        return self.span.end

    @property
    def label(self) -> str:
        return line_label(self.figure, self.first_day)

    @property
    def total(self) -> int:
        return self.cells[0].value


def line_label(figure: Figure, first_day: datetime.date) -> str:
    """A line's label: the figure, and when it is counted (the period's first day for "since")."""
    if figure.when == "start":
        return _("%(figure)s, at the start") % {"figure": figure.label}
    if figure.when == "end":
        return _("%(figure)s, at the end") % {"figure": figure.label}
    if figure.when == "since":
        return _("%(figure)s, since %(day)s") % {"figure": figure.label, "day": first_day.strftime("%d/%m/%Y")}
    return str(figure.label)


def figure_link(figure: Figure, start, end, first_day, last_day, kind: str | None, unit: UnitRow | None) -> str:
    """The list behind a figure, filtered as the figure counts."""
    key = figure.key
    params: dict = {}
    if figure.when in ("start", "end"):
        day = (start if figure.when == "start" else end).isoformat()
        name, params = "establishments:establishment_list", {"as_of": day}
        if key.startswith("without_members"):
            params["has_party_members"] = "false"
        elif key.startswith("without_cell"):
            params["has_party_cell"] = "false"
        if kind:
            params["kind"] = kind
    elif key == "first_members":
        name = "establishments:party_member_list"
        params = {
            "first_in_establishment": "true",
            "admitted_on_after": start.isoformat(),
            "admitted_on_before": end.isoformat(),
            "as_of": end.isoformat(),
        }
        if kind:
            params["establishment_kind"] = kind
    elif key.startswith("cells_"):
        name = "establishments:party_cell_list"
        field_name = "dissolved_on" if key == "cells_dissolved" else "founded_on"
        params = {f"{field_name}_after": start.isoformat(), f"{field_name}_before": end.isoformat()}
        if key.startswith("cells_founded_"):
            params["founding_method"] = key.removeprefix("cells_founded_")
        params.update({"seat_kind": kind} if kind else {"has_seat": "true"})
    else:  # source lists
        name = "candidates:candidate_list"
        lacking = key.removeprefix("source_").removesuffix("_trained")
        params = {
            "from_blank": lacking,
            "blank_on": first_day.isoformat(),
            "added_after": start.isoformat(),
            "added_before": end.isoformat(),
        }
        if key.endswith("_trained"):
            params.update(event="trained", event_before=last_day.isoformat())
        if kind:
            params["establishment_kind"] = kind
    if unit is not None:
        params = {unit.level: unit.pk, **params}
    return f"{_path(name)}?{urlencode(params)}"


@lru_cache
def _path(url_name: str) -> str:
    return reverse(url_name)


class ReportRow:
    """One row of the report (a unit, or the user's whole scope): its lines are composed when
    read, and its summary composes only the lines it shows (the page shows the summary of every
    unit, the export every line)."""

    def __init__(self, unit: UnitRow | None, per_kind: dict, spans: list[Span], start, end):
        self.unit = unit
        self.per_kind = per_kind  # {kind: {(figure key, span index): count}}
        self._args = (unit, per_kind, spans, start, end)

    @cached_property
    def lines(self) -> list[Line]:
        return _lines(*self._args)

    def by_year(self) -> list[tuple[Span, list[Line]]]:
        years: dict[Span, list[Line]] = {}
        for line in self.lines:
            years.setdefault(line.span, []).append(line)
        return list(years.items())

    def summary(self) -> list[Line]:
        """The period as a whole: the status at its start and end, and everything since its start."""
        last = len(self._args[2]) - 1

        def shown(index: int, figure: Figure) -> bool:
            return (figure.when == "start" and index == 0) or (figure.when in ("since", "end") and index == last)

        return _lines(*self._args, shown=shown)


@dataclass
class Report:
    start: datetime.date
    end: datetime.date
    spans: list[Span]
    total: ReportRow
    rows: list[ReportRow]
    map: ReportMap


def _line_counts(per_kind: dict, spans, start, shown=None) -> Iterator[tuple]:
    """(year, figure, the line's first day, [total, count of each kind]) for every figure of every
    year of one row (or those `shown(year index, figure)` says), from {kind: {(key, index): count}}."""
    n, all_figures = len(spans), figures()
    of_kind = [per_kind.get(kind, {}) for kind in KINDS]
    for i, span in enumerate(spans):
        for figure in all_figures:
            if shown is not None and not shown(i, figure):
                continue
            key = (figure.key, i + n if figure.when == "since" else i)
            values = [counts.get(key, 0) for counts in of_kind]
            yield span, figure, start if figure.when == "since" else span.start, [sum(values), *values]


def _lines(unit, per_kind: dict, spans, start, end, shown=None) -> list[Line]:
    """The lines of one row as the page shows them: each count a `Cell` that can link to its list."""
    lines = []
    for span, figure, line_start, counts in _line_counts(per_kind, spans, start, shown):
        dates = (line_start, span.end, start, end)
        cells = [Cell(value, figure, dates, kind, unit) for kind, value in zip([None, *KINDS], counts, strict=True)]
        lines.append(Line(span, figure, start, cells))
    return lines


def line_count(user, start: datetime.date, end: datetime.date, map_day: datetime.date | None = None) -> int:
    """How many lines the export of the report holds (the scope's and each row's, every figure of
    every year), known without counting anything."""
    units = UnitMap.load()
    day = map_day or end
    homes = user.scope.territory if not user.scope.is_province else None
    rows = units.rows_on(day, units.row_level(day), homes=homes)
    return (1 + len(rows)) * len(year_spans(start, end)) * len(figures())


def build_report(user, start: datetime.date, end: datetime.date, map_day: datetime.date | None = None) -> Report:
    """The report of the period from `start` to `end` (both included), in the user's scope: the
    scope as a whole, and one row per unit of `map_day` (default: the period's last day)."""
    units = UnitMap.load()
    day = map_day or end
    report_map = ReportMap(units, day, units.row_level(day))
    spans = year_spans(start, end)
    found: dict = {}
    establishment_counts(user, spans, found)
    member_counts(user, spans, found)
    cell_counts(user, spans, found)
    source_counts(user, spans, end, found)
    homes = user.scope.territory if not user.scope.is_province else None
    rows = report_map.units.rows_on(day, report_map.level, homes=homes)
    per_row: dict[int, dict] = {}
    scope_total: dict = {}
    for (home, kind), counts in found.items():
        row = units.row_of(home, day, report_map.level) if home is not None else None
        for key, value in counts.items():
            total_kind = scope_total.setdefault(kind, {})
            total_kind[key] = total_kind.get(key, 0) + value
            if row is not None:
                target = per_row.setdefault(row, {}).setdefault(kind, {})
                target[key] = target.get(key, 0) + value
    return Report(
        start,
        end,
        spans,
        ReportRow(None, scope_total, spans, start, end),
        [ReportRow(unit, per_row.get(unit.pk, {}), spans, start, end) for unit in rows],
        report_map,
    )


def export_rows(report: Report, scope_name: str):
    """The report as one table: every figure of every year, for the scope and for each row."""
    kinds = [str(label) for label in EstablishmentKind.labels]
    yield [
        str(name) for name in (_("Year"), _("From"), _("To"), _("Code"), _("Unit"), _("Figure"), _("Total"))
    ] + kinds
    labels: dict = {}  # a line's label is the same in every row: composed once
    for row in [report.total, *report.rows]:
        code, name = (row.unit.code, row.unit.name) if row.unit else ("", scope_name)
        for span, figure, line_start, counts in _line_counts(row.per_kind, report.spans, report.start):
            label = labels.get(figure.key + figure.when)
            if label is None:
                label = labels[figure.key + figure.when] = line_label(figure, report.start)
            yield [span.label, line_start, span.end, code, name, label, *counts]
