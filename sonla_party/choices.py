"""Stable values (lower-case English slugs) with translated labels for the base's own models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    """Where an uploaded spreadsheet stands: being checked, previewed, being imported, imported, or refused."""

    CHECKING = "checking", _("Being checked")
    PREVIEWED = "previewed", _("Previewed")
    IMPORTING = "importing", _("Being imported")
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Refused")


class JobKind(models.TextChoices):
    """What a background job does."""

    IMPORT_PREVIEW = "import_preview", _("Checking an import")
    IMPORT_CONFIRM = "import_confirm", _("Saving an import")
    EXPORT = "export", _("Export")


class JobStatus(models.TextChoices):
    """Where a background job stands: waiting for a worker, running, done, or failed."""

    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
