from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import imports

# The sections of the public contract, grouped in the navbar's menus so the bar fits one line at
# 1366 px: (menu label or None for a link of its own, [(URL name, label, permission to see it)]).
MENUS = [
    (None, [("dashboard", _("Dashboard"), None)]),
    (
        _("Registers"),
        [
            ("establishments:establishment_list", _("Establishments"), "establishments.view_establishment"),
            ("establishments:party_cell_list", _("Party cells"), "establishments.view_partycell"),
            ("establishments:party_member_list", _("Members"), "establishments.view_partymember"),
            (
                "establishments:party_organisation_list",
                _("Party organisations"),
                "establishments.view_partyorganisation",
            ),
            ("establishments:unit_list", _("Units"), "establishments.view_administrativeunit"),
            ("establishments:cadre_list", _("Cadres"), "establishments.view_cadre"),
        ],
    ),
    (
        _("Party development"),
        [
            ("candidates:candidate_list", _("Candidates"), "candidates.view_candidate"),
            ("candidates:source_list_list", _("Source lists"), "candidates.view_sourcelist"),
            ("candidates:training_class_list", _("Training classes"), "candidates.view_trainingclass"),
            ("candidates:work_queue", _("Work queue"), "candidates.view_candidate"),
            ("candidates:decision_queue", _("Awaiting decision"), "candidates.record_decision"),
        ],
    ),
    (
        _("Reports"),
        [
            ("reports:quarterly", _("Quarterly report"), None),
            ("reports:resolution03", _("Resolution 03"), "establishments.view_establishment"),
        ],
    ),
    (None, [("imports:start", _("Import"), lambda user: bool(imports.allowed_importers(user)))]),
]
# The flat list, in menu order (what the contract calls the sections).
SECTIONS = [section for _label, sections in MENUS for section in sections]


def _visible(user, permission) -> bool:
    if callable(permission):
        return permission(user)
    return permission is None or user.has_perm(permission)


def _item(request, url_name, label):
    try:
        url = reverse(url_name)
    except NoReverseMatch:  # a section not routed in this configuration
        return None
    current = request.path == url if url == "/" else request.path.startswith(url)
    return {"url": url, "label": label, "current": current}


def navigation(request):
    """The navigation bar: the menus and sections this user may open, and which one is current.
    `nav_menus` holds menus (a label and items) and single links (no label, one item); `nav_items`
    is every section in order. A page opens one section: the longest URL that starts its path."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    menus = []
    for label, sections in MENUS:
        shown = [(url_name, text) for url_name, text, permission in sections if _visible(user, permission)]
        items = [item for item in (_item(request, url_name, text) for url_name, text in shown) if item]
        if items:
            menus.append({"label": label, "items": items})
    flat = [item for menu in menus for item in menu["items"]]
    current = [item for item in flat if item["current"]]
    if len(current) > 1:  # /candidates/ and /candidates/queue/: the more precise one is current
        best = max(current, key=lambda item: len(item["url"]))
        for item in current:
            item["current"] = item is best
    for menu in menus:
        menu["current"] = any(item["current"] for item in menu["items"])
    return {"nav_menus": menus, "nav_items": flat}
