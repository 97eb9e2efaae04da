"""The establishment form: the commune select follows the district (as in the lists' filters),
and communes with one name say which they are."""

import datetime
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from establishments.models import Establishment
from tests.factories import CommuneFactory, DistrictFactory

pytestmark = pytest.mark.django_db


def options(html: str, name: str) -> dict[str, tuple[str, str]]:
    """value → (label, data-districts) of the select `name`."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    found = {}
    for value, attrs, label in re.findall(r'<option value="(\d+)"([^>]*)>([^<]*)</option>', select.group(1)):
        districts = re.search(r'data-districts="([\d ]*)"', attrs)
        found[value] = (label, districts.group(1) if districts else "")
    return found


@pytest.fixture
def twins():
    moc_chau, song_ma = DistrictFactory(name="Mộc Châu"), DistrictFactory(name="Sông Mã")
    return (
        moc_chau,
        song_ma,
        CommuneFactory(district=moc_chau, name="Chiềng Khoa"),
        CommuneFactory(district=song_ma, name="Chiềng Khoa"),
    )


def test_the_commune_follows_the_district_and_twins_name_their_district(board_client, twins):
    moc_chau, song_ma, ours, theirs = twins
    html = board_client.get("/establishments/new/").content.decode()
    assert re.search(r'<select name="commune"[^>]*data-follows="district"', html)
    assert str(moc_chau.pk) in options(html, "district")
    communes = options(html, "commune")
    assert communes[str(ours.pk)] == ("Chiềng Khoa (Mộc Châu)", str(moc_chau.pk))
    assert communes[str(theirs.pk)] == ("Chiềng Khoa (Sông Mã)", str(song_ma.pk))


def test_a_commune_of_another_district_is_refused(board_client, twins):
    moc_chau, _song_ma, ours, theirs = twins
    data = {"district": moc_chau.pk, "kind": "village", "name": "Bản Mới", "code": "BM1", "opened_on": "2020-01-01"}
    response = board_client.post("/establishments/new/", {**data, "commune": theirs.pk})
    assert response.status_code == 200 and "commune" in response.context["form"].errors
    assert not Establishment.objects.filter(name="Bản Mới").exists()
    board_client.post("/establishments/new/", {**data, "commune": ours.pk})
    assert Establishment.objects.get(name="Bản Mới").commune == ours


def test_after_the_reform_there_is_no_district_and_twins_say_their_code(board_client, province):
    from establishments.models import AdministrativeUnit

    AdministrativeUnit.objects.filter(level="district").update(valid_to=datetime.date(2025, 6, 30))
    one = CommuneFactory(district=None, parent=None, name="Mường Bú", code="14001")
    two = CommuneFactory(district=None, parent=None, name="Mường Bú", code="14002")
    html = board_client.get("/establishments/new/").content.decode()
    assert '<select name="district"' not in html
    communes = options(html, "commune")
    with translation.override("vi"):  # the page's language, whatever its catalogue holds today
        for unit in (one, two):
            assert communes[str(unit.pk)][0] == f"Mường Bú ({gettext('code %(code)s') % {'code': unit.code}})"
