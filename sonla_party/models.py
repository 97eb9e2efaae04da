from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ImportStatus
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

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("scope_province", _("Can see and edit the whole province")),
            ("view_full_citizen_id", _("Can see full citizen ID numbers")),
            ("view_sensitive_data", _("Can see sensitive personal data (ethnicity, religion)")),
        ]

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


class FileView(models.Model):
    """Who opened a person's file (a candidate's or a party member's), and when.

    Party files hold sensitive personal data; the board can answer "who looked at this file"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    objects = FileViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("file view")
        verbose_name_plural = _("file views")
        ordering = ["-viewed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "viewed_at"], name="file_view_record_idx")]
        permissions = [("view_file_access", _("Can see who viewed a person's file"))]

    def __str__(self):
        return f"{self.user} — {self.content_type.model} #{self.object_id}"

    @classmethod
    def record_view(cls, *, user, obj) -> "FileView":
        return cls.objects.create(user=user, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


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
