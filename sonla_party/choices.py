"""Stable values (lower-case English slugs) with translated labels for the base's own models."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportStatus(models.TextChoices):
    """Where an uploaded spreadsheet stands: being checked, previewed, being imported, imported, or refused."""

    CHECKING = "checking", _("Being checked")
    PREVIEWED = "previewed", _("Previewed")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Refused")


class AccessDoor(models.TextChoices):
    """Through which page or export a person's data was read (the access log's "door")."""

    DETAIL = "detail", _("Detail page")
    EDIT_FORM = "edit_form", _("Edit form")
    FORM_ERROR = "form_error", _("Form shown again after an error")
    CORRECTION = "correction", _("Correction form")
    ADMIN_CHANGE = "admin_change", _("Admin change form")
    ADMIN_HISTORY = "admin_history", _("Admin history")
    EXPORT = "export", _("List export")
    ROSTER = "roster", _("Class roster")
    DOCUMENT = "document", _("Document")


class JobKind(models.TextChoices):
    """What a background job does."""

    IMPORT_PREVIEW = "import_preview", _("Checking an import")
    IMPORT_CONFIRM = "import_confirm", _("Saving an import")
    EXPORT = "export", _("Export")
    DOCUMENT = "document", _("Document (PDF)")


class JobStatus(models.TextChoices):
    """Where a background job stands: waiting for a worker, running, done, or failed."""

    QUEUED = "queued", _("Waiting")
    RUNNING = "running", pgettext_lazy("background job", "Running")  # not a class's "Running" (being taught)
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
