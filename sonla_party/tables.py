"""Table columns shared by every app."""

from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData

from .citizen_id import mask_citizen_id


class DatedTable(tables.Table):
    """A table whose columns may depend on the list's date (`as_of`, default today)."""

    def __init__(self, *args, as_of=None, **kwargs):
        self.as_of = as_of
        super().__init__(*args, **kwargs)


class DateColumn(tables.Column):
    """dd/mm/yyyy on the page; a real date in exports (XLSX date cells)."""

    def render(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value(self, value):
        return value


class BooleanColumn(tables.BooleanColumn):
    """✔ / ✘ on the page, "x" / "" in exports."""

    def value(self, value):
        return bool(value)


class ChoiceColumn(tables.Column):
    """The label of a TextChoices value (works on annotated values too)."""

    def __init__(self, choices, *args, **kwargs):
        self.choices = dict(choices)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return self.choices.get(value, value)

    def value(self, value):
        return str(self.choices.get(value, value))


class CitizenIdColumn(tables.Column):
    """Whole number for users with the permission, the last four digits for everyone else."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("citizen ID"))
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return self.value(value, table)

    def value(self, value, table):
        user = getattr(getattr(table, "request", None), "user", None)
        if user is not None and user.has_perm("sonla_party.view_full_citizen_id"):
            return value
        return mask_citizen_id(value)


class LinkedCountMixin:
    """A count that links to the filtered list behind it (NetBox's LinkedCountColumn): the link's
    filters are `url_params`, each value an attribute path of the row or a function of it."""

    def __init__(self, *args, viewname: str, url_params: dict, **kwargs):
        self.viewname, self.url_params = viewname, url_params
        super().__init__(*args, **kwargs)

    def url(self, record) -> str:
        params = {}
        for name, source in self.url_params.items():
            value = source(record) if callable(source) else tables.A(source).resolve(record)
            params[name] = getattr(value, "pk", value)
        return f"{reverse(self.viewname)}?{urlencode(params)}"

    def linked(self, shown, record):
        if not shown or shown == "—":
            return shown
        return format_html('<a href="{}">{}</a>', self.url(record), shown)


class LinkedCountColumn(LinkedCountMixin, tables.Column):
    """An annotated count of the row, linked to its list."""

    def render(self, value, record):
        return self.linked(value, record)

    def value(self, value):
        return value


class PageBatchColumn(tables.Column):
    """A figure fetched in one query for the rows shown — the page, or every row of an export.

    An annotation (a subquery per row) would be computed by the database for every row it skips
    to reach a late page too; this asks only for the rows on the page. `fetch(records)` returns
    `{pk: {key: value}}` and is called once per table, whichever columns share it. Sorting by the
    column annotates the whole list with `sort_by()` (a subquery expression), as it must.
    """

    def __init__(self, fetch, key=None, sort_by=None, missing=0, **kwargs):
        self.fetch, self.key, self.sort_by, self.missing = fetch, key, sort_by, missing
        kwargs.setdefault("accessor", "pk")
        kwargs.setdefault("orderable", sort_by is not None)
        super().__init__(**kwargs)

    def order(self, queryset, is_descending):
        if self.sort_by is None:
            return queryset, False
        ordered = queryset.annotate(page_batch_sort=self.sort_by())
        return ordered.order_by(("-" if is_descending else "") + "page_batch_sort", "pk"), True

    def figures(self, table) -> dict:
        batches = table.__dict__.setdefault("_page_batches", {})
        if self.fetch not in batches:
            rows = table.page.object_list if getattr(table, "page", None) else table.data
            batches[self.fetch] = self.fetch([getattr(row, "record", row) for row in rows])
        return batches[self.fetch]

    def value(self, record, table):
        found = self.figures(table).get(record.pk, {})
        return found.get(self.key, self.missing) if self.key else found or self.missing

    def render(self, record, table):
        value = self.value(record, table)
        return "—" if value == "" else value


class PageByKeysData(TableQuerysetData):
    """A list's rows, a page at a time: the page's keys first, then the page's rows.

    PostgreSQL computes the select list of a query — the per-row subqueries "has a party cell on
    D", "members today"… — for every row it skips with OFFSET too, so page 40 would cost them for
    1,000 rows. Asked for a slice, this selects the keys of the page (the same filters and order,
    no per-row subqueries unless the filter or the order needs them), then the rows with those
    keys, in the same order: one query, `WHERE pk IN (SELECT pk … LIMIT … OFFSET …)`.
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.data.filter(pk__in=self.data.values("pk")[key])
        return self.data[key]


class LinkedPageBatchColumn(LinkedCountMixin, PageBatchColumn):
    """A count fetched for the page's rows (`PageBatchColumn`), linked to its list."""

    def render(self, record, table):
        return self.linked(super().render(record, table), record)
