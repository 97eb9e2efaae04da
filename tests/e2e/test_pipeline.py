"""A board member takes a candidate from the source list to admission through the pages."""

import datetime

import pytest

from candidates.models import Candidate
from tests.candidates.pipeline import cell_for
from tests.e2e.conftest import log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def record_step(page, stage: str, fields: dict[str, str]) -> None:
    form = page.locator(f"[data-testid=step-form-{stage}]")
    for name, value in fields.items():
        form.locator(f"[name='{stage}-{name}']").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".alert-success").count() == 1, page.locator("main").inner_text()[:2000]


def choose(page, select_name: str, search: str, scope=None, value=None) -> None:
    """Use an autocomplete select: type in its search box, pick `value` (or the first match)."""
    root = scope or page
    select = root.locator(f"select[name='{select_name}']")
    box = root.locator(f"select[name='{select_name}'] >> xpath=preceding-sibling::input[1]")
    with page.expect_response(lambda r: "autocomplete" in r.url):
        box.fill(search)
    page.wait_for_function(
        "name => document.querySelector(`select[name='${name}']`).options.length > 1", arg=select_name
    )
    select.select_option(str(value) if value else select.locator("option").nth(1).get_attribute("value"))


def test_board_takes_a_candidate_from_source_to_admitted(page):
    from sonla_party import roles

    district = DistrictFactory(code="123", name="Mộc Châu")
    commune = CommuneFactory(district=district, name="Chiềng Sơn")
    village = EstablishmentFactory(commune=commune, name="Bản Mường Sang")
    make_user("board-e2e", roles.BOARD, first_name="Ban", last_name="Tổ chức")
    probe = Candidate(establishment=village)
    _cell, members = cell_for(probe)

    log_in(page, "board-e2e", TEST_PASSWORD)
    page.goto("/candidates/new/")
    page.fill("[name=full_name]", "Lò Thị Hoa")
    page.fill("[name=birth_date]", "1998-04-02")
    page.select_option("[name=gender]", "female")
    page.select_option("[name=ethnicity]", "thai")
    page.fill("[name=citizen_id]", "014198012345")
    page.fill("[name=education_grade]", "9")
    choose(page, "establishment", "muong sang")
    page.fill("[name=added_on]", "2025-01-06")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/candidates/*/")
    assert page.locator("[data-testid=stage]").inner_text().strip() != ""

    record_step(page, "trained", {"certificate_number": "123/2025/0001", "certificate_on": "2025-02-10"})
    record_step(
        page,
        "dossier",
        {
            "opened_on": "2025-03-03",
            "personal_history_on": "2025-03-05",
            "verification_concluded_on": "2025-03-20",
            "comments_on": "2025-03-21",
        },
    )
    for member in members[:2]:
        page.locator("summary", has_text="introducer").or_(
            page.locator("summary", has_text="giới thiệu")
        ).first.click()
        form = page.locator("form[action$='/introducers/']")
        choose(page, "introducer-party_member", member.full_name, scope=form, value=member.pk)
        form.locator("[name='introducer-introduced_on']").fill("2025-03-24")
        form.locator("[name='introducer-known_since']").fill("2020-01-01")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator("[data-testid=introducers] li").count() == 2
    record_step(
        page,
        "cell_resolution",
        {"voted_on": "2025-04-02", "document_number": "05-NQ/CB", "votes_for": "7"},
    )
    record_step(page, "grassroots_resolution", {"resolved_on": "2025-04-15", "document_number": "21-NQ/ĐU"})
    record_step(page, "decision", {"decided_on": "2025-05-06", "document_number": "312-QĐ/HU"})
    record_step(page, "admitted", {"ceremony_on": "2025-05-19"})

    candidate = Candidate.objects.get(full_name="Lò Thị Hoa")
    assert candidate.stage == "admitted"
    assert candidate.party_member.admitted_on == datetime.date(2025, 5, 19)
    assert page.locator("[data-testid=timeline] li").count() == 7
    assert not [m for m in page.console_messages if getattr(m, "type", "error") == "error"]
