"""The base of every FilterSet: bound even without parameters, styled, scoped and searchable."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, limit_choices_to_scope, style_fields
from .search import search
from .sensitive import drop_sensitive_filters


class BaseFilterSet(django_filters.FilterSet):
    """Subclasses declare their filters; `q` searches the folded `search_text` of the model."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    def __init__(self, data=None, *args, request=None, **kwargs):
        # Always bound, so defaults (e.g. "as of today") apply to a page opened without parameters.
        super().__init__(data if data is not None else {}, *args, request=request, **kwargs)
        self.user = getattr(request, "user", None)
        if self.user is not None:  # without a user (the code's own use) nothing is scoped either
            drop_sensitive_filters(self, self.user)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            if self.user is not None:
                limit_choices_to_scope(form, self.user)
            form.is_valid()
            style_fields(form)
        return self._form

    def filter_q(self, queryset, name, value):
        return search(queryset, value, user=self.user)


TRUE_FALSE = [("true", _("Yes")), ("false", _("No"))]


class TrueFalseFilter(django_filters.ChoiceFilter):
    """`true` / `false` in the URL; anything else is a form error, not silently ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", TRUE_FALSE)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return qs.filter(**{self.field_name: value == "true"})


def key_filter(label, queryset, **kwargs):
    """A record chosen by its key, for the links of counts (`LinkedCountColumn`): a hidden field
    of the filter form, its choices limited to the user's scope like every other choice."""
    return django_filters.ModelChoiceFilter(label=label, queryset=queryset, widget=forms.HiddenInput, **kwargs)


def date_filter(label, **kwargs):
    return django_filters.DateFilter(label=label, widget=DateInput(), **kwargs)
