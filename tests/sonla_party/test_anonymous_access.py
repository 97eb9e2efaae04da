"""Every page but the login page sends an anonymous visitor to log in."""

from urllib.parse import urlparse

import pytest

from tests.urlwalk import walk

PUBLIC = {
    "login",  # the login page itself
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "logout",  # POST only; logging out when logged out is harmless
    "set_language",  # the login page offers the language switch
    "favicon",  # the browser asks for it on every page, the login page included
    "healthz",  # the load balancer's probe: says only whether the database answers
    "admin:login",
    "admin:logout",
    "admin:javascript-catalog",
    "admin:view_on_site",
}


def all_routes():
    return list(walk())


def test_walk_finds_the_contract_pages():
    paths = {route.path for route in all_routes()}
    for path in ["/", "/establishments/", "/party-cells/", "/members/", "/admin/"]:
        assert path in paths


@pytest.mark.django_db
@pytest.mark.parametrize("route", all_routes(), ids=lambda route: route.name)
def test_anonymous_request_goes_to_login(client, route):
    if route.name in PUBLIC:
        pytest.skip("public by design")
    response = client.get(route.path)
    assert response.status_code == 302, f"{route.path} answered {response.status_code}"
    target = urlparse(response["Location"]).path
    assert target in ("/accounts/login/", "/admin/login/"), f"{route.path} → {response['Location']}"
