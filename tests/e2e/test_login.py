"""A person logs in through the real login form and lands on the dashboard."""

import pytest

from demo.loader import DEMO_PASSWORD, ensure_accounts
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_board_logs_in_and_sees_the_dashboard(page, reference_structure):
    ensure_accounts()
    page.goto("/")
    assert "/accounts/login/" in page.url  # anonymous: sent to log in
    log_in(page, "board", DEMO_PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("[data-testid=dashboard-table]").is_visible()
    assert page.locator("[data-testid=current-user]").inner_text().strip().startswith("Ban Tổ chức")
    rows = page.locator("[data-testid=dashboard-table] tbody tr")
    assert rows.count() == 75  # today's commune-level units (no districts since 01/07/2025)


def test_wrong_password_is_refused_with_a_message(page, reference_structure):
    ensure_accounts()
    log_in(page, "board", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger").is_visible()
