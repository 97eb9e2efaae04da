"""A select that loads its options as the user types (thousands of establishments, members, cells).

The page carries only the chosen option; `static/js/app.js` adds a search box that asks the
`data-autocomplete-url` endpoint for matches in the user's scope. Validation is the form field's
own scoped queryset, so nothing outside the scope can be chosen.
"""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from .forms import parse_key


class AutocompleteSelect(forms.Select):
    def __init__(self, url_name: str, attrs=None):
        super().__init__(attrs=attrs)
        self.url_name = url_name
        self.forget_choice = False  # set by `forget_refused_choices`: the choice was refused

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-autocomplete-url"] = str(reverse_lazy(self.url_name))
        context["widget"]["attrs"]["data-placeholder"] = _("Type to search…")
        return context

    def optgroups(self, name, value, attrs=None):
        chosen = set() if self.forget_choice else {str(v) for v in value if v not in (None, "")}
        groups = []
        choices = getattr(self.choices, "queryset", None)
        if choices is not None:
            options = [("", self.choices.field.empty_label or "---------")]
            if chosen:
                options += [
                    (obj.pk, str(obj)) for obj in choices.filter(pk__in=[parse_key(v) for v in chosen if parse_key(v)])
                ]
        else:
            options = [(k, v) for k, v in self.choices if k in ("", None) or str(k) in chosen]
        for index, (option_value, label) in enumerate(options):
            selected = str(option_value) in chosen
            groups.append((None, [self.create_option(name, option_value, label, selected, index)], index))
        return groups


class AutocompleteSelectMultiple(AutocompleteSelect, forms.SelectMultiple):
    """The same, for a many-to-many choice: the chosen options stay, matches are added."""

    allow_multiple_selected = True


def forget_refused_choices(form) -> None:
    """A form shown again after a refusal offers no longer the choice a pick-list's field was
    refused for: the person chooses again, rather than sending the refused key unseen a second time."""
    for name in form.errors:
        field = form.fields.get(name)
        if field is not None and isinstance(field.widget, AutocompleteSelect):
            field.widget.forget_choice = True
