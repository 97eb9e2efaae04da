"""Bulk inserts for imports: new rows and their history rows, written as plain values.

Django's `bulk_create` compiles each value of each row through the field's `pre_save`,
`get_db_prep_save` and the SQL compiler (about ten microseconds a value), and django-simple-
history's `bulk_history_create` first builds a model instance per history row: an imported
candidate writes some 130 values (the candidate, its source-list line, its first stage event,
and the history row of each), so this was most of an import's time. Here each column's value
is read from the instance once, converted by the field only when its type needs it (a date for
SQLite, a datetime with its time zone), and the rows go out by COPY on PostgreSQL, as multi-row
`INSERT … VALUES … RETURNING` statements elsewhere. History rows are the same: values taken from
the saved instances, one write per history table, with the user and the change reason
simple-history would record. No signal is sent, as with `bulk_create`.
"""

import datetime
from operator import attrgetter

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

from .search import SearchTextModel, fill_search_keys

# Fields whose database value is the Python value itself when it has the plain type named here
# (exact field classes: a subclass may convert its values in its own way).
PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.BigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
}
MAX_ROWS = 500  # rows per INSERT (SQLite)
DAY = datetime.date(2000, 1, 1)


def _plain_type(field):
    """The type of the values that `field` sends to the database unchanged (None: none is)."""
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if type(field) is models.DateField and connection.ops.adapt_datefield_value(DAY) is DAY:
        return datetime.date  # PostgreSQL's driver takes dates as they are; SQLite's backend makes text of them
    return PLAIN.get(type(field))


def _memo(prepare):
    """`prepare(value, connection)`, each distinct value converted once: the values that need a
    conversion repeat (the moment of a history row, a date of the file)."""
    done = {}

    def convert(value):
        key = type(value), value  # 1 and True are equal keys, not equal values
        try:
            return done[key]
        except KeyError:
            done[key] = converted = prepare(value, connection)
            return converted
        except TypeError:  # not hashable
            return prepare(value, connection)

    return convert


def instances(model, rows: list[dict]) -> list:
    """New, unsaved instances of `model` from dicts of field values (by name or attname), each
    built as Django builds a row read from the database, by position: without the per-keyword
    work of `Model(**values)`, which cost more than writing the row. A field not given gets its
    default."""
    fields = model._meta.concrete_fields
    made = []
    for values in rows:
        args, related = [], []
        for field in fields:
            if field.name in values:
                value = values[field.name]
                if isinstance(value, models.Model):  # an instance given for a foreign key
                    related.append((field, value))
                    value = value.pk
            elif field.attname in values:
                value = values[field.attname]
            else:
                value = None if field.primary_key else field.get_default()
            args.append(value)
        obj = model(*args)
        for field, value in related:
            field.set_cached_value(obj, value)
        made.append(obj)
    return made


def insert_values(model, fields: list, rows: list[list]) -> list:
    """INSERT the `rows` (Python values of `fields`, in that order) into `model`'s table; returns
    the new primary keys, in the rows' order. A value is converted by its field only when it is
    not of the field's plain type (written inline: a function call per value cost as much as
    the rest of the write)."""
    columns = [(_plain_type(field), _memo(field.get_db_prep_save)) for field in fields]
    values = (
        [
            value if value is None or type(value) is plain else prepare(value)
            for (plain, prepare), value in zip(columns, row, strict=True)
        ]
        for row in rows
    )
    if connection.vendor == "postgresql":
        return _copy(model, fields, values, len(rows))
    return _insert(model, fields, list(values))


def _copy(model, fields, values, count) -> list:
    """PostgreSQL: the new keys drawn from the table's sequence (one query), then the rows sent by
    COPY. A multi-row INSERT of thousands of parameters cost more in psycopg's parsing and quoting
    of the statement than the database took to write it."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [quote(table), pk, count]
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(column) for column in [pk, *(field.column for field in fields)])
        # psycopg's own cursor (Django's wrapper has no COPY): its errors made Django's, as a
        # refused row must raise IntegrityError for the importer to name it
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
        ):
            for pk_value, row in zip(ids, values, strict=True):
                copy.write_row([pk_value, *row])
    return ids


def _insert(model, fields, values) -> list:
    """Other databases: one `INSERT … VALUES … RETURNING` per batch (SQLite ≥ 3.35 returns the
    new keys of a multi-row insert, in the order of its rows)."""
    quote = connection.ops.quote_name
    batch = max(1, min(MAX_ROWS, connection.ops.bulk_batch_size(fields, values[:MAX_ROWS])))
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    returning = f" RETURNING {quote(model._meta.pk.column)}"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch):
            part = values[start : start + batch]
            cursor.execute(head + ", ".join([placeholders] * len(part)) + returning, [v for row in part for v in row])
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _getter(field):
    """The function reading `field`'s value of an instance about to be inserted."""
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return lambda obj: field.pre_save(obj, True)
    return attrgetter(field.attname)


@transaction.atomic
def create(model, objs: list) -> list:
    """Save new instances of `model` (their primary keys unset: the database gives them)."""
    if not objs:
        return objs
    if issubclass(model, SearchTextModel):
        fill_search_keys(objs)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = [_getter(field) for field in fields]
    ids = insert_values(model, fields, [[get(obj) for get in getters] for obj in objs])
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


@transaction.atomic
def create_with_history(model, objs: list, *, by, reason: str = "") -> list:
    """Save new instances of `model` and a creation record of each in its history, by `by` with
    `reason` (an instance's own `_history_user` / `_change_reason` first, as simple-history)."""
    if not objs:
        return objs
    create(model, objs)
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        _history_rows(get_history_manager_for_model(model).model, objs, by, reason)
    return objs


def _history_rows(history, objs, by, reason) -> None:
    tracked = {field.attname for field in history.tracked_fields}
    now = timezone.now()
    fields, getters = [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.attname
        if name in tracked:
            getters.append(attrgetter(name))
        elif name == "history_date":
            getters.append(lambda obj: getattr(obj, "_history_date", now))
        elif name == "history_user_id":
            getters.append(lambda obj: getattr(getattr(obj, "_history_user", by), "pk", None))
        elif name == "history_change_reason":
            getters.append(lambda obj: getattr(obj, "_change_reason", None) or reason)
        elif name == "history_type":
            getters.append(lambda obj: "+")
        elif name == "history_relation_id":
            getters.append(lambda obj: obj.pk)
        else:
            raise ValueError(f"{history.__name__}.{name}: no value for a bulk history row")
        fields.append(field)
    insert_values(history, fields, [[get(obj) for get in getters] for obj in objs])
