"""Sensitive personal data (dữ liệu cá nhân nhạy cảm, Law 91/2025/QH15 and Decree 356/2025/NĐ-CP).

Ethnicity and religion are sensitive: only users with `sonla_party.view_sensitive_data` see them,
filter on them, export or search them. Everyone else sees "•••" where a value would be; the
filters do not offer them and the lists and exports leave their columns out. Counts in reports stay
(aggregates are not personal data).

One definition, used everywhere: a model names its sensitive fields in `sensitive_fields`; the
board may mark more in the setting `SENSITIVE_FIELDS` ({"app_label.ModelName": ["field", …]}).
Writing a new file is allowed without the right (the clerk who registers a person enters them);
reading a stored value, or overwriting it from a form that cannot show it, is not.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist

PERMISSION = "sonla_party.view_sensitive_data"
MASK = "•••"


def can_see_sensitive(user) -> bool:
    """Whether `user` may see, filter, export and search the sensitive fields."""
    return user is not None and user.is_authenticated and user.has_perm(PERMISSION)


def sensitive_fields(model) -> tuple[str, ...]:
    """The names of `model`'s sensitive fields: its own `sensitive_fields` and the board's setting."""
    model = getattr(model._meta, "concrete_model", None) or model
    declared = tuple(getattr(model, "sensitive_fields", ()))
    extra = tuple(getattr(settings, "SENSITIVE_FIELDS", {}).get(model._meta.label, ()))
    return tuple(dict.fromkeys((*declared, *extra)))


def hidden_fields(model, user) -> tuple[str, ...]:
    """The fields of `model` that `user` may not see (none for a user with the right)."""
    return () if can_see_sensitive(user) else sensitive_fields(model)


def is_sensitive_path(model, path: str) -> bool:
    """Whether a `__` (or `.`) path from `model` ends on a sensitive field ("candidate__religion")."""
    field = None
    for part in path.replace(".", "__").split("__"):
        if model is None:
            return False
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        owner, model = model, (field.related_model if field.is_relation else None)
    return field is not None and field.name in sensitive_fields(owner)


def shown_value(obj, name: str, user, default: str = "—") -> str:
    """The value of `obj.name` as `user` may see it: its label, or the mask."""
    if name in hidden_fields(type(obj), user):
        return MASK
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if display is not None else getattr(obj, name, "")
    return str(value) if value not in (None, "") else default


def hide_sensitive_columns(table, user) -> None:
    """Leave out of a django-tables2 table (its page and its export) every column whose value is a
    sensitive field, for a user without the right."""
    if can_see_sensitive(user):
        return
    model = table._meta.model
    if model is None:
        return
    hidden = [
        bound_column.name
        for bound_column in table.columns.iterall()
        if is_sensitive_path(model, str(bound_column.accessor)) or is_sensitive_path(model, bound_column.name)
    ]
    for name in hidden:
        table.columns.hide(name)  # the page
    table.exclude = (*(table.exclude or ()), *hidden)  # the exports


def drop_sensitive_filters(filterset, user) -> None:
    """Take out of a FilterSet every filter on a sensitive field: not offered, and a GET parameter
    for it is ignored like any unknown parameter."""
    if can_see_sensitive(user):
        return
    model = filterset._meta.model
    for name, flt in list(filterset.filters.items()):
        if is_sensitive_path(model, flt.field_name or name):
            del filterset.filters[name]
