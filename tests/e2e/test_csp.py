"""Every list, detail and form page works under the Content-Security-Policy: no violation."""

import datetime

import pytest

from candidates.choices import Stage
from candidates.models import Enrollment, SourceList, TrainingClass
from sonla_party import roles
from tests.candidates.pipeline import advance, new_candidate
from tests.e2e.conftest import log_in
from tests.factories import (
    TEST_PASSWORD,
    AssignmentFactory,
    CadreFactory,
    CommuneFactory,
    DistrictFactory,
    EstablishmentFactory,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)


def pages():
    district = DistrictFactory(code="123", name="Mộc Châu")
    commune = CommuneFactory(district=district, name="Chiềng Sơn")
    village = EstablishmentFactory(commune=commune, name="Bản Mường Sang")
    board = make_user("board-csp", roles.BOARD, is_staff=True)
    candidate = new_candidate(board, village, full_name="Lò Thị Hoa")
    cell, members = advance(candidate, Stage.DOSSIER, board)
    training_class = TrainingClass.objects.create(
        name="Lớp 1/2026",
        organiser="TTCT Mộc Châu",
        unit=district,
        starts_on=datetime.date(2026, 12, 1),
        ends_on=datetime.date(2026, 12, 5),
        capacity=10,
    )
    other = new_candidate(board, village, full_name="Cà Văn Nam", citizen_id=None)
    Enrollment.objects.create(
        training_class=training_class,
        candidate=other,
        enrolled_on=datetime.date(2026, 11, 1),
        organiser=training_class.organiser,
    )
    assignment = AssignmentFactory(cadre=CadreFactory(district=district), establishment=village)
    source_list = SourceList.objects.get()
    lists = [
        "/",
        "/establishments/",
        "/party-cells/",
        "/members/",
        "/candidates/",
        "/candidates/queue/",
        "/candidates/decisions/",
        "/candidates/source-lists/",
        "/training-classes/",
        "/cadres/",
        "/cadres/assignments/",
    ]
    details = [
        f"/establishments/{village.pk}/",
        f"/party-cells/{cell.pk}/",
        f"/members/{members[0].pk}/",
        f"/candidates/{candidate.pk}/",
        f"/candidates/source-lists/{source_list.pk}/",
        f"/training-classes/{training_class.pk}/",
        f"/training-classes/{training_class.pk}/roster/",
        f"/training-classes/{training_class.pk}/print/",
        f"/cadres/{assignment.cadre_id}/",
        f"/cadres/assignments/{assignment.pk}/",
        f"/members/{members[0].pk}/viewers/",
    ]
    forms = [
        "/establishments/new/",
        "/party-cells/new/",
        "/members/new/",
        "/candidates/new/",
        "/training-classes/new/",
        "/cadres/new/",
        "/cadres/assignments/new/",
        f"/candidates/{candidate.pk}/edit/",
    ]
    admin = ["/admin/", "/admin/candidates/candidate/", f"/admin/candidates/candidate/{candidate.pk}/change/"]
    return lists + details + forms + admin


def test_no_page_breaks_under_the_content_security_policy(page):
    urls = pages()
    log_in(page, "board-csp", TEST_PASSWORD)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append((page.url, message.text))
            if "Content Security Policy" in message.text or message.type == "error"
            else None
        ),
    )
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        assert response.headers.get("content-security-policy"), url
        page.wait_for_load_state("networkidle")
    assert violations == []
