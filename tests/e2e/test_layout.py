"""The layout in a real browser: the navbar on one line at 1366 px with menus that open; on a
phone the hamburger, a candidate's history collapsed and tables that scroll sideways."""

import pytest

from candidates.choices import Stage
from sonla_party import roles
from tests.candidates.pipeline import advance, new_candidate
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def candidate(db):
    district = DistrictFactory(code="123", name="Mộc Châu")
    village = EstablishmentFactory(commune=CommuneFactory(district=district, name="Chiềng Sơn"), name="Bản Pa Khen")
    board = make_user("board-layout", roles.BOARD, first_name="Ban Tổ chức")
    candidate = new_candidate(board, village, full_name="Lò Thị Hoa", citizen_id=None)
    advance(candidate, Stage.DOSSIER, board)  # a few changes in its history
    return candidate


def sized_page(browser, live_server, width, height):
    viewport = {"width": width, "height": height}
    context = browser.new_context(base_url=live_server.url, locale="vi-VN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_the_navbar_fits_one_line_at_1366_and_its_menus_open(browser, live_server, candidate):
    context, page = sized_page(browser, live_server, 1366, 768)
    log_in(page, "board-layout", TEST_PASSWORD)
    page.wait_for_url("**/")
    navbar = page.locator("nav.navbar")
    assert navbar.bounding_box()["height"] < 70
    toggles = page.locator("#mainnav .dropdown-toggle")
    assert toggles.count() == 4  # registers, party development, reports, the user's menu
    for index in range(toggles.count()):
        toggles.nth(index).click()
        menu = page.locator("#mainnav .dropdown-menu.show")
        assert menu.count() == 1 and menu.is_visible()
        assert menu.locator("a, button").count() >= 1
        page.keyboard.press("Escape")
    toggles.nth(1).click()  # party development
    page.locator("#mainnav .dropdown-menu.show a[href='/candidates/queue/']").click()
    page.wait_for_url("**/candidates/queue/")
    assert page.locator("#mainnav .dropdown-item.active").get_attribute("href") == "/candidates/queue/"
    context.close()


def test_on_a_phone_the_page_reads_top_to_bottom(browser, live_server, candidate):
    context, page = sized_page(browser, live_server, 390, 844)
    log_in(page, "board-layout", TEST_PASSWORD)
    page.wait_for_url("**/")
    assert not page.locator("#mainnav").is_visible()  # the menus are behind the hamburger
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    assert page.locator("#mainnav .dropdown-toggle").first.is_visible()

    page.goto(f"/candidates/{candidate.pk}/")
    history = page.locator("[data-testid=history] details")
    assert history.get_attribute("open") is None
    assert not page.locator(".history-table").is_visible()
    summary = history.locator("summary").inner_text()
    assert summary.endswith(")") and "(" in summary  # "Lịch sử thay đổi (N)"
    history.locator("summary").click()
    assert page.locator(".history-table").is_visible()
    # No page is wider than the phone: a wide table scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto("/establishments/")
    cell = page.locator("main table tbody td").first
    assert cell.evaluate("td => getComputedStyle(td).whiteSpace") == "nowrap"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto("/reports/resolution-03/")
    for box in page.locator("main form input:visible").all():  # the date boxes are not cut off
        shown = box.bounding_box()
        assert shown["x"] >= 0 and shown["x"] + shown["width"] <= 390
    context.close()
