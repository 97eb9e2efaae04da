"""`FastSelect` writes `<select>` exactly as Django's templates would, and only where it is used."""

import datetime

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe

from establishments.filters import EstablishmentFilterSet
from establishments.models import Commune
from sonla_party import renderers
from sonla_party.renderers import FastSelect, FastSelectMixin
from sonla_party.widgets import AutocompleteSelect
from tests.factories import CommuneFactory


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---"), ("a", "Mường <b>"), ("b", 'Đá "quoted"')])
    grouped = forms.ChoiceField(
        choices=[("Vùng cao", [("1", "Bản Một"), ("2", "Bản Hai")]), ("Vùng thấp", [("3", "Tổ & 3")]), ("4", "Lẻ")]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    maybe = forms.NullBooleanField()
    years = forms.TypedChoiceField(choices=[(2024, 2024), (2025, 2025)], coerce=int)
    days = forms.ChoiceField(choices=[(str(d), d) for d in (datetime.date(2026, 1, 2), datetime.date(2026, 3, 4))])
    commune = forms.ModelChoiceField(queryset=Commune.objects.order_by("pk"), required=False)
    communes = forms.ModelMultipleChoiceField(queryset=Commune.objects.order_by("pk"), required=False)
    picked = forms.ModelChoiceField(
        queryset=Commune.objects.order_by("pk"),
        required=False,
        widget=AutocompleteSelect("establishments:establishment_autocomplete"),
    )
    flagged = forms.ChoiceField(
        choices=[("1", "one")],
        widget=forms.Select(
            attrs={"class": "form-select", "disabled": True, "hidden": False, "data-x": mark_safe("&amp;")}
        ),
    )


def fast_form(data):
    """The same form with every select widget made fast (its class mixed with FastSelectMixin)."""
    form = Everything(data)
    for field in form.fields.values():
        widget = field.widget
        widget.__class__ = type(f"Fast{type(widget).__name__}", (FastSelectMixin, type(widget)), {})
    return form


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_select_is_written_as_the_templates_write_it(language, settings, monkeypatch):
    written = []
    original = renderers.render_select
    monkeypatch.setattr(renderers, "render_select", lambda widget: written.append(widget["name"]) or original(widget))
    settings.USE_THOUSAND_SEPARATOR = True  # a localised number label must still match
    communes = [CommuneFactory(name=name) for name in ("Chiềng Sơn", "Mường <Hung>", "Tô Múa")]
    data = {
        "plain": "a",
        "grouped": "3",
        "many": ["x", "z"],
        "maybe": "true",
        "years": "2025",
        "days": "2026-03-04",
        "commune": communes[1].pk,
        "communes": [communes[0].pk, communes[2].pk],
        "picked": communes[2].pk,
        "flagged": "1",
    }
    with translation.override(language):
        for given in (None, data):
            fast, django = fast_form(given), Everything(given)
            for name in Everything.base_fields:
                assert fast[name].as_widget() == django[name].as_widget(), name
                assert "<select" in fast[name].as_widget()
    # Every one of them took the Python path, and only the fast ones did.
    assert len(written) == 2 * 2 * len(Everything.base_fields)
    html = fast_form(data)["communes"].as_widget()
    assert f'<option value="{communes[0].pk}" selected>Chiềng Sơn</option>' in html
    assert "Mường &lt;Hung&gt;" in html


@pytest.mark.django_db
def test_only_the_large_selects_are_fast(monkeypatch):
    written = []
    original = renderers.render_select
    monkeypatch.setattr(renderers, "render_select", lambda widget: written.append(widget["name"]) or original(widget))
    form = EstablishmentFilterSet({}).form
    assert isinstance(form.fields["commune"].widget, FastSelect)
    for name in form.fields:
        str(form[name])
    assert sorted(written) == ["commune", "district"]
