"""The navbar groups the sections in menus and still links every section a user may open."""

import re

import pytest
from django.urls import reverse

from sonla_party.context_processors import MENUS, SECTIONS

pytestmark = pytest.mark.django_db


def nav_html(client) -> str:
    html = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return html[html.index('data-testid="main-nav"') : html.index("</nav>")]


def test_the_board_has_every_section_in_the_menus(board_client):
    nav = nav_html(board_client)
    links = re.findall(r'href="([^"]+)"', nav)
    for url_name, _label, _permission in SECTIONS:
        assert reverse(url_name) in links, url_name
    assert len(SECTIONS) >= 15  # registers, party development, reports, import: none dropped
    labelled = [label for label, _sections in MENUS if label]
    assert nav.count('data-bs-toggle="dropdown"') == len(labelled) + 1  # and the user's menu
    for label in labelled:
        assert f">{label}</a>" in nav


def test_a_section_without_its_permission_is_not_listed(commune_client):
    """Commune staff record no decisions: no "Awaiting decision"; the rest of their menus stays."""
    nav = nav_html(commune_client)
    assert reverse("candidates:decision_queue") not in nav
    assert reverse("candidates:candidate_list") in nav
    assert reverse("admin:index") not in nav


def test_the_current_page_marks_its_section_and_its_menu(board_client):
    html = board_client.get(reverse("candidates:work_queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    current = re.findall(r'class="dropdown-item active" aria-current="page" href="([^"]+)"', html)
    assert current == [reverse("candidates:work_queue")]  # not also /candidates/, which starts its path
    assert 'class="nav-link dropdown-toggle active"' in html
    assert "Log out" in html and 'data-testid="current-user"' in html
