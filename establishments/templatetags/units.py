"""How a page names where something lies: its unit as entered, that unit's district, and — once
it has ended — the unit it is part of today."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def place(unit) -> str:
    """ "Phường Chiềng Lề, Thành phố Sơn La (until 30/06/2025) — today Phường Tô Hiệu"."""
    if not unit:  # None, or "" when the template's path has a gap (a cell without a seat)
        return ""
    text = unit.full_name
    if unit.district is not None:
        text = f"{text}, {unit.district.full_name}"
    if unit.valid_to is not None:
        text = _("%(place)s (until %(date)s)") % {"place": text, "date": unit.valid_to.strftime("%d/%m/%Y")}
        today = current_unit(unit)
        if today is not None and today.pk != unit.pk:
            text = _("%(place)s — today %(unit)s") % {"place": text, "unit": today.full_name}
    return text


def current_unit(unit):
    """The unit `unit` is part of today (following its successions), or None."""
    today = timezone.localdate()
    for _step in range(10):
        if unit.is_valid_on(today):
            return unit
        succession = unit.successions.select_related("successor").first()
        if succession is None:
            return None
        unit = succession.successor
    return None
