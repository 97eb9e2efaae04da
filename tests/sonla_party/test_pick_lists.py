"""Pick-lists of people: the person's name first, and no refused choice kept after a refusal."""

import datetime

import pytest

from candidates.choices import Stage
from establishments.models import Cadre
from tests.candidates.pipeline import advance, new_candidate
from tests.factories import CadreFactory, PartyMemberFactory

pytestmark = pytest.mark.django_db


def test_a_person_is_found_by_their_name_before_the_people_of_a_unit_that_matches(board_client, province):
    """ "do van phong": 21 border guards of the post at Vân Hồ match it through their unit's name
    ("Đồn" holds "do", "Biên phòng" "phong") and come before "Phong" in Vietnamese order; the
    man whose name it is comes first all the same."""
    for _n in range(21):
        CadreFactory(district=province.home, full_name="Thào A Chứ", unit="Đồn Biên phòng Vân Hồ")
    phong = CadreFactory(district=province.home, full_name="Đỗ Văn Phong", unit="Đồn Biên phòng Vân Hồ")
    assert Cadre.objects.order_by("sort_key", "pk").last() == phong  # the list's own order puts him last
    results = board_client.get("/cadres/autocomplete/", {"q": "do van phong"}).json()["results"]
    assert len(results) == 20
    assert results[0]["id"] == phong.pk
    by_given_name = board_client.get("/cadres/autocomplete/", {"q": "phong"}).json()["results"]
    assert by_given_name[0]["id"] == phong.pk


def test_a_refused_choice_is_not_kept_in_the_pick_list(board_client, board_user, province):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, Stage.DOSSIER, board_user)
    probationary = PartyMemberFactory(
        establishment=province.home_establishment,
        full_name="Hà Văn Dự Bị",
        official_on=None,
        admitted_on=datetime.date.today() - datetime.timedelta(days=100),
    )
    response = board_client.post(
        f"/candidates/{candidate.pk}/introducers/",
        {
            "introducer-party_member": probationary.pk,
            "introducer-introduced_on": candidate.stage_since.isoformat(),
            "introducer-known_since": "2015-01-01",
        },
    )
    assert response.status_code == 400
    form = response.context["introducer_form"]
    assert "party_member" in form.errors  # refused: not an official member
    assert f'value="{probationary.pk}"' not in str(form["party_member"])  # chosen again, not resent unseen
    assert 'value="2015-01-01"' in str(form["known_since"])  # the rest of the form is kept
