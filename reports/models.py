"""What the reports keep: the quarterly figures as presented at the board's meeting."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FinalisedReport(models.Model):
    """A quarterly report as presented at the board's meeting: its figures are kept as they were,
    and the page flags any that the live data now gives differently."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    figures = models.JSONField(_("figures"), help_text=_("Per district id, and 'province'."))
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("finalised by"), on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=250, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finalised quarterly report")
        verbose_name_plural = _("finalised quarterly reports")
        ordering = ["-year", "-quarter"]
        permissions = [("finalise_report", _("Can finalise a quarterly report"))]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"],
                name="finalised_report_once_per_quarter",
                violation_error_message=_("This quarter has already been finalised."),
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="finalised_report_quarter_1_to_4"
            ),
        ]

    def __str__(self):
        return f"{self.quarter}/{self.year}"
