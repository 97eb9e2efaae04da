"""A board member takes a candidate from the source list to admission through the pages."""

import datetime

import pytest

from candidates.models import Candidate
from tests.candidates.pipeline import cell_for
from tests.e2e.conftest import fill_date, log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def record_step(page, stage: str, fields: dict[str, str]) -> None:
    form = page.locator(f"[data-testid=step-form-{stage}]")
    for name, value in fields.items():
        if name.endswith("_on"):
            fill_date(form, f"{stage}-{name}", value)
        else:
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
    fill_date(page, "birth_date", "02/04/1998")
    page.select_option("[name=gender]", "female")
    page.select_option("[name=ethnicity]", "thai")
    page.fill("[name=citizen_id]", "014198012345")
    page.fill("[name=education_grade]", "9")
    choose(page, "establishment", "muong sang")
    fill_date(page, "added_on", "06/01/2025")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url("**/candidates/*/")
    assert page.locator("[data-testid=stage]").inner_text().strip() != ""

    record_step(page, "trained", {"certificate_number": "123/2025/0001", "certificate_on": "10/02/2025"})
    record_step(
        page,
        "dossier",
        {
            "opened_on": "03/03/2025",
            "personal_history_on": "05/03/2025",
            "verification_concluded_on": "20/03/2025",
            "comments_on": "21/03/2025",
        },
    )
    for member in members[:2]:
        page.locator("summary", has_text="introducer").or_(
            page.locator("summary", has_text="giới thiệu")
        ).first.click()
        form = page.locator("form[action$='/introducers/']")
        choose(page, "introducer-party_member", member.full_name, scope=form, value=member.pk)
        fill_date(form, "introducer-introduced_on", "24/03/2025")
        fill_date(form, "introducer-known_since", "01/01/2020")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator("[data-testid=introducers] li").count() == 2
    record_step(
        page,
        "cell_resolution",
        {"voted_on": "02/04/2025", "document_number": "05-NQ/CB", "votes_for": "7"},
    )
    record_step(page, "grassroots_resolution", {"resolved_on": "15/04/2025", "document_number": "21-NQ/ĐU"})
    record_step(page, "decision", {"decided_on": "06/05/2025", "document_number": "312-QĐ/HU"})
    record_step(page, "admitted", {"ceremony_on": "19/05/2025"})

    candidate = Candidate.objects.get(full_name="Lò Thị Hoa")
    assert candidate.stage == "admitted"
    assert candidate.party_member.admitted_on == datetime.date(2025, 5, 19)
    assert page.locator("[data-testid=timeline] li").count() == 7
    assert not [m for m in page.console_messages if getattr(m, "type", "error") == "error"]
