"""Forms of the report pages."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from sonla_party.forms import style_fields
from sonla_party.views import AsOfForm

from . import quarterly

MAPS = [("", _l("The units of the date")), ("today", _l("Today's units"))]


class MapField(forms.ChoiceField):
    """Which map groups the rows: the units that existed on the report's date, or today's."""

    def __init__(self, **kwargs):
        super().__init__(label=_l("Grouped by"), choices=MAPS, required=False, **kwargs)


def map_day(form) -> "datetime.date | None":
    if form.is_bound and form.is_valid() and form.cleaned_data.get("map") == "today":
        return timezone.localdate()
    return None


class DashboardForm(AsOfForm):
    map = MapField()


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_l("Year"), min_value=2006, max_value=2100)
    quarter = forms.TypedChoiceField(label=_l("Quarter"), coerce=int, choices=[(n, n) for n in range(1, 5)])
    map = MapField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def chosen_quarter(self) -> quarterly.Quarter:
        if self.is_bound and self.is_valid():
            return quarterly.Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])
        return quarterly.Quarter.containing(timezone.localdate()).previous()  # the quarter just ended


class FinaliseForm(forms.Form):
    """Finalising is irreversible: it names the quarter the user saw, never a default one."""

    year = forms.IntegerField(label=_l("Year"), min_value=2006, max_value=2100)
    quarter = forms.TypedChoiceField(label=_l("Quarter"), coerce=int, choices=[(n, n) for n in range(1, 5)])
    note = forms.CharField(label=_l("Note"), max_length=250, required=False)

    def quarter_chosen(self) -> quarterly.Quarter:
        return quarterly.Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])
