"""Large `<select>` widgets written in Python instead of Django's templates.

Django renders every `<option>` through two templates; the commune filter of a list (≈200
communes) then costs ≈18 ms a page, a third of a list page's time. `FastSelect` writes the same
HTML, byte for byte, straight from the widget context Django builds (so choices, the selected
values and the attributes are Django's). Only the large selects use it (the district and commune
choices); every other widget of the site and the admin keeps Django's templates.
`tests/sonla_party/test_renderers.py` holds the two outputs equal.
"""

from django import forms
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    """`django/forms/widgets/attrs.html`."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {conditional_escape(name)}")
        if value is not True:
            parts.append(f'="{conditional_escape(str(value))}"')
    return "".join(parts)


def _text(value) -> str:
    """A `{{ value }}` of the template: localised (numbers, dates), then escaped."""
    return conditional_escape(localize(template_localtime(value)))


def render_select(widget: dict) -> str:
    """`django/forms/widgets/select.html` with `select_option.html` for each option."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))


class FastSelectMixin:
    """For a Select widget: written by `render_select` while it uses Django's own templates."""

    def _render(self, template_name, context, renderer=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(
            option.get("template_name") == OPTION for _group, options, _i in widget["optgroups"] for option in options
        ):
            return render_select(widget)
        return super()._render(template_name, context, renderer)


class FastSelect(FastSelectMixin, forms.Select):
    """A select of a few hundred options (the communes, the districts)."""


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass
