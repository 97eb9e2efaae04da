"""Figures of the dashboard, aggregated in SQL: a fixed number of queries whatever the data size."""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from establishments.models import FACT_COUNTS, District, Establishment

FIRST_CHART_YEAR = 2006  # Resolution 03-NQ/TU


@dataclass
class BlankRow:
    """One line of the dashboard: a district, or the province (district None)."""

    district: District | None
    as_of: datetime.date
    counts: dict[str, int] = field(default_factory=dict)

    def link(self, **filters) -> str:
        params = {"as_of": self.as_of.isoformat(), **filters}
        if self.district is not None:
            params = {"district": self.district.pk, **params}
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


def blank_rows(user, on: datetime.date) -> tuple[list[BlankRow], BlankRow | None]:
    """Per district in the user's scope, and for the province when the user sees all of it."""
    per_district = Establishment.objects.for_user(user).fact_counts_on(on, "commune__district")
    rows = []
    for district in District.objects.for_user(user):
        found = per_district.get(district.pk, {})
        rows.append(BlankRow(district, on, {key: found.get(key, 0) for key in FACT_COUNTS}))
    total = None
    if user.scope.is_province:
        total = BlankRow(None, on, {key: sum(row.counts[key] for row in rows) for key in FACT_COUNTS})
    return rows, total


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
