"""The administrative map on any date, in memory: every unit and every succession (two queries).

Establishments, source lists and people are attached to the commune-level unit they were entered
in (their "home" unit). Where a home unit stood on a date follows from the successions: an
establishment of the ward Chiềng Lề (until 30/06/2025) lies in the ward Tô Hiệu from 01/07/2025,
with nothing re-entered. Reports and scopes group and filter by these derived units:

- `territory(unit)`: the commune-level home units whose rows lie in `unit` on some date (a new
  commune and the old ones it was formed from; a district's communes; the whole province);
- `unit_on(home, day)`: the commune-level unit a home unit stood for on `day`;
- `row_level(day)` and `row_of(home, day, level)`: the units a report of `day` is grouped by
  (the districts while they existed, the communes after), and the row of each home unit.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from .choices import UnitLevel


@dataclass(frozen=True)
class UnitRow:
    pk: int
    code: str
    name: str
    kind: str
    level: str
    parent_id: int | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


class UnitMap:
    """Every unit and succession; cheap enough to load for each request that needs it."""

    def __init__(self, units: list[UnitRow], successions: list[tuple[int, int]]):
        self.units = {unit.pk: unit for unit in units}
        self.successors = defaultdict(set)
        self.predecessors_of = defaultdict(set)
        for predecessor, successor in successions:
            self.successors[predecessor].add(successor)
            self.predecessors_of[successor].add(predecessor)

    @classmethod
    def load(cls) -> "UnitMap":
        from .models import AdministrativeUnit, UnitSuccession

        fields = ["pk", "code", "name", "kind", "level", "parent_id", "valid_from", "valid_to"]
        units = [UnitRow(*row) for row in AdministrativeUnit.objects.order_by().values_list(*fields)]
        return cls(units, list(UnitSuccession.objects.order_by().values_list("predecessor_id", "successor_id")))

    def unit(self, pk: int) -> UnitRow:
        return self.units[pk]

    def successor(self, pk: int) -> int | None:
        """The one unit `pk` went into (None if it did not end, or split)."""
        found = self.successors.get(pk, ())
        return next(iter(found)) if len(found) == 1 else None

    def predecessors(self, pk: int) -> set[int]:
        """Every unit that went, directly or not, into `pk`."""
        found, todo = set(), [pk]
        while todo:
            for before in self.predecessors_of.get(todo.pop(), ()):
                if before not in found:
                    found.add(before)
                    todo.append(before)
        return found

    @cached_property
    def communes(self) -> list[UnitRow]:
        return [u for u in self.units.values() if u.level == UnitLevel.COMMUNE]

    def territory(self, pk: int) -> set[int]:
        """The commune-level home units whose rows lie in unit `pk` on some date."""
        unit = self.units[pk]
        if unit.level == UnitLevel.PROVINCE:
            return {u.pk for u in self.communes}
        if unit.level == UnitLevel.DISTRICT:
            found = set()
            for child in (u for u in self.communes if u.parent_id == pk):
                found |= self.territory(child.pk)
            return found
        return {pk} | {p for p in self.predecessors(pk) if self.units[p].level == UnitLevel.COMMUNE}

    def unit_on(self, home: int, day: datetime.date) -> int | None:
        """The unit that home unit `home` stood for on `day` (None before it began, or after a split)."""
        current = home
        for _step in range(20):  # successions do not loop; the bound only guards bad data
            unit = self.units[current]
            if unit.is_valid_on(day):
                return current
            if unit.valid_to is None or day < unit.valid_to:
                return None
            current = self.successor(current)
            if current is None:
                return None
        return None

    def row_level(self, day: datetime.date) -> str:
        """What a report of `day` is grouped by: districts while any existed, else the communes."""
        if any(u.level == UnitLevel.DISTRICT and u.is_valid_on(day) for u in self.units.values()):
            return UnitLevel.DISTRICT
        return UnitLevel.COMMUNE

    def row_of(self, home: int, day: datetime.date, level: str) -> int | None:
        """The row (a unit of `level` valid on `day`) that home unit `home` falls in."""
        unit = self.unit_on(home, day)
        if unit is None or level == UnitLevel.COMMUNE:
            return unit
        parent = self.units[unit].parent_id
        return parent if parent is not None and self.units[parent].level == level else None

    def rows_on(self, day: datetime.date, level: str, homes=None) -> list[UnitRow]:
        """The units of `level` valid on `day` — of the given home units only, if given — by code."""
        if homes is None:
            found = [u for u in self.units.values() if u.level == level and u.is_valid_on(day)]
        else:
            keys = {self.row_of(home, day, level) for home in homes} - {None}
            found = [self.units[key] for key in keys]
        return sorted(found, key=lambda u: (u.code, u.name))

    def rollup(self, per_home: dict, day: datetime.date, level: str) -> dict[int, dict[str, int]]:
        """Counts by home unit → counts by the rows of `day` (home units with no row are dropped)."""
        rows: dict[int, dict[str, int]] = {}
        for home, counts in per_home.items():
            row = self.row_of(home, day, level) if home is not None else None
            if row is None:
                continue
            target = rows.setdefault(row, {})
            for key, value in counts.items():
                target[key] = target.get(key, 0) + value
        return rows
