"""The roles of the app, as Django groups with their permissions.

Roles say what a user may do; the user's scope (commune, district or province, on the user
record) says where. `sync_role_groups` runs after every `migrate`, so the groups always match
this file.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

BOARD = "Ban Tổ chức Tỉnh ủy"  # organisation-board staff, whole province
REVIEWER = "Huyện ủy - thẩm định"  # district committee reviewers (the districts' years, until 30/06/2025)
COMMITTEE = "Đảng ủy xã - Ban Thường vụ"  # the standing committee of a commune party committee (from 01/07/2025)
COMMUNE_STAFF = "Cán bộ cấp xã"  # commune / grassroots staff

DOMAIN_MODELS = {
    "establishments": [
        "administrativeunit",
        "district",
        "commune",
        "unitsuccession",
        "establishment",
        "partyorganisation",
        "partyorganisationparent",
        "partycell",
        "partymember",
        "cellmembership",
        "memberplacement",
        "cadre",
        "assignment",
    ],
    "candidates": [
        "candidate",
        "sourcelist",
        "sourcelistentry",
        "trainingclass",
        "enrollment",
        "introducer",
        "stageevent",
    ],
}


def _model_perms(actions: tuple[str, ...], *, only: set[str] | None = None) -> list[str]:
    return [
        f"{app}.{action}_{model}"
        for app, models in DOMAIN_MODELS.items()
        for model in models
        if only is None or model in only
        for action in actions
    ]


ROLE_PERMISSIONS: dict[str, list[str]] = {
    BOARD: [
        "sonla_party.scope_province",
        *_model_perms(("view", "add", "change")),
        *_model_perms(("delete",), only={"establishment", "partycell", "assignment", "sourcelistentry", "enrollment"}),
        "candidates.move_candidate",
        "candidates.record_decision",
        "candidates.record_training",
        "sonla_party.view_file_access",
        "reports.finalise_report",
        "sonla_party.view_full_citizen_id",
        "sonla_party.view_sensitive_data",  # statistics by ethnic group, verification of the dossier
    ],
    REVIEWER: [
        *_model_perms(("view",)),
        # Reviewing a dossier is judging it: a believer's admission has its own conditions.
        "sonla_party.view_sensitive_data",
        *_model_perms(("add", "change"), only={"trainingclass", "enrollment"}),
        "candidates.delete_enrollment",
        "candidates.record_decision",
        "candidates.record_training",
    ],
    COMMITTEE: [
        *_model_perms(("view",)),
        "candidates.record_decision",
        "sonla_party.view_sensitive_data",  # the deciding committee judges the dossier, as the reviewers did
    ],
    COMMUNE_STAFF: [
        # Not view_sensitive_data: the staff register a person (entering ethnicity and religion then)
        # and keep the file, but judging it is the committees' work; the stored values stay hidden.
        *_model_perms(("view",)),
        *_model_perms(
            ("add", "change"), only={"establishment", "candidate", "sourcelist", "sourcelistentry", "introducer"}
        ),
        "candidates.move_candidate",
        "candidates.record_training",
    ],
}


def sync_role_groups(sender=None, using="default", verbosity=0, **kwargs):
    """Create the role groups and give each exactly the permissions listed above."""
    Group = global_apps.get_model("auth", "Group")
    Permission = global_apps.get_model("auth", "Permission")
    # Permissions of apps migrated after this one may not exist yet on a first migrate.
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    for group_name, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=group_name)
        wanted = set()
        for code in codes:
            app_label, codename = code.split(".")
            wanted.add((app_label, codename))
        perms = [
            perm
            for perm in Permission.objects.using(using).select_related("content_type")
            if (perm.content_type.app_label, perm.codename) in wanted
        ]
        group.permissions.set(perms)
