"""Staff enrol candidates from a filtered list, then record the class's completion."""

import datetime

import pytest
from django.utils import timezone

from candidates.models import Candidate, TrainingClass
from sonla_party import roles
from tests.candidates.pipeline import new_candidate
from tests.e2e.conftest import fill_date, log_in
from tests.factories import TEST_PASSWORD, CommuneFactory, DistrictFactory, EstablishmentFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_enrol_from_a_filtered_list_and_complete_the_class(page):
    district = DistrictFactory(code="123", name="Mộc Châu")
    commune = CommuneFactory(district=district, name="Chiềng Sơn")
    village = EstablishmentFactory(commune=commune, name="Bản Mường Sang")
    elsewhere = EstablishmentFactory(commune=commune, name="Bản Nà Bai")
    board = make_user("board-e2e", roles.BOARD)
    chosen = [new_candidate(board, village, citizen_id=None, full_name=f"Lò Văn {n}") for n in ("An", "Bình")]
    new_candidate(board, elsewhere, citizen_id=None, full_name="Cà Thị Other")
    today = timezone.localdate()
    TrainingClass.objects.create(
        name="Lớp 12/2026",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=district,
        starts_on=today - datetime.timedelta(days=6),
        ends_on=today - datetime.timedelta(days=2),
        capacity=40,
    )
    # A class that has ended cannot take enrolments; one still running can.
    running = TrainingClass.objects.create(
        name="Lớp đang học",
        organiser="Trung tâm Chính trị Mộc Châu",
        unit=district,
        starts_on=today - datetime.timedelta(days=2),
        ends_on=today + datetime.timedelta(days=2),
        capacity=40,
    )

    log_in(page, "board-e2e", TEST_PASSWORD)
    page.goto(f"/candidates/?establishment={village.pk}&stage=source")
    assert page.locator("table tbody tr").count() == 2
    page.select_option("#id_training_class", str(running.pk))
    page.click("[data-testid=enrol-all]")
    page.wait_for_load_state()
    assert "2" in page.locator("[data-testid=enrol-confirm]").inner_text()  # the number, to confirm
    page.click("[data-testid=confirm-enrol-all]")
    page.wait_for_load_state()
    assert "2" in page.locator("[data-testid=enrolled-count]").inner_text()

    page.goto(f"/training-classes/{running.pk}/roster/")
    rows = page.locator("[data-testid=roster-form] tbody tr")
    assert rows.count() == 2
    for index in range(2):
        row = rows.nth(index)
        row.locator(f"[name='roster-{index}-completed']").check()
        row.locator(f"[name='roster-{index}-essay_result']").select_option("good")
        row.locator(f"[name='roster-{index}-certificate_number']").fill(f"123/2026/{index + 1:04d}")
        fill_date(row, f"roster-{index}-certificate_on", today.strftime("%d/%m/%Y"))
    page.click("form button[type=submit].btn-primary")
    page.wait_for_url(f"**/training-classes/{running.pk}/")
    assert page.locator("[data-testid=completed]").inner_text().strip() == "2"
    assert set(Candidate.objects.filter(stage="trained").values_list("pk", flat=True)) == {c.pk for c in chosen}
