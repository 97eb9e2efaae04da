"""The commune filter says which districts each commune lies in (app.js narrows it); without
JavaScript every commune is offered and the server applies both filters."""

import re

import pytest

from tests.factories import CommuneFactory, DistrictFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db


def commune_options(html: str) -> dict[str, str]:
    select = re.search(r'<select name="commune"[^>]*data-follows="district"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the commune select follows the district select"
    options = {}
    for value, attrs in re.findall(r'<option value="(\d+)"([^>]*)>', select.group(1)):
        found = re.search(r'data-districts="([\d ]*)"', attrs)
        options[value] = found.group(1) if found else ""
    return options


@pytest.mark.parametrize("url", ["/candidates/", "/establishments/", "/members/"])
def test_each_commune_option_names_its_district(board_client, url):
    moc_chau, yen_chau = DistrictFactory(name="Mộc Châu"), DistrictFactory(name="Yên Châu")
    ours, theirs = CommuneFactory(district=moc_chau), CommuneFactory(district=yen_chau)

    options = commune_options(board_client.get(url).content.decode())
    assert options[str(ours.pk)] == str(moc_chau.pk)
    assert options[str(theirs.pk)] == str(yen_chau.pk)


def test_without_javascript_a_commune_of_another_district_finds_nothing(board_client):
    moc_chau, yen_chau = DistrictFactory(name="Mộc Châu"), DistrictFactory(name="Yên Châu")
    theirs = CommuneFactory(district=yen_chau)
    EstablishmentFactory(commune=theirs, name="Bản Nà Ngoài")
    assert "Bản Nà Ngoài" in board_client.get(f"/establishments/?commune={theirs.pk}").content.decode()
    response = board_client.get(f"/establishments/?district={moc_chau.pk}&commune={theirs.pk}")
    assert response.status_code == 200
    assert "Bản Nà Ngoài" not in response.content.decode()
