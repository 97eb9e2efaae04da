"""Change history made readable: who changed what, when, from what to what.

Every domain model carries `history = HistoricalRecords()` (django-simple-history), so saves
through forms, services, the admin, imports and bulk writes (via `bulk_create_with_history` /
`bulk_update_with_history`) all leave a record. This module turns the records of one object
into lines a person can read, in a bounded number of queries.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .citizen_id import mask_citizen_id
from .sensitive import MASK, hidden_fields, sensitive_fields

HISTORY_TYPES = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}

# `user_db_constraint` of the history of the models an import writes in thousands (candidates,
# their steps and source-list lines, party members, establishments): the database does not check
# each history row's user at COMMIT — a third of an import's COMMIT, for the one user who was
# checked when they logged in. Deleting a user still empties their history rows' user
# (`on_delete=SET_NULL` is Django's, whatever the database checks).
USER_UNCHECKED = False


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    user: object
    kind: str
    reason: str
    changes: list[Change]
    first_known: bool = False  # a change with no earlier record: the old values are unknown


def _display(field, value, related_labels) -> str:
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey):
        return related_labels.get((field.related_model, value), f"#{value}")
    if isinstance(field, models.BooleanField):
        return str(_("Yes") if value else _("No"))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y %H:%M" if hasattr(value, "hour") else "%d/%m/%Y")
    return str(value)


def _tracked_fields(model) -> list:
    excluded = {"id", "search_text"}
    return [f for f in model._meta.concrete_fields if f.attname not in excluded and f.name not in excluded]


def _related_labels(model, records) -> dict:
    """str() of every related row named in the records: one query per related model."""
    wanted = defaultdict(set)
    for field in _tracked_fields(model):
        if isinstance(field, models.ForeignKey):
            for record in records:
                value = getattr(record, field.attname, None)
                if value is not None:
                    wanted[field.related_model].add(value)
    labels = {}
    for related_model, ids in wanted.items():
        for obj in related_model._default_manager.filter(pk__in=ids):
            labels[(related_model, obj.pk)] = str(obj)
    return labels


def _changes(record, previous, fields, labels, masked: bool, hidden=()) -> list[Change]:
    """Field by field, what `record` changed from `previous` (everything set, for a creation)."""
    changes = []
    for field in fields:
        new = getattr(record, field.attname, None)
        old = getattr(previous, field.attname, None) if previous is not None else None
        if previous is None and new in (None, ""):
            continue
        if previous is not None and old == new:
            continue
        if masked and field.name == "citizen_id":
            shown_old, shown_new = mask_citizen_id(old) or "—", mask_citizen_id(new) or "—"
        elif field.name in hidden:
            shown_old, shown_new = (MASK if previous is not None else "—"), MASK
        else:
            shown_old = _display(field, old, labels) if previous is not None else "—"
            shown_new = _display(field, new, labels)
        changes.append(Change(str(field.verbose_name), shown_old, shown_new))
    return changes


def history_entries(obj, user=None, limit: int = 25) -> list[HistoryEntry]:
    """The latest `limit` changes of `obj`, newest first, each with its field-by-field diff.
    Citizen IDs and the sensitive fields are masked for a `user` without the permission to see them."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    model = type(obj)
    labels = _related_labels(model, records)
    fields = _tracked_fields(model)
    masked = user is None or not user.has_perm("sonla_party.view_full_citizen_id")
    hidden = sensitive_fields(model) if user is None else hidden_fields(model, user)
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=_changes(record, previous, fields, labels, masked, hidden),
                first_known=previous is None and record.history_type == "~",
            )
        )
    return entries


def track_proxy_history(proxy) -> None:
    """django-simple-history records the saves of the concrete model only: a proxy (a District of
    the units' table, a PartyCell of the organisations') forwards its saves and deletes, and its
    bulk writes find the concrete model's history manager."""
    concrete = proxy._meta.concrete_model
    proxy._meta.simple_history_manager_attribute = concrete._meta.simple_history_manager_attribute

    def forward(signal):
        def receiver(sender, **kwargs):
            kwargs.pop("signal", None)
            signal.send(sender=concrete, **kwargs)

        return receiver

    for signal in (models.signals.post_save, models.signals.pre_delete, models.signals.post_delete):
        signal.connect(
            forward(signal), sender=proxy, weak=False, dispatch_uid=f"proxy-history-{proxy._meta.label}-{id(signal)}"
        )
