"""The same accent-free query finds the accented row on every list of the app.

"dong phuong" is "Đông Phượng" with its đ, ư and ơ and its tones removed: each list holds a row
named with those words and a decoy ("Đông Hà") that has only one of them."""

import datetime

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from candidates.choices import Stage
from candidates.models import Candidate, SourceList, TrainingClass
from sonla_party.views import FilteredListView
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CommuneFactory,
    DistrictFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)
from tests.urlwalk import app_routes

pytestmark = pytest.mark.django_db

QUERY = "dong phuong"
WORDS, DECOY = "Đông Phượng", "Đông Hà"


@pytest.fixture
def rows(board_user):
    """For each list URL name, the accented row the query must find and a decoy it must not."""
    district = DistrictFactory(code="124", name="Quỳnh Nhai")
    found, decoy = {}, {}
    for key, name in ((found, WORDS), (decoy, DECOY)):
        commune = CommuneFactory(district=district, name=f"Xã {name}")
        establishment = EstablishmentFactory(commune=commune, name=f"Bản {name}", code=f"B-{len(decoy)}")
        cell = PartyCellFactory(seat=establishment, name=f"Chi bộ {name}")
        cadre = CadreFactory(district=district, full_name=f"Lường {name}")
        candidate = new_candidate(board_user, establishment, full_name=f"Hà Thị {name}", citizen_id=None)
        waiting = new_candidate(board_user, establishment, full_name=f"Cầm Văn {name}", citizen_id=None)
        advance(waiting, Stage.GRASSROOTS_RESOLUTION, board_user)
        Candidate.objects.filter(pk=candidate.pk).update(
            next_due_on=timezone.localdate() + datetime.timedelta(days=3), next_due_kind="decision"
        )
        key.update(
            {
                "establishments:establishment_list": establishment,
                "establishments:unit_list": commune,
                "establishments:party_organisation_list": cell,
                "establishments:party_cell_list": cell,
                "establishments:party_member_list": PartyMemberFactory(
                    establishment=establishment, full_name=f"Đỗ {name}"
                ),
                "establishments:cadre_list": cadre,
                "establishments:assignment_list": AssignmentFactory(cadre=cadre, establishment=establishment),
                "candidates:candidate_list": candidate,
                "candidates:work_queue": candidate,
                "candidates:decision_queue": waiting,
                "candidates:source_list_list": SourceList.objects.get(commune=commune),
                "candidates:training_class_list": TrainingClass.objects.create(
                    name=f"Lớp {name}",
                    organiser="Trung tâm chính trị",
                    unit=district,
                    starts_on=datetime.date(2026, 3, 2),
                    ends_on=datetime.date(2026, 3, 6),
                    capacity=30,
                ),
            }
        )
    return found, decoy


def list_routes() -> list[str]:
    """Every route answered by a list view (FilterSet + Table) of the project."""
    names = []
    for route in app_routes():
        if route.is_admin or ":" not in route.name:
            continue
        view_class = getattr(resolve(route.path).func, "view_class", None)
        if view_class is not None and issubclass(view_class, FilteredListView):
            names.append(route.name)
    return sorted(set(names))


def test_an_accent_free_query_finds_the_accented_row_on_every_list(board_client, rows):
    """One world for every list (building it costs more than the requests): the routes answered
    by a list view are exactly those checked, and each finds its row and not the decoy."""
    found, decoy = rows
    assert list_routes() == sorted(found), "a list view without an accent-free search check"
    missed = []
    for route_name in sorted(found):
        response = board_client.get(reverse(route_name), {"q": QUERY, "per_page": 100})
        assert response.status_code == 200, route_name
        keys = {record.pk for record in (row.record for row in response.context["table"].rows)}
        if found[route_name].pk not in keys or decoy[route_name].pk in keys:
            missed.append(route_name)
    assert missed == []
