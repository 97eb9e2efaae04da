"""Forms of the report pages."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from sonla_party.forms import DateInput, style_fields
from sonla_party.views import AsOfForm

from . import quarterly, resolution03

MAPS = [("", gettext_lazy("The units of the date")), ("today", gettext_lazy("Today's units"))]


class MapField(forms.ChoiceField):
    """Which map groups the rows: the units that existed on the report's date, or today's."""

    def __init__(self, **kwargs):
        super().__init__(label=gettext_lazy("Grouped by"), choices=MAPS, required=False, **kwargs)


def map_day(form) -> "datetime.date | None":
    if form.is_bound and form.is_valid() and form.cleaned_data.get("map") == "today":
        return timezone.localdate()
    return None


class DashboardForm(AsOfForm):
    map = MapField()


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2006, max_value=2100)
    quarter = forms.TypedChoiceField(label=gettext_lazy("Quarter"), coerce=int, choices=[(n, n) for n in range(1, 5)])
    map = MapField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def chosen_quarter(self) -> quarterly.Quarter:
        if self.is_bound and self.is_valid():
            return quarterly.Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])
        return quarterly.Quarter.containing(timezone.localdate()).previous()  # the quarter just ended


class PeriodForm(forms.Form):
    """`from` and `to` (yyyy-mm-dd, both included); default: from the Resolution's day to today."""

    map = MapField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput())
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput())
        self.order_fields(["from", "to", "map"])
        style_fields(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        earliest = datetime.date(1990, 1, 1)
        if (start and start < earliest) or (end and end < earliest):
            raise forms.ValidationError(gettext_lazy("The period cannot start before 01/01/1990."))
        if end and end > datetime.date(2100, 12, 31):
            raise forms.ValidationError(gettext_lazy("The period cannot end after 31/12/2100."))
        if (start or resolution03.RESOLUTION_DAY) > (end or timezone.localdate()):
            raise forms.ValidationError(gettext_lazy("The period must start on or before its last day."))
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        """The chosen period, or the default one if the parameters are missing or wrong."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("from") or resolution03.RESOLUTION_DAY, data.get("to") or timezone.localdate()


class FinaliseForm(forms.Form):
    """Finalising is irreversible: it names the quarter the user saw, never a default one."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2006, max_value=2100)
    quarter = forms.TypedChoiceField(label=gettext_lazy("Quarter"), coerce=int, choices=[(n, n) for n in range(1, 5)])
    note = forms.CharField(label=gettext_lazy("Note"), max_length=250, required=False)

    def quarter_chosen(self) -> quarterly.Quarter:
        return quarterly.Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])
