"""A Vietnamese page shows no English: every text and label of every page, rendered in `vi`, is
compared with the catalogue's msgids. A string marked for translation but never extracted (a
`gettext_lazy` under another name, say) shows as its English msgid and fails here."""

from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.sonla_party.test_every_url import ROUTES, World, url_for

pytestmark = pytest.mark.django_db
PO_FILE = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
# The attributes a user reads (or hears, with a screen reader).
READ_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


def english_msgids() -> set[str]:
    """The msgids whose Vietnamese differs from them (not a code such as "CSV")."""
    found = set()
    for entry in polib.pofile(str(PO_FILE)).translated_entries():
        translated = entry.msgstr or entry.msgstr_plural.get(0, "")
        if translated.strip() != entry.msgid.strip() and any(c.isalpha() for c in entry.msgid):
            found.add(entry.msgid.strip())
    return found


class Texts(HTMLParser):
    """The text nodes and read attributes of a page, outside scripts and styles."""

    def __init__(self):
        super().__init__()
        self.texts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self.texts.append(value.strip())
            if name == "value" and tag in ("button",) and value:
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def english_on(html: str, msgids: set[str]) -> set[str]:
    parser = Texts()
    parser.feed(html)
    return {text for text in parser.texts if text in msgids or text.rstrip(" »«:").strip() in msgids}


def test_the_check_finds_an_english_label():
    """Not vacuous: an untranslated label is found, a Vietnamese one is not."""
    msgids = english_msgids()
    assert "Administrative units" in msgids
    assert english_on("<h1>Administrative units</h1><p>Đơn vị hành chính</p>", msgids) == {"Administrative units"}
    assert english_on('<input placeholder="Search">', msgids | {"Search"}) == {"Search"}


PAGES = sorted(name for name, (kind, _target) in ROUTES.items() if kind in ("list", "form", "detail"))


def test_no_vietnamese_page_shows_an_english_msgid():
    world = World()
    world.client.force_login(world.board)
    msgids = english_msgids()
    found, visited = {}, 0
    for route_name in PAGES:
        _kind, target = ROUTES[route_name]
        response = world.client.get(url_for(route_name, target, world), HTTP_ACCEPT_LANGUAGE="vi")
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        visited += 1
        english = english_on(response.content.decode(), msgids)
        if english:
            found[route_name] = sorted(english)
    assert visited >= 30, f"only {visited} pages rendered"
    assert found == {}
