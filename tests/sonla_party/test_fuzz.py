"""Nonsense input answers 4xx or a form error, never 5xx.

Every page of the app is opened as the organisation board, a district reviewer and a commune's
staff; every form those pages hold — the filters of each list (GET) and each form that records
something (POST) — is read from the HTML and sent again with one field at a time set to nonsense:
a key too large for any integer column, Unicode digits, a NUL byte, a search of a thousand words,
the calendar's first and last days, a negative or huge page size. The forms are found in the pages
themselves, so a new field or a new form is fuzzed without anyone adding it here. Each request
runs in a savepoint rolled back afterwards: the world stays as it was, and a request that breaks
the database transaction cannot hide the next one's failure.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client

from sonla_party import roles
from sonla_party.forms import parse_key
from tests.factories import make_user
from tests.sonla_party.test_every_url import ROUTES, World, url_for

pytestmark = pytest.mark.django_db

HUGE = "9" * 25  # beyond a 64-bit integer
# Values by the kind of input. To stay fast, each role sends one value of its field's kind, the
# next role the next one: over the three roles, every field gets every value of its kind.
NONSENSE = {
    "key": [HUGE, "²", "١٢"],  # selects, radios and hidden inputs (the records' keys)
    "number": [HUGE, "-" + HUGE, "١٢"],
    "date": ["9999-12-31", "0001-01-01", "99999-01-01"],
    "text": ["a\x00b", " ".join(["muong"] * 1100), "9" * 30],
    "check": ["\x00"],
}
KINDS = {"hidden": "key", "select": "key", "radio": "key", "number": "number", "date": "date", "checkbox": "check"}
# Added to every list's filters: its paging and sorting.
LIST_EXTRAS = {
    "per_page": ["-5", "1000000000", HUGE],
    "page": [HUGE, "-1", "last"],
    "sort": ["-" + "x" * 300],
}
SKIPPED_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")  # sending these nonsense proves nothing


@dataclass
class HtmlForm:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # name → the value the page gives
    kinds: dict[str, str] = field(default_factory=dict)  # name → kind of NONSENSE


class FormParser(HTMLParser):
    """The forms of a page: their method, action, and each named input with its current value."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url, self.forms, self.form, self.select = page_url, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            self.form = HtmlForm((attrs.get("method") or "get").lower(), urlsplit(action).path)
            self.forms.append(self.form)
        elif self.form is not None and attrs.get("name"):
            name = attrs["name"]
            if tag == "input":
                kind = attrs.get("type", "text")
                if kind in ("submit", "button", "file", "reset", "image"):
                    return
                if kind in ("checkbox", "radio") and "checked" not in attrs:
                    self.form.kinds.setdefault(name, KINDS[kind])
                    return
                self.form.fields.setdefault(name, attrs.get("value", "on" if kind == "checkbox" else ""))
                self.form.kinds.setdefault(name, KINDS.get(kind, "text"))
            elif tag == "textarea":
                self.form.fields.setdefault(name, "")
                self.form.kinds[name] = "text"
            elif tag == "select":
                self.select = name
                self.form.fields.setdefault(name, "")
                self.form.kinds[name] = "key"
        if tag == "option" and self.form is not None and self.select and "selected" in attrs:
            self.form.fields[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def forms_of(url: str, html: str) -> list[HtmlForm]:
    parser = FormParser(url)
    parser.feed(html)
    return parser.forms


def page_urls(world) -> list[str]:
    """Every page of the app, with the world's records as their keys (the forms of the POST-only
    routes are on the pages: a candidate's steps on its page, the hand-over on the cadre's…)."""
    urls = []
    for name, (kind, target) in sorted(ROUTES.items()):
        if kind in ("public", "post", "finalise", "own test"):
            continue
        urls.append(url_for(name, target, world))
    return [*urls, "/accounts/login/"]


@dataclass
class Fuzzer:
    client: Client
    turn: int = 0  # which value of each kind this role sends
    kinds: set | None = None  # the kinds of field fuzzed (None: all)
    failures: list = field(default_factory=list)
    sent: int = 0

    def send(self, method: str, url: str, data: dict, what: str) -> None:
        """One request in a savepoint rolled back afterwards; a 5xx or an exception is a failure."""
        self.sent += 1
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(url, data)
                transaction.set_rollback(True)
            if response.status_code >= 500:
                self.failures.append((method, url, what, response.status_code))
        except Exception as error:  # the failure to report, whatever it is
            self.failures.append((method, url, what, f"{type(error).__name__}: {str(error)[:200]}"))

    def fuzz_form(self, form: HtmlForm) -> None:
        extras = LIST_EXTRAS if form.method == "get" else {}
        kinds = {name: kind for name, kind in form.kinds.items() if self.kinds is None or kind in self.kinds}
        names = {**{name: NONSENSE[kind] for name, kind in kinds.items()}, **extras}
        for name, values in names.items():
            if name == "csrfmiddlewaretoken":
                continue
            value = values[self.turn % len(values)]
            data = {**form.fields, name: value}
            self.send(form.method, form.action, data, f"{name}={value[:40]!r}")


# The JSON endpoints (autocompletes, charts) have no form on a page: their parameters, by kind.
JSON_PARAMETERS = {"q": "text", "as_of": "date", "year": "number", "quarter": "key", "chart": "key", "map": "key"}


def json_forms(world) -> list[HtmlForm]:
    return [
        HtmlForm("get", url_for(name, target, world), {}, JSON_PARAMETERS)
        for name, (kind, target) in sorted(ROUTES.items())
        if kind in ("json", "chart")
    ]


def fuzz_everything(client: Client, urls, turn: int = 0, extra_forms=(), only=lambda form: True, kinds=None) -> Fuzzer:
    fuzzer = Fuzzer(client, turn, kinds=kinds)
    for form in extra_forms:
        fuzzer.fuzz_form(form)
    seen = set()
    for url in urls:
        with transaction.atomic():
            response = client.get(url)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            fuzzer.failures.append(("get", url, "", response.status_code))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(url, response.content.decode()):
            key = (form.method, form.action, tuple(sorted(form.kinds)))
            if key in seen or form.action.startswith(SKIPPED_ACTIONS) or not only(form):
                continue
            seen.add(key)
            fuzzer.fuzz_form(form)
    return fuzzer


def user_of(role: str, world):
    if role == "board":
        return world.board
    if role == "reviewer":
        return make_user("reviewer-fuzz", roles.REVIEWER, district=world.other)
    return make_user("commune-fuzz", roles.COMMUNE_STAFF, commune=world.other_commune)


ROLES = ["board", "reviewer", "commune"]


@pytest.mark.parametrize("role", ROLES)
def test_no_nonsense_answers_5xx(role):
    world = World()
    client = Client(raise_request_exception=True)
    client.force_login(user_of(role, world))
    fuzzer = fuzz_everything(client, page_urls(world), ROLES.index(role), json_forms(world))
    assert fuzzer.sent > 150, "the pages hold fewer forms than expected: is the parser blind?"
    assert fuzzer.failures == [], "\n".join(map(str, fuzzer.failures))


def test_anonymous_nonsense_at_the_login_page():
    fuzzer = fuzz_everything(Client(), ["/accounts/login/"])
    for turn in (1, 2):
        for form in forms_of("/accounts/login/", Client().get("/accounts/login/").content.decode()):
            Fuzzer(fuzzer.client, turn, fuzzer.failures).fuzz_form(form)
    fuzzer.send("post", "/accounts/login/", {"username": "u" * 300, "password": "x"}, "long username")
    assert fuzzer.failures == [], "\n".join(map(str, fuzzer.failures))


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_username_longer_than_any_account_is_a_failed_sign_in(url):
    response = Client().post(url, {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200 and response.context["form"].errors


# --- The guards the fuzzing above relies on, one by one ---------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("42", 42),
        (" 7 ", 7),
        (HUGE, None),
        ("9223372036854775808", None),
        ("²", None),
        ("١٢", None),
        ("-1", None),
        ("0", None),
        ("", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_parse_key(value, key):
    assert parse_key(value) == key


@pytest.mark.parametrize(("asked", "given"), [("-5", 25), ("0", 25), ("1000000000", 200), (HUGE, 25), ("10", 10)])
def test_per_page_is_kept_within_bounds(board_client, province, asked, given, settings):
    settings.LIST_PAGE_SIZE, settings.LIST_MAX_PAGE_SIZE = 25, 200
    response = board_client.get("/establishments/", {"per_page": asked, "page": HUGE})
    assert response.status_code == 200 and response.context["table"].paginator.per_page == given


def test_a_date_at_the_calendars_end_is_a_form_error(board_client, province):
    for day in ("9999-12-31", "0001-01-01"):
        response = board_client.get("/candidates/queue/", {"as_of": day})
        assert response.status_code == 200
        assert response.context["filter"].form.errors["as_of"]


def test_a_key_no_column_can_hold_is_an_invalid_choice(board_client, province):
    response = board_client.get("/members/", {"establishment": HUGE})
    assert response.status_code == 200 and response.context["filter"].form.errors["establishment"]


def admin_urls(world) -> list[str]:
    """Each model's change list, add page and the change page of one of its records (the add
    form has the change form's fields: only the change forms are fuzzed)."""
    from django.contrib import admin
    from django.urls import reverse

    urls = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        opts = model._meta
        if opts.app_label not in ("establishments", "candidates", "sonla_party", "reports"):
            continue
        urls += [reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}") for view in ("changelist", "add")]
        record = model._default_manager.first()
        if record is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk]))
    return urls


# The admin's text fields are Django's own; its choices and dates are where nonsense reached the
# database. Fuzzing only those keeps the test quick (each admin form renders long selects).
ADMIN_KINDS = {"key", "date"}
# The reference structure's pages (units, party organisations) take a second or more to answer a
# post (their inlines list every unit): one request below instead of one per field.
REFERENCE_ADMIN = tuple(
    f"/admin/establishments/{name}/" for name in ("administrativeunit", "commune", "district", "partyorganisation")
)


def test_the_admin_answers_nonsense_without_5xx():
    """The admin's forms, as the board's staff (its forms are the same for every scope)."""
    world = World()
    client = Client(raise_request_exception=True)
    client.force_login(make_user("board-admin", roles.BOARD, is_staff=True))
    urls = admin_urls(world)
    change_forms = lambda form: form.method == "post" and form.action.endswith("/change/")  # noqa: E731
    pages = [url for url in urls if url.endswith("/change/") and not url.startswith(REFERENCE_ADMIN)]
    fuzzer = fuzz_everything(client, pages, only=change_forms, kinds=ADMIN_KINDS)
    unit = next(url for url in urls if url.startswith("/admin/establishments/commune/") and url.endswith("/change/"))
    fuzzer.send("post", unit, {"parent": HUGE, "name": "x"}, "parent of a commune")
    for url in urls:  # a key no column can hold, in the path and in the change list's filters
        if url.endswith("/change/"):
            fuzzer.send("get", url.replace(url.split("/")[-3], HUGE), {}, "object id")
        elif not url.endswith("/add/"):
            fuzzer.send("get", url, {"id__exact": HUGE}, "filter")
            fuzzer.send("get", url, {"q": NONSENSE["text"][1]}, "search")
            fuzzer.send("get", url, {"q": NONSENSE["text"][0]}, "search")
    assert fuzzer.failures == [], "\n".join(map(str, fuzzer.failures))


@pytest.mark.parametrize("number", ["٠١٤١٩٨٠١٢٣٤٥", "0141²8012345"])
def test_a_citizen_id_of_other_digits_is_a_form_error(board_client, province, number):
    from tests.candidates.test_views import person

    response = board_client.post("/candidates/new/", person(province.home_establishment, citizen_id=number))
    assert response.status_code == 200 and response.context["form"].errors["citizen_id"]
