from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import imports

# The sections of the public contract, in menu order: (URL name, label, permission to see it).
SECTIONS = [
    ("dashboard", _("Dashboard"), None),
    ("establishments:establishment_list", _("Establishments"), "establishments.view_establishment"),
    ("establishments:party_cell_list", _("Party cells"), "establishments.view_partycell"),
    ("establishments:party_member_list", _("Members"), "establishments.view_partymember"),
    ("candidates:candidate_list", _("Candidates"), "candidates.view_candidate"),
    ("candidates:training_class_list", _("Training classes"), "candidates.view_trainingclass"),
    ("establishments:cadre_list", _("Cadres"), "establishments.view_cadre"),
    ("reports:quarterly", _("Quarterly report"), None),
    ("reports:resolution03", _("Resolution 03"), "establishments.view_establishment"),
    ("establishments:party_organisation_list", _("Party organisations"), "establishments.view_partyorganisation"),
    ("establishments:unit_list", _("Units"), "establishments.view_administrativeunit"),
    ("imports:start", _("Import"), lambda user: bool(imports.allowed_importers(user))),
]


def navigation(request):
    """The navigation bar: the sections this user may open, and which one is current."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for url_name, label, permission in SECTIONS:
        if callable(permission) and not permission(user):
            continue
        if isinstance(permission, str) and not user.has_perm(permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a section not routed in this configuration
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"url": url, "label": label, "current": current})
    return {"nav_items": items}
