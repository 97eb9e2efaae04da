"""Stable values (lower-case English slugs) with translated labels for the base's own models."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    """Where an uploaded spreadsheet stands: previewed, imported, or refused."""

    PREVIEWED = "previewed", _("Previewed")
    IMPORTED = "imported", _("Imported")
    REFUSED = "refused", _("Refused")
