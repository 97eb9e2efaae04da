"""A clerk's day in an English-language browser: dates dd/mm/yyyy, narrowed communes, accent-free picks.

Chromium in English shows its own date input as mm/dd/yyyy; the app's date boxes must read and
write dd/mm/yyyy whatever the browser's language, and keep sending ISO days in GET filters.
"""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest

from candidates import services
from candidates.choices import Stage
from candidates.models import Candidate
from sonla_party import roles
from tests.candidates.pipeline import advance, new_candidate
from tests.e2e.conftest import date_box, fill_date, log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def village(db):
    district = DistrictFactory(code="123", name="Mộc Châu")
    commune = CommuneFactory(district=district, name="Chiềng Sơn")
    return EstablishmentFactory(commune=commune, name="Bản Mường Sang")


def test_a_step_date_typed_dd_mm_yyyy_is_saved_as_that_day(english_page, village):
    page = english_page
    board = make_user("board-e2e", roles.BOARD)
    candidate = new_candidate(board, village, full_name="Lò Thị Hoa", citizen_id=None)

    log_in(page, "board-e2e", TEST_PASSWORD)
    page.goto(f"/candidates/{candidate.pk}/")
    form = page.locator("[data-testid=step-form-trained]")
    form.locator("[name='trained-certificate_number']").fill("123/2025/0001")
    fill_date(form, "trained-certificate_on", "01/12/2025")  # 1 December, not 12 January
    # The form sends the ISO day, whatever the browser's language.
    assert form.locator("input[name='trained-certificate_on']").input_value() == "2025-12-01"
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1, page.locator("main").inner_text()[:2000]

    candidate.refresh_from_db()
    assert candidate.stage == Stage.TRAINED
    assert candidate.certificate_on == datetime.date(2025, 12, 1)
    assert "01/12/2025" in page.locator("main").inner_text()
    assert not [m for m in page.console_messages if getattr(m, "type", "error") == "error"]


def test_a_filter_date_typed_dd_mm_yyyy_goes_to_the_url_as_iso(english_page, village):
    page = english_page
    make_user("board-e2e", roles.BOARD)

    log_in(page, "board-e2e", TEST_PASSWORD)
    page.goto("/candidates/?as_of=2026-03-04")
    assert date_box(page, "as_of").input_value() == "04/03/2026"  # an ISO link is shown dd/mm/yyyy
    fill_date(page, "as_of", "01/12/2026")
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_load_state()
    assert parse_qs(urlparse(page.url).query)["as_of"] == ["2026-12-01"]
    assert date_box(page, "as_of").input_value() == "01/12/2026"
    assert page.locator("[data-testid=filter-errors]").count() == 0


def test_the_commune_filter_follows_the_district(english_page):
    page = english_page
    moc_chau = DistrictFactory(code="116", name="Mộc Châu")
    yen_chau = DistrictFactory(code="118", name="Yên Châu")
    ours = [CommuneFactory(district=moc_chau, name=name) for name in ("Chiềng Sơn", "Tân Lập")]
    theirs = [CommuneFactory(district=yen_chau, name=name) for name in ("Chiềng Đông", "Sặp Vạt")]
    make_user("board-e2e", roles.BOARD)

    log_in(page, "board-e2e", TEST_PASSWORD)
    page.goto("/candidates/")
    commune = page.locator("form.filter-form select[name=commune]")

    def offered():
        return {v for v in commune.locator("option").evaluate_all("os => os.map(o => o.value)") if v}

    # Every commune when no district is chosen: ours and theirs, and the reference communes when the
    # migrations' data is still there (a transactional test before this one may have emptied it).
    everyone = offered()
    assert {str(c.pk) for c in ours + theirs} <= everyone
    commune.select_option(str(theirs[0].pk))
    page.select_option("form.filter-form select[name=district]", str(moc_chau.pk))
    assert offered() == {str(c.pk) for c in ours}
    assert commune.input_value() == ""  # a commune of another district is not kept
    commune.select_option(str(ours[1].pk))
    page.select_option("form.filter-form select[name=district]", str(yen_chau.pk))
    assert offered() == {str(c.pk) for c in theirs}
    page.select_option("form.filter-form select[name=district]", "")
    assert offered() == everyone

    page.select_option("form.filter-form select[name=district]", str(moc_chau.pk))
    commune.select_option(str(ours[0].pk))
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_load_state()
    query = parse_qs(urlparse(page.url).query)
    assert query["district"] == [str(moc_chau.pk)] and query["commune"] == [str(ours[0].pk)]
    assert offered() == {str(c.pk) for c in ours}  # the page comes back narrowed
    assert commune.input_value() == str(ours[0].pk)


def test_an_introducer_is_found_by_an_accent_free_name(english_page, village):
    page = english_page
    board = make_user("board-e2e", roles.BOARD)
    candidate = new_candidate(board, village, full_name="Lò Thị Hoa", citizen_id=None)
    _cell, members = advance(candidate, Stage.TRAINED, board)
    services.open_dossier(
        candidate=candidate,
        opened_on=datetime.date(2023, 5, 2),
        by=board,
        personal_history_on=datetime.date(2023, 5, 2),
        verification_concluded_on=datetime.date(2023, 5, 2),
        comments_on=datetime.date(2023, 5, 2),
    )
    phong = members[3]
    phong.full_name = "Đỗ Văn Phong"
    phong.save()

    log_in(page, "board-e2e", TEST_PASSWORD)
    page.goto(f"/candidates/{candidate.pk}/")
    page.locator("summary", has_text="introducer").or_(page.locator("summary", has_text="giới thiệu")).first.click()
    form = page.locator("form[action$='/introducers/']")
    select = form.locator("select[name='introducer-party_member']")
    box = form.locator("select[name='introducer-party_member'] >> xpath=preceding-sibling::input[1]")
    with page.expect_response(lambda r: "autocomplete" in r.url):
        box.fill("do van phong")
    page.wait_for_function(
        "() => document.querySelector(\"select[name='introducer-party_member']\").options.length > 1"
    )
    found = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    assert found == [str(phong.pk)]
    assert select.input_value() == ""  # a match is shown, never chosen by itself
    select.select_option(str(phong.pk))
    fill_date(form, "introducer-introduced_on", "05/05/2023")
    fill_date(form, "introducer-known_since", "01/01/2020")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    introducer = Candidate.objects.get(pk=candidate.pk).introducers.get()
    assert introducer.party_member == phong
    assert introducer.introduced_on == datetime.date(2023, 5, 5)
