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
from functools import cache
from operator import attrgetter, itemgetter

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
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


@cache
def _template(model) -> tuple[dict, list]:
    """The attributes of a new `model()` but its state, and the fields whose default is computed."""
    attributes = model().__dict__
    del attributes["_state"]
    computed = [field for field in model._meta.concrete_fields if field.has_default() and callable(field.default)]
    return attributes, computed


def new(model):
    """A new, unsaved instance of `model`, each field at its default, as `model()` makes it (no
    signal listens to the making of the imported models; where one does, `model()` is called):
    the attributes of one made once are copied, and only a computed default is computed anew —
    `model()` works out every field's default each time, which cost a quarter of checking a
    row."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model()
    attributes, computed = _template(model)
    obj = model.__new__(model)
    obj.__dict__.update(attributes)
    obj._state = ModelState()
    for field in computed:
        obj.__dict__[field.attname] = field.get_default()
    return obj


def instances(model, rows: list[dict]) -> list:
    """New, unsaved instances of `model` from dicts of field values (by name or attname): `new`
    instances whose given fields are then set, a foreign key given as an instance by its id with
    the instance kept as the related object (as assigning it does), without the per-keyword work
    of `Model(**values)`, which cost more than writing the row. A field not given has its
    default."""
    fields = {}
    for field in model._meta.concrete_fields:
        fields[field.name] = fields[field.attname] = field
    made = []
    for values in rows:
        obj = new(model)
        attributes = obj.__dict__
        for key, value in values.items():
            field = fields[key]
            if isinstance(value, models.Model) and field.is_relation:
                attributes[field.attname] = value.pk
                field.set_cached_value(obj, value)
            else:
                attributes[field.attname] = value
        made.append(obj)
    return made


def converted(fields: list, rows) -> list[list]:
    """The `rows` (Python values of `fields`, in that order) as the database takes them: a value
    is converted by its field only when it is not of the field's plain type (written inline: a
    function call per value cost as much as the rest of the write)."""
    columns = [(_plain_type(field), _memo(field.get_db_prep_save)) for field in fields]
    return [
        [
            value if value is None or type(value) is plain else prepare(value)
            for (plain, prepare), value in zip(columns, row, strict=True)
        ]
        for row in rows
    ]


def insert_values(model, fields: list, values: list) -> list:
    """INSERT the rows of `values` (of `fields`, in that order, as `converted` gives them) into
    `model`'s table; returns the new primary keys, in the rows' order."""
    if connection.vendor == "postgresql":
        return _copy(model, fields, values)
    return _insert(model, fields, values)


@cache
def _sequence(alias: str, table: str, column: str) -> str:
    """The sequence giving the keys of `table` (asked once: evaluated per row, as an argument of
    `nextval`, the lookup cost more than the keys)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), column])
        return cursor.fetchone()[0]


def _copy(model, fields, values) -> list:
    """PostgreSQL: the new keys drawn from the table's sequence (one query), then the rows sent by
    COPY. A multi-row INSERT of thousands of parameters cost more in psycopg's parsing and quoting
    of the statement than the database took to write it."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [_sequence(connection.alias, table, pk), len(values)],
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


def _auto_now(field) -> bool:
    return isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)


def _create(model, objs: list) -> tuple[list, list]:
    """Insert new instances of `model`; returns the fields written and each row's values, as
    written (the history rows take them)."""
    if issubclass(model, SearchTextModel):
        fill_search_keys(objs)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in filter(_auto_now, fields):  # one moment for the batch, as one save would give its rows
        moment = field.pre_save(objs[0], True)
        for obj in objs:
            setattr(obj, field.attname, moment)
    read = attrgetter(*[field.attname for field in fields])
    values = converted(fields, [read(obj) for obj in objs] if len(fields) > 1 else [[read(obj)] for obj in objs])
    ids = insert_values(model, fields, values)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding, obj._state.db = False, connection.alias
    return fields, values


@transaction.atomic(savepoint=False)
def create(model, objs: list) -> list:
    """Save new instances of `model` (their primary keys unset: the database gives them)."""
    if objs:
        _create(model, objs)
    return objs


@transaction.atomic(savepoint=False)
def create_with_history(model, objs: list, *, by, reason: str = "") -> list:
    """Save new instances of `model` and a creation record of each in its history, by `by` with
    `reason` (an instance's own `_history_user` / `_change_reason` first, as simple-history)."""
    if not objs:
        return objs
    fields, values = _create(model, objs)
    if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        _history_rows(get_history_manager_for_model(model).model, objs, by, reason, fields, values)
    return objs


def _history_rows(history, objs, by, reason, fields, values) -> None:
    """The creation record of each of `objs`, whose rows were written with `values` (of
    `fields`): a tracked field's value is taken from there, as written."""
    tracked = {field.attname for field in history.tracked_fields}
    position = {field.attname: index for index, field in enumerate(fields)}
    pk_name, extra = objs[0]._meta.pk.attname, len(fields)  # after a row's values: pk, date, user, reason, type
    others = {
        "history_relation_id": extra,
        "history_date": extra + 1,
        "history_user_id": extra + 2,
        "history_change_reason": extra + 3,
        "history_type": extra + 4,
    }
    written, picks = [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        name = field.attname
        if name in tracked:
            picks.append(extra if name == pk_name else position[name])
        elif name in others:
            picks.append(others[name])
        else:
            raise ValueError(f"{history.__name__}.{name}: no value for a bulk history row")
        written.append(field)
    pick = itemgetter(*picks)
    moment = _memo(history._meta.get_field("history_date").get_db_prep_save)
    now = timezone.now()
    rows = []
    for obj, row in zip(objs, values, strict=True):
        user = getattr(obj, "_history_user", by)
        when = moment(getattr(obj, "_history_date", now))
        change_reason = getattr(obj, "_change_reason", None) or reason
        rows.append(pick((*row, obj.pk, when, getattr(user, "pk", None), change_reason, "+")))
    insert_values(history, written, rows)
