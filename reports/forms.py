"""Forms of the report pages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from sonla_party.forms import style_fields

from . import quarterly


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=_l("Year"), min_value=2006, max_value=2100)
    quarter = forms.TypedChoiceField(label=_l("Quarter"), coerce=int, choices=[(n, n) for n in range(1, 5)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)

    def chosen_quarter(self) -> quarterly.Quarter:
        if self.is_bound and self.is_valid():
            return quarterly.Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])
        return quarterly.Quarter.containing(timezone.localdate()).previous()  # the quarter just ended
