"""Table columns shared by every app."""

from collections.abc import Iterator
from itertools import islice
from types import SimpleNamespace
from urllib.parse import urlencode

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.encoding import force_str
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

    def export_column(self, bound_column, table):
        return ExportColumn(value_path(bound_column), empty_values=self.empty_values)


class BooleanColumn(tables.BooleanColumn):
    """✔ / ✘ on the page, "x" / "" in exports."""

    def value(self, value):
        return bool(value)

    def export_column(self, bound_column, table):
        return ExportColumn(value_path(bound_column), bool, self.empty_values)


class ChoiceColumn(tables.Column):
    """The label of a TextChoices value (works on annotated values too)."""

    def __init__(self, choices, *args, **kwargs):
        self.choices = dict(choices)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return self.choices.get(value, value)

    def value(self, value):
        return str(self.choices.get(value, value))

    def export_column(self, bound_column, table):
        labels = {value: str(label) for value, label in self.choices.items()}
        return ExportColumn(value_path(bound_column), lambda value: labels.get(value, value), self.empty_values)


class CitizenIdColumn(tables.Column):
    """Whole number for users with the permission, the last four digits for everyone else."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("citizen ID"))
        super().__init__(*args, **kwargs)

    def render(self, value, table):
        return self.value(value, table)

    def value(self, value, table):
        return value if self.shows_full(table) else mask_citizen_id(value)

    @staticmethod
    def shows_full(table) -> bool:
        user = getattr(getattr(table, "request", None), "user", None)
        return user is not None and user.has_perm("sonla_party.view_full_citizen_id")

    def export_column(self, bound_column, table):
        convert = None if self.shows_full(table) else mask_citizen_id
        return ExportColumn(value_path(bound_column), convert, self.empty_values)


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

    def export_column(self, bound_column, table):
        return ExportColumn(value_path(bound_column), empty_values=self.empty_values)


class PageBatchColumn(tables.Column):
    """A figure fetched in one query for the rows shown — the page, or every row of an export.

    An annotation (a subquery per row) would be computed by the database for every row it skips
    to reach a late page too; this asks only for the rows on the page. `fetch(records)` returns
    `{pk: {key: value}}` and is called once per table, whichever columns share it. Sorting by the
    column annotates the whole list with `sort_by()` (a subquery expression), as it must.
    """

    def __init__(self, fetch, key=None, sort_by=None, missing=0, record_fields=("pk",), **kwargs):
        """`record_fields`: the fields `fetch` reads of a record (an export passes it only those)."""
        self.fetch, self.key, self.sort_by, self.missing = fetch, key, sort_by, missing
        self.record_fields = record_fields
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

    def export_column(self, bound_column, table):
        return PageBatchExportColumn(self)


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


# --- Exports read as values ------------------------------------------------------------------

EXPORT_CHUNK = 2000


def value_path(bound_column) -> str:
    """The `.values()` key of a column's accessor ("establishment.commune_id" → "establishment__commune_id")."""
    return str(bound_column.accessor).replace(".", "__")


class ExportColumn:
    """How one column of an export is read from a `.values()` row: the database path of its raw
    value and the function that turns it into the cell (what the column's `value()` would give)."""

    def __init__(self, path: str, convert=None, empty_values=(None, "")):
        self.path, self.convert, self.empty_values = path, convert, empty_values
        self.paths = [path]

    def __call__(self, row: dict):
        value = row[self.path]
        if value in self.empty_values:
            return None
        return value if self.convert is None else self.convert(value)


def _field_at(model, path: str):
    """The model field a `__` path ends on, or None when a part is not a field."""
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model if field.is_relation else None
    return field


def _plain_export_column(bound_column, table, queryset):
    """A plain `tables.Column`: a field (its choice label), an annotation, or a foreign key shown
    as the text the table declares in `export_paths` (the text `str()` of the row it points to)."""
    column, name = bound_column.column, bound_column.name
    if type(column).value is not tables.Column.value or type(column).render is not tables.Column.render:
        return None
    if hasattr(table, f"render_{name}") or hasattr(table, f"value_{name}"):
        return None
    path = value_path(bound_column)
    text_path = getattr(table, "export_paths", {}).get(name)
    if text_path:
        return ExportColumn(text_path, empty_values=column.empty_values)
    if path in queryset.query.annotations:
        return ExportColumn(path, empty_values=column.empty_values)
    field = _field_at(queryset.model, path)
    if field is None or (field.is_relation and not path.endswith("_id")) or field.many_to_many:
        return None
    if field.choices:
        labels = {value: str(label) for value, label in field.flatchoices}
        return ExportColumn(path, lambda value: labels.get(value, value), column.empty_values)
    return ExportColumn(path, empty_values=column.empty_values)


def export_column(bound_column, table, queryset):
    """The column's own reader (its `export_column(bound_column, table)`), else a plain column's;
    None when the column can only be read from its record (the table's `render_<name>`…)."""
    reader = getattr(bound_column.column, "export_column", None)
    if reader is not None:
        if hasattr(table, f"render_{bound_column.name}") or hasattr(table, f"value_{bound_column.name}"):
            return None
        return reader(bound_column, table)
    return _plain_export_column(bound_column, table, queryset)


def export_rows(table) -> Iterator[list]:
    """The rows `table.as_values()` gives (header first), read with `.values()` in chunks: no
    model instance and no cell rendering per row, memory flat whatever the row count.

    The queryset is the table's (the page's filters, scope and sort). The header and the readers
    (choice labels, masking) are made now, in the request's language, not when the stream is read.
    A table with a column that cannot be read from values (a `render_<name>` of the table, a
    column computed from its record) is exported through `as_values()`, as before: such tables
    are small.
    """
    queryset = getattr(table.data, "data", None)
    columns = [c for c in table.columns.iterall() if not (c.column.exclude_from_export or c.name in table.exclude)]
    readers = [export_column(c, table, queryset) for c in columns] if isinstance(queryset, QuerySet) else [None]
    if None in readers:
        return table.as_values()
    header = [force_str(c.header, strings_only=True) for c in columns]
    paths = list(dict.fromkeys(["pk", *(path for reader in readers for path in reader.paths)]))
    return _values_rows(header, queryset, paths, readers)


def _values_rows(header, queryset, paths, readers):
    """The keys of every row first, in the list's order (a few MB at province scale), then the
    rows a chunk of keys at a time: memory stays flat without a server-side cursor (they are off,
    for PgBouncer's transaction pooling, and a client-side cursor holds the whole result)."""
    yield header
    batches = [reader for reader in readers if hasattr(reader, "prepare")]
    keys = iter(queryset.values_list("pk", flat=True))
    unordered = queryset.order_by()
    while chunk_keys := list(islice(keys, EXPORT_CHUNK)):
        found = {row["pk"]: row for row in unordered.filter(pk__in=chunk_keys).values(*paths)}
        chunk = [found[key] for key in chunk_keys if key in found]  # a row deleted meanwhile is left out
        for reader in batches:
            reader.prepare(chunk)
        for row in chunk:
            yield [reader(row) for reader in readers]


class PageBatchExportColumn:
    """A `PageBatchColumn` in an export: its figures fetched once per chunk of rows."""

    def __init__(self, column: PageBatchColumn):
        self.column, self.paths, self.figures = column, list(column.record_fields), {}

    def prepare(self, chunk: list[dict]) -> None:
        self.figures = self.column.fetch([SimpleNamespace(**row) for row in chunk])

    def __call__(self, row: dict):
        found = self.figures.get(row["pk"], {})
        column = self.column
        return found.get(column.key, column.missing) if column.key else found or column.missing
