"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium the tests skip with the command that installs it; with
REQUIRE_BROWSER=1 (as in .ci/run) a missing browser is a failure instead.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
INSTALL_HINT = "Chromium is missing: install it with `apt-get install -y chromium` (Debian), then re-run."


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(INSTALL_HINT)
        pytest.skip(INSTALL_HINT)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # themselves stay synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message))
    page.on("pageerror", lambda error: page.console_messages.append(error))
    yield page
    context.close()


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")


@pytest.fixture
def english_page(browser, live_server):
    """A browser set to English (en-US): Chromium's own date input would show mm/dd/yyyy."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", extra_http_headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message))
    page.on("pageerror", lambda error: page.console_messages.append(error))
    yield page
    context.close()


def date_box(root, name: str):
    """The text box people type a date in (dd/mm/yyyy) for the date field `name`."""
    return root.locator(f"input[name='{name}'][data-datepicker] + input")


def fill_date(root, name: str, day: str) -> None:
    """Type `day` (dd/mm/yyyy) as a person would, then leave the box (the calendar closes)."""
    box = date_box(root, name)
    box.fill(day)
    box.press("Escape")
    box.blur()
    assert not box.page.locator(".flatpickr-calendar.open").count(), "Escape leaves the calendar open"
