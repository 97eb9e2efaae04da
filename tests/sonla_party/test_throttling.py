"""Login throttling per address across usernames: one address spraying one password on many
accounts is locked at its own limit (12), while one account keeps its own (5)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from sonla_party import roles
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db
SPRAYER = "10.0.0.66"


def login(client, username, password="Mua-xuan-2025"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_limits():
    assert (settings.AXES_FAILURE_LIMIT, settings.LOGIN_ADDRESS_FAILURE_LIMIT) == (5, 12)


def test_an_address_spraying_13_usernames_is_locked_and_another_address_is_not():
    for n in range(1, 15):
        make_user(f"user-{n:02d}", roles.COMMUNE_STAFF)
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    for n in range(1, 12):  # one wrong password on each of 11 accounts: still the sign-in form
        assert login(sprayer, f"user-{n:02d}").status_code == 200
    assert login(sprayer, "user-12").status_code == 429  # the 12th failure locks the address
    locked = login(sprayer, "user-13")
    assert locked.status_code == 429
    assert "30" in locked.content.decode()  # the lockout page, saying for how long
    refused = login(sprayer, "user-14", TEST_PASSWORD)  # the right password of a 14th account
    assert refused.status_code == 429 and "_auth_user_id" not in sprayer.session
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert login(other, "user-14", TEST_PASSWORD).status_code == 302
    assert "_auth_user_id" in other.session


def test_one_account_from_one_address_keeps_its_own_limit():
    make_user("throttled", roles.BOARD)
    client = Client(REMOTE_ADDR=SPRAYER)
    for _attempt in range(4):
        assert login(client, "throttled").status_code == 200
    assert login(client, "throttled").status_code == 429


def test_a_valid_sign_in_does_not_clear_the_address_count():
    make_user("mine", roles.COMMUNE_STAFF)
    for n in range(1, 12):
        make_user(f"user-{n:02d}", roles.COMMUNE_STAFF)
    sprayer = Client(REMOTE_ADDR=SPRAYER)
    for n in range(1, 11):
        login(sprayer, f"user-{n:02d}")
    assert login(Client(REMOTE_ADDR=SPRAYER), "mine", TEST_PASSWORD).status_code == 302  # an account it holds
    assert AccessAttempt.objects.filter(ip_address=SPRAYER).count() == 10  # nothing cleared
    assert login(sprayer, "user-11").status_code == 200
    assert login(sprayer, "user-11").status_code == 429  # the 12th failure from the address
