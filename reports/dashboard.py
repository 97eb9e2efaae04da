"""Figures of the dashboard, aggregated in SQL: a fixed number of queries whatever the data size.

Rows are the units of the date: the districts while they existed (until 30/06/2025), the
commune-level units after; with `map_day` (e.g. today), the past is shown on that day's map, so
that 2020 and 2026 compare on the same rows. Counts are made per home unit in SQL and rolled up
in Python through the unit map (≈300 units).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse

from candidates.filters import queue_condition, queue_counts
from candidates.models import Candidate
from establishments.choices import OrganisationLevel
from establishments.models import FACT_COUNTS, Establishment, PartyMember, PartyOrganisation
from establishments.units import UnitMap, UnitRow

FIRST_CHART_YEAR = 2006  # Resolution 03-NQ/TU


@dataclass
class BlankRow:
    """One line of the dashboard: a unit of the date, or the province (unit None)."""

    unit: UnitRow | None
    level: str
    as_of: datetime.date
    counts: dict[str, int] = field(default_factory=dict)

    def link(self, **filters) -> str:
        params = {"as_of": self.as_of.isoformat(), **filters}
        if self.unit is not None:
            params = {self.level: self.unit.pk, **params}
        return f"{reverse('establishments:establishment_list')}?{urlencode(params)}"

    @property
    def total_url(self):
        return self.link()

    @property
    def without_members_url(self):
        return self.link(has_party_members="false")

    @property
    def without_cell_url(self):
        return self.link(has_party_cell="false")

    @property
    def blank_without_cadre_url(self):
        return self.link(blank="true", has_cadre="false")


def row_units(user, units: UnitMap, day: datetime.date, level: str) -> list[UnitRow]:
    """The rows a user sees on `day`: every unit of the level for the province, else the units
    their territory lay in on that day."""
    if user.scope.is_province:
        return units.rows_on(day, level)
    return units.rows_on(day, level, homes=user.scope.territory)


def blank_rows(user, on: datetime.date, map_day: datetime.date | None = None):
    """(rows, province total or None, the rows' level) on `on`, grouped by the units of `map_day`
    (default: `on` itself)."""
    units = UnitMap.load()
    day = map_day or on
    level = units.row_level(day)
    per_row = units.rollup(Establishment.objects.for_user(user).fact_counts_on(on, "commune"), day, level)
    rows = []
    for unit in row_units(user, units, day, level):
        found = per_row.get(unit.pk, {})
        rows.append(BlankRow(unit, level, on, {key: found.get(key, 0) for key in FACT_COUNTS}))
    total = None
    if user.scope.is_province:
        total = BlankRow(None, level, on, {key: sum(row.counts[key] for row in rows) for key in FACT_COUNTS})
    return rows, total, level


def party_figures(user, on: datetime.date) -> list[dict]:
    """The party on `on`, by level: committees directly under the province, grassroots
    organisations, cells, members; each with the list behind it (two queries)."""
    by_level = dict(
        PartyOrganisation.objects.for_user(user).active_on(on).order_by().values_list("level").annotate(n=Count("pk"))
    )
    members = PartyMember.objects.for_user(user).active_on(on).count()
    organisations = reverse("establishments:party_organisation_list")
    figures = [
        {
            "level": level,
            "count": by_level.get(level, 0),
            "url": f"{organisations}?{urlencode({'as_of': on, 'level': level})}",
        }
        for level in (OrganisationLevel.AFFILIATED, OrganisationLevel.GRASSROOTS, OrganisationLevel.CELL)
    ]
    figures.append(
        {"level": "members", "count": members, "url": f"{reverse('establishments:party_member_list')}?as_of={on}"}
    )
    return figures


def year_end_dates(until: datetime.date) -> list[datetime.date]:
    """01/01/2006 (Resolution 03-NQ/TU), 31/12 of every year since, then `until` itself."""
    dates = [datetime.date(FIRST_CHART_YEAR, 1, 1)]
    dates += [datetime.date(year, 12, 31) for year in range(FIRST_CHART_YEAR, until.year)]
    return [d for d in dates if d < until] + [until]


def blank_series(user, dates: list[datetime.date]) -> dict:
    """The two "blank" counts of the user's establishments at each date (three queries)."""
    counts = Establishment.objects.for_user(user).blank_counts_on(dates)
    return {
        "labels": [on.strftime("%d/%m/%Y") for on in dates],
        "without_members": [row["without_members"] for row in counts],
        "without_cell": [row["without_cell"] for row in counts],
    }


MY_WORK_ROWS = 10  # the first files of the week on the dashboard; the queue has them all


def my_work(user, on: datetime.date) -> dict | None:
    """What falls due this week in the user's scope and what is overdue, by the work queue's own
    tabs (`candidates.filters.queue_condition`), each count linking to its tab (two queries).
    None for a user who may not see candidates."""
    if not user.has_perm("candidates.view_candidate"):
        return None
    files = Candidate.objects.for_user(user).filter(next_due_on__isnull=False)
    counts = queue_counts(files, on)
    queue = reverse("candidates:work_queue")
    soonest = (
        files.filter(queue_condition("overdue", on) | queue_condition("7", on))
        .select_related("establishment__commune")
        .order_by("next_due_on", "sort_key", "pk")[:MY_WORK_ROWS]
    )
    return {
        "overdue": counts["overdue"],
        "week": counts["week"],
        "overdue_url": f"{queue}?{urlencode({'window': 'overdue', 'as_of': on.isoformat()})}",
        "week_url": f"{queue}?{urlencode({'window': '7', 'as_of': on.isoformat()})}",
        "files": list(soonest),
        "as_of": on,
    }
