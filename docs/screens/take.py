"""Screenshots of the main screens at 1366×768 (desktop) and 390×844 (phone), into docs/screens/.

Run against the demo (`make run` in another terminal, or any server with the demo loaded):

    .venv/bin/python docs/screens/take.py http://127.0.0.1:8000 [name ...]

Uses Playwright with Debian's Chromium (`/usr/bin/chromium`), as the browser tests do; the pages are
shown in Vietnamese. Each shot is the top of the page: up to two screens of it.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
SIZES = {"desktop": (1366, 768), "phone": (390, 844)}
# (file name, account, address): the screens a clerk, a reviewer and the board use every day.
SCREENS = [
    ("dashboard-board", "board", "/"),
    ("candidates", "board", "/candidates/"),
    ("candidate", "board", "/candidates/1/"),
    ("candidate-form", "board", "/candidates/new/"),
    ("work-queue", "commune-03646", "/candidates/queue/"),
    ("decisions", "reviewer-123", "/candidates/decisions/"),
    ("establishments", "board", "/establishments/?district=&commune="),
    ("members", "board", "/members/"),
    ("training-classes", "board", "/training-classes/"),
    ("quarterly-report", "board", "/reports/quarterly/?year=2025&quarter=2"),
    ("dashboard-commune", "commune-03646", "/"),
    ("date-picker", "board", "/candidates/new/"),  # the calendar of a date box, open
    ("menu", "board", "/candidates/"),  # the navbar's "Party development" menu, open
    ("establishment", "board", "/establishments/1/"),
    ("resolution-03", "board", "/reports/resolution-03/"),
    ("admin", "admin", "/admin/"),
]
ONLY = set(sys.argv[2:])  # names to retake; all when none is given
OPEN_CALENDAR = "input[name=birth_date] + input"
PASSWORD = "demo-password"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, (width, height) in SIZES.items():
            contexts = {}
            for name, account, url in SCREENS:
                if ONLY and name not in ONLY:
                    continue
                if account not in contexts:
                    context = browser.new_context(
                        base_url=base, locale="vi-VN", viewport={"width": width, "height": height}
                    )
                    page = context.new_page()
                    page.set_default_timeout(120_000)  # a report of the whole province on a busy machine
                    page.goto("/accounts/login/")
                    page.fill("#id_username", account)
                    page.fill("#id_password", PASSWORD)
                    page.click("#login-submit")
                    page.wait_for_load_state()
                    contexts[account] = page
                page = contexts[account]
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if name == "date-picker":
                    page.click(OPEN_CALENDAR)
                    page.keyboard.type("01/12/1998")
                    page.wait_for_selector(".flatpickr-calendar.open")
                if name == "menu":
                    if width < 992:  # the phone's navbar: the hamburger first
                        page.click(".navbar-toggler")
                        page.wait_for_selector("#mainnav.show")
                    page.click("#mainnav .dropdown-toggle.active")
                    page.wait_for_selector("#mainnav .dropdown-menu.show")
                full = page.evaluate("document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(full, 2 * height)}
                page.screenshot(path=HERE / f"{name}-{size}.png", clip=clip, full_page=True)
                print(f"{name}-{size}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
