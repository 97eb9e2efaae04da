from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FinalisedReport


@admin.register(FinalisedReport)
class FinalisedReportAdmin(SimpleHistoryAdmin):
    """Finalised quarterly reports are kept as presented: read-only here."""

    list_display = ("year", "quarter", "finalised_by", "finalised_at", "note")
    list_select_related = ("finalised_by",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
