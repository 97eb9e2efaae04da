from django import template

from sonla_party.citizen_id import mask_citizen_id

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
