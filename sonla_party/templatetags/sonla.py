from django import template
from django.template.base import render_value_in_context
from django.utils import formats
from django.utils.safestring import mark_safe

from sonla_party.citizen_id import mask_citizen_id
from sonla_party.sensitive import shown_value

register = template.Library()


@register.filter
def minutes(delta) -> int:
    """A timedelta as whole minutes."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.simple_tag(takes_context=True)
def citizen_id(context, value):
    """The citizen ID as this user may see it: whole, or its last four digits."""
    user = context["request"].user
    if user.has_perm("sonla_party.view_full_citizen_id"):
        return value or ""
    return mask_citizen_id(value)


@register.simple_tag(takes_context=True)
def sensitive(context, obj, name, default="—"):
    """A sensitive field (ethnicity, religion) as this user may see it: its label, or "•••"."""
    return shown_value(obj, name, context["request"].user, default=default)


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    """The rows of a django-tables2 table, as its `table.html` writes them, built in Python.

    The template evaluates a column's `<td>` attributes and three template tags for every cell
    (a third of a list page's time); here a column's attributes are computed once, unless they
    depend on the row (a callable), and each cell is rendered as `{{ cell }}` would render it.
    """
    columns = list(table.columns)
    fixed = {}
    for column in columns:
        declared = {**table.attrs, **column.column.attrs}
        td = declared.get("td", declared.get("cell", {}))
        if not any(callable(value) for value in td.values()):
            fixed[column.name] = column.attrs["td"].as_html()
    out = []
    for row in table.paginated_rows:
        cells = []
        for column, cell in row.items():
            attrs = fixed[column.name] if column.name in fixed else column.attrs["td"].as_html()
            if column.localize is not None:
                cell = formats.localize(cell, use_l10n=column.localize)
            cells.append(f"\n<td {attrs}>{render_value_in_context(cell, context)}</td>")
        out.append(f"\n<tr {row.attrs.as_html()}>{''.join(cells)}\n</tr>")
    if not out and table.empty_text:
        out.append(
            f'\n<tr><td colspan="{len(columns)}">{render_value_in_context(table.empty_text, context)}</td></tr>'
        )
    return mark_safe("".join(out))
