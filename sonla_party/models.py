import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from .choices import AccessDoor, ImportStatus, JobKind, JobStatus
from .scoping import Scope, ScopeLevel, scope_of


class User(AbstractUser):
    """A person who signs in. Their scope (a unit, or the whole province) bounds every row they see."""

    unit = models.ForeignKey(
        "establishments.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_(
            "The only unit this user sees: a district (its reviewers, while it existed) or a commune-level "
            "unit (its staff, its party committee). Empty for the organisation board (province scope)."
        ),
    )

    # Who granted a scope, a role or the right to full IDs, when, before and after (the password
    # hash is no one's business; each sign-in's time is in the login log, not a new version).
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("scope_province", _("Can see and edit the whole province")),
            ("view_full_citizen_id", _("Can see full citizen ID numbers")),
            ("view_sensitive_data", _("Can see sensitive personal data (ethnicity, religion)")),
        ]

    def save(self, *args, **kwargs):
        if set(kwargs.get("update_fields") or ()) == {"last_login"}:
            self.skip_history_when_saving = True  # a sign-in changes nothing the history keeps
            try:
                return super().save(*args, **kwargs)
            finally:  # two requests may sign in the same instance at once (threads): no KeyError
                self.__dict__.pop("skip_history_when_saving", None)
        return super().save(*args, **kwargs)

    @property
    def scope(self) -> Scope:
        return scope_of(self)

    def scope_label(self) -> str:
        scope = self.scope
        if scope.level == ScopeLevel.PROVINCE:
            return str(_("Whole province"))
        if scope.level in (ScopeLevel.COMMUNE, ScopeLevel.DISTRICT):
            return self.unit.full_name
        return str(_("No scope assigned"))


class FileViewQuerySet(models.QuerySet):
    def of(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)

    def between(self, start, end):
        """Entries from the start of day `start` to the end of day `end` (local dates, either may be None)."""
        queryset = self
        if start is not None:
            queryset = queryset.filter(viewed_at__gte=local_midnight(start))
        if end is not None:
            queryset = queryset.filter(viewed_at__lt=local_midnight(end + datetime.timedelta(days=1)))
        return queryset


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class FileView(models.Model):
    """An entry of the access log: who read a person's file (a candidate's or a party member's),
    when, and through which door (page, form, admin, document).

    An entry is about one record (`object_id` set) or about a list of a model (`object_id` empty:
    a list export, with its filters and the number of people in `details`). A class roster is
    about its training class, with the number of people. Party files hold sensitive personal
    data (Law 91/2025/QH15): the board can answer "who read this file" and "who read what in a period"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)
    door = models.CharField(_("door"), max_length=20, choices=AccessDoor.choices, default=AccessDoor.DETAIL)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = FileViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-viewed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "viewed_at"], name="file_view_record_idx")]
        permissions = [("view_file_access", _("Can see who viewed a person's file"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(door__in=AccessDoor.values), name="file_view_door_valid"),
        ]

    def __str__(self):
        target = f"#{self.object_id}" if self.object_id is not None else str(_("list"))
        return f"{self.user} — {self.content_type.model} {target} ({self.door})"

    @classmethod
    def record_view(cls, *, user, obj, door: str = AccessDoor.DETAIL, details: dict | None = None) -> "FileView":
        """Log that `user` read `obj` through `door`."""
        return cls.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            door=door,
            details=details or {},
        )

    @classmethod
    def record_list(cls, *, user, model, door: str, count: int, filters: dict | None = None, **details):
        """Log one entry for a list of people read at once (an export): its filters and how many people."""
        return cls.objects.create(
            user=user,
            content_type=ContentType.objects.get_for_model(model),
            object_id=None,
            door=door,
            details={"filters": filters or {}, "count": count, **details},
        )


class ImportBatch(models.Model):
    """An uploaded spreadsheet between its preview and its confirmation (kept afterwards as a record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30)
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEWED)
    as_of = models.DateField(_("data as of"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="import_batch_status_valid"
            )
        ]

    def __str__(self):
        return f"{self.file_name} ({timezone.localtime(self.uploaded_at):%d/%m/%Y %H:%M})"  # Asia/Ho_Chi_Minh

    def get_absolute_url(self):
        return reverse("imports:preview", args=[self.pk])


class RenderedDocument(models.Model):
    """A PDF already made, under the hash of the HTML it was made from (`pdf.pdf_response`).

    A document is a function of its HTML (and of the fonts and the engine): the same HTML gives the
    same PDF, so a long list asked again — a closed class's list, a finalised quarter's report —
    is sent from here instead of laid out again. The key says exactly what was rendered, masking
    and scope included, so a user is only ever sent the PDF of the HTML their own request made."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    content = models.BinaryField(_("content"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("rendered document")
        verbose_name_plural = _("rendered documents")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.key


# A role's permissions have their history too (the roles are groups).
register(Group, app="sonla_party", m2m_fields=["permissions"])


class JobQuerySet(models.QuerySet):
    def for_user(self, user):
        """A job is seen by the person who started it only."""
        return self.filter(owner=user) if user.is_authenticated else self.none()


class Job(models.Model):
    """A long piece of work run by a background worker: an import's check or save, a large export,
    the layout of a long PDF document (its HTML waits in `file_content` until the PDF replaces it).

    It records who started it, how far it is (rows done of rows), why it failed, and, for an
    export or a document, the file (kept JOB_FILE_HOURS, then removed by `cleanup_jobs`). The queue itself is
    django-tasks' (`DBTaskResult`); `task_id` links the job to its latest attempt there."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, null=True, blank=True, related_name="jobs"
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="vi")
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_content = models.BinaryField(_("file"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last progress at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=JobKind.values), name="job_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        if self.batch_id:
            return self.batch.get_absolute_url()
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def has_file(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.file_name) and self.file_content is not None
