"""The access log's answers to the law's questions (Law 91/2025/QH15), for the organisation board:
every entry of a period (a breach report) and everything about one person (their request)."""

import datetime
import json
from collections import defaultdict

from django import forms
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from .choices import AccessDoor
from .exports import FORMATS, export_response, xlsx_response
from .forms import DateInput, style_fields
from .history import history_entries
from .models import FileView

PAGE_ENTRIES = 200
DEFAULT_DAYS = 30
HISTORY_LIMIT = 10_000


class BoardOnlyMixin(PermissionRequiredMixin):
    """The organisation board's pages (`view_file_access`); anyone else with the permission but not
    the province's scope answers 404, as a record out of scope does."""

    permission_required = "sonla_party.view_file_access"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.has_permission() and not request.user.scope.is_province:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the period is after its end."))
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The period asked for (both days included); by default the last 30 days."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        return data.get("start") or end - datetime.timedelta(days=DEFAULT_DAYS - 1), end


def local_naive(moment: datetime.datetime) -> datetime.datetime:
    """The local time as a spreadsheet cell holds it (no time zone)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def record_labels(entries) -> dict:
    """str() of every record the entries are about: one query per kind of record."""
    wanted = defaultdict(set)
    for entry in entries:
        if entry.object_id is not None:
            wanted[entry.content_type_id].add(entry.object_id)
    labels = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is not None:
            for pk, obj in model._default_manager.in_bulk(ids).items():
                labels[(content_type_id, pk)] = str(obj)
    return labels


ENTRY_HEADER = (
    gettext_lazy("When"),
    gettext_lazy("Username"),
    gettext_lazy("Name"),
    gettext_lazy("Door"),
    gettext_lazy("Kind of record"),
    gettext_lazy("Record number"),
    gettext_lazy("Record"),
    gettext_lazy("Number of people"),
    gettext_lazy("Details"),
)


def entry_row(entry, labels) -> list:
    details = entry.details or {}
    if entry.object_id is None:
        record = _("A list (see its filters)")
    else:
        record = labels.get((entry.content_type_id, entry.object_id), _("(deleted)"))
    shown = {key: value for key, value in details.items() if key not in ("count", "candidates")}
    return [
        local_naive(entry.viewed_at),
        entry.user.username,
        entry.user.get_full_name(),
        entry.get_door_display(),
        str(entry.content_type.model_class()._meta.verbose_name) if entry.content_type.model_class() else "",
        entry.object_id,
        record,
        details.get("count", 1 if entry.object_id is not None and entry.door != AccessDoor.ROSTER else None),
        json.dumps(shown, ensure_ascii=False, sort_keys=True) if shown else "",
    ]


def entry_rows(entries):
    entries = list(entries)
    labels = record_labels(entries)
    yield [str(label) for label in ENTRY_HEADER]
    for entry in entries:
        yield entry_row(entry, labels)


class AccessLogView(BoardOnlyMixin, TemplateView):
    """The access log of a period: the latest entries on the page, all of them in the export
    (`?_export=csv` or `xlsx`, for a breach report)."""

    template_name = "sonla_party/access_log.html"

    def get(self, request, *args, **kwargs):
        self.form = PeriodForm(request.GET or None)
        self.start, self.end = self.form.period()
        export_format = request.GET.get("_export")
        if export_format in FORMATS and (not request.GET or self.form.is_valid()):
            name = f"access-log-{self.start:%Y%m%d}-{self.end:%Y%m%d}"
            return export_response(entry_rows(self.entries()), export_format, name, title=str(_("Access log")))
        return super().get(request, *args, **kwargs)

    def entries(self):
        return (
            FileView.objects.between(self.start, self.end)
            .select_related("user", "content_type")
            .order_by("viewed_at", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = list(self.entries().order_by("-viewed_at", "-pk")[:PAGE_ENTRIES])
        rows = list(entry_rows(latest))
        context.update(
            title=_("Access log"),
            form=self.form,
            start=self.start,
            end=self.end,
            header=rows[0],
            rows=rows[1:],
            total=self.entries().count(),
            page_entries=PAGE_ENTRIES,
            export_formats=FORMATS,
            query=self.request.GET.urlencode(),
        )
        return context


def person_models() -> dict:
    from candidates.models import Candidate
    from establishments.models import PartyMember

    return {"candidates": Candidate, "members": PartyMember}


def reads_of(person) -> list:
    """Every entry of the log that read `person`'s file: through its own pages and forms, and (for
    a candidate) the class rosters and documents that listed them by name."""
    from candidates.models import Candidate

    ids = set(FileView.objects.of(person).values_list("pk", flat=True))
    if isinstance(person, Candidate):
        listing = FileView.objects.filter(door__in=[AccessDoor.ROSTER, AccessDoor.DOCUMENT])
        if connections[listing.db].features.supports_json_field_contains:  # PostgreSQL: the index's work
            ids |= set(listing.filter(details__candidates__contains=[person.pk]).values_list("pk", flat=True))
        else:  # SQLite has no JSON containment: read the lists
            listing = listing.filter(details__has_key="candidates").only("pk", "details")
            ids |= {entry.pk for entry in listing.iterator() if person.pk in entry.details["candidates"]}
    return list(FileView.objects.filter(pk__in=ids).select_related("user", "content_type").order_by("viewed_at", "pk"))


def change_rows(person, user):
    yield [str(_("When")), str(_("Username")), str(_("Kind")), str(_("Field")), str(_("Before")), str(_("After"))]
    for entry in reversed(history_entries(person, user=user, limit=HISTORY_LIMIT)):
        who = entry.user.username if entry.user else ""
        when = local_naive(entry.when)
        for change in entry.changes or [None]:
            if change is None:
                yield [when, who, entry.kind, "", "", ""]
            else:
                yield [when, who, entry.kind, change.field, change.old, change.new]


def export_rows_of(model):
    """The list exports of people of this kind: which of them held this person cannot be known
    (only their filters and counts are kept)."""
    entries = FileView.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__isnull=True, door=AccessDoor.EXPORT
    ).select_related("user", "content_type")
    yield [str(_("Whether these lists held this person cannot be told: only their filters and sizes are kept."))]
    yield from entry_rows(entries.order_by("viewed_at", "pk"))


class PersonAccessReportView(BoardOnlyMixin, View):
    """Everything about one person, for their request: who read their file, when and through
    which door; who changed it (the history); the list exports that may have held them."""

    def get(self, request, kind, pk):
        model = person_models().get(kind)
        if model is None:
            raise Http404
        person = get_object_or_404(model.objects.for_user(request.user), pk=pk)
        sheets = {
            str(_("Reads")): entry_rows(reads_of(person)),
            str(_("Changes")): change_rows(person, request.user),
            str(_("List exports")): export_rows_of(model),
        }
        return xlsx_response(sheets, f"access-{kind}-{person.pk}")
