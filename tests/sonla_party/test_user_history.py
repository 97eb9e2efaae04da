"""Users, roles, scopes and permissions have history: who granted what, when, before and after."""

import pytest
from django.contrib.auth.models import Group, Permission

from sonla_party import roles
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def change_form_data(user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "unit": user.unit_id or "",
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
    }
    data.update(changes)
    return data


def field_changes(new, old) -> dict:
    return {change.field: (change.old, change.new) for change in new.diff_against(old).changes}


def test_a_role_and_scope_change_in_the_admin_is_in_the_history_with_before_and_after(
    admin_client_, superuser, province
):
    user = make_user("promoted", roles.COMMUNE_STAFF, commune=province.home_commune)
    before = user.history.latest()
    board = Group.objects.get(name=roles.BOARD)
    full_ids = Permission.objects.get(codename="view_full_citizen_id")
    response = admin_client_.post(
        f"/admin/sonla_party/user/{user.pk}/change/",
        change_form_data(user, unit="", groups=[board.pk], user_permissions=[full_ids.pk]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    after = user.history.latest()
    assert after.history_user == superuser
    changes = field_changes(after, before)
    commune_staff = Group.objects.get(name=roles.COMMUNE_STAFF)
    assert changes["unit"] == (province.home_commune.pk, None)  # province scope granted
    assert [row["group"] for row in changes["groups"][0]] == [commune_staff.pk]
    assert [row["group"] for row in changes["groups"][1]] == [board.pk]
    assert changes["user_permissions"][0] == []
    assert [row["permission"] for row in changes["user_permissions"][1]] == [full_ids.pk]
    page = admin_client_.get(f"/admin/sonla_party/user/{user.pk}/history/")
    assert page.status_code == 200 and "root-test" in page.content.decode()


def test_the_password_is_not_kept_and_a_sign_in_is_no_new_version(client, db):
    user = make_user("quiet", roles.BOARD)
    versions = user.history.count()
    assert not hasattr(user.history.latest(), "password")
    from tests.factories import TEST_PASSWORD

    assert client.post("/accounts/login/", {"username": "quiet", "password": TEST_PASSWORD}).status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None and user.history.count() == versions


def test_a_role_s_permissions_have_history(admin_client_, superuser):
    role = Group.objects.get(name=roles.REVIEWER)
    full_ids = Permission.objects.get(codename="view_full_citizen_id")
    before = set(role.permissions.values_list("pk", flat=True))
    response = admin_client_.post(
        f"/admin/auth/group/{role.pk}/change/", {"name": role.name, "permissions": [*before, full_ids.pk]}
    )
    assert response.status_code == 302
    latest = role.history.latest()
    assert latest.history_user == superuser
    assert {row["permission"] for row in latest.permissions.values("permission")} == before | {full_ids.pk}
    old, new = field_changes(latest, latest.prev_record)["permissions"]
    assert {row["permission"] for row in new} - {row["permission"] for row in old} == {full_ids.pk}
