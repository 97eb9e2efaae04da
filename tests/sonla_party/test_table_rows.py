"""The list tables' rows, written in Python, are the rows django-tables2's template writes."""

import datetime
import re

import django_tables2 as tables
import pytest
from django.test import RequestFactory

from candidates.models import SourceList, SourceListEntry, TrainingClass
from establishments.models import Establishment
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    CandidateFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)

pytestmark = pytest.mark.django_db
LISTS = [
    "/establishments/",
    "/party-cells/",
    "/members/",
    "/candidates/",
    "/training-classes/",
    "/cadres/",
    "/cadres/assignments/",
    "/candidates/source-lists/",
]


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def both_ways(table, request) -> tuple[str, str]:
    assert table.template_name == "django_tables2/sonla.html"
    ours = table.as_html(request)
    table.template_name = "django_tables2/bootstrap5.html"
    return normalised(ours), normalised(table.as_html(request))


@pytest.fixture
def rows(province):
    village = province.home_establishment
    cell = PartyCellFactory(seat=village, name="Chi bộ <Bản> & Mường")
    PartyMemberFactory(establishment=village, party_cell=cell, full_name='Lò Thị "Ánh"')
    candidate = CandidateFactory(establishment=village, full_name="Cầm Văn <b>Đức</b>")
    source_list = SourceList.objects.create(commune=village.commune, year=2024)
    SourceListEntry.objects.create(
        source_list=source_list, candidate=candidate, establishment=village, added_on=datetime.date(2024, 2, 1)
    )
    AssignmentFactory(
        cadre=CadreFactory(district=province.home), establishment=EstablishmentFactory(commune=village.commune)
    )
    TrainingClass.objects.create(
        name="Lớp 1/2024",
        organiser="Trung tâm Chính trị",
        unit=province.home,
        starts_on=datetime.date(2024, 3, 4),
        ends_on=datetime.date(2024, 3, 8),
        capacity=40,
    )


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_list_writes_the_rows_of_the_library_template(board_client, rows, url, language):
    response = board_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    table = response.context["table"]
    assert len(table.page.object_list) > 0, url
    ours, theirs = both_ways(table, response.wsgi_request)
    assert ours == theirs
    assert "<td" in ours


def test_an_empty_list_says_so_in_the_same_words(board_client, province):
    response = board_client.get("/training-classes/?year=1999")
    ours, theirs = both_ways(response.context["table"], response.wsgi_request)
    assert ours == theirs and 'colspan="' in ours


def test_attributes_computed_per_row_are_computed_per_row(province):
    class Table(tables.Table):
        name = tables.Column(attrs={"td": {"data-code": lambda record: record.code, "class": "fw-bold"}})
        code = tables.Column(localize=False)

        class Meta:
            model = Establishment
            fields = ("name", "code")
            template_name = "django_tables2/sonla.html"

    EstablishmentFactory(commune=province.home_commune, name="Bản Hai", code="B2")
    table = Table(Establishment.objects.order_by("code"))
    request = RequestFactory().get("/")
    ours, theirs = both_ways(table, request)
    assert ours == theirs
    assert 'data-code="B2"' in ours
