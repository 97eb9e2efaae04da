"""Registry pages: filters, exports, query counts, bad input, forms and district scope."""

import datetime

import pytest
from django.utils import timezone

from establishments.models import Establishment, PartyCell
from tests.factories import (
    CommuneFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)
from tests.helpers import column, count_queries, csv_rows, xlsx_rows

D = datetime.date
pytestmark = pytest.mark.django_db


def test_filters_combine_and_export_returns_exactly_the_filtered_rows(board_client, province):
    commune = province.home_commune
    blank_school = EstablishmentFactory(commune=commune, kind="school", name="Trường Tiểu học A")
    covered_school = EstablishmentFactory(commune=commune, kind="school", name="Trường Tiểu học B")
    PartyCellFactory(seat=covered_school, founded_on=D(2009, 1, 1))
    late_school = EstablishmentFactory(commune=commune, kind="school", name="Trường Tiểu học C")
    PartyCellFactory(seat=late_school, founded_on=D(2012, 1, 1))
    EstablishmentFactory(commune=province.other_commune, kind="school", name="Trường Tiểu học D")
    params = f"district={province.home.pk}&kind=school&has_party_cell=false&as_of=2010-06-30"

    page = board_client.get(f"/establishments/?{params}")
    names = [row.record.name for row in page.context["table"].rows]
    assert sorted(names) == [blank_school.name, late_school.name]

    exported = csv_rows(board_client.get(f"/establishments/?{params}&_export=csv"))
    assert sorted(column(exported, "Tên")) == sorted(names)
    workbook = xlsx_rows(board_client.get(f"/establishments/?{params}&_export=xlsx"))
    assert len(workbook) == 3  # header + 2 rows


def test_export_covers_every_row_not_just_the_first_page(board_client, province, settings):
    settings.LIST_PAGE_SIZE = 5
    EstablishmentFactory.create_batch(12, commune=province.home_commune)
    page = board_client.get("/establishments/")
    assert len(page.context["table"].page.object_list) == 5
    assert len(csv_rows(board_client.get("/establishments/?_export=csv"))) == 1 + 14


@pytest.mark.parametrize(
    ("url", "factory", "cap"),
    [
        ("/establishments/", lambda commune, n: EstablishmentFactory.create_batch(n, commune=commune), 13),
        (
            "/party-cells/",
            lambda commune, n: [PartyCellFactory(seat=EstablishmentFactory(commune=commune)) for _ in range(n)],
            12,
        ),
        (
            "/members/",
            lambda commune, n: PartyMemberFactory.create_batch(
                n, establishment=EstablishmentFactory(commune=commune), party_cell=PartyCellFactory()
            ),
            12,
        ),
    ],  # each cap includes the two queries of the commune filter's unit map
)
def test_list_costs_the_same_queries_at_2_and_20_rows(board_client, url, factory, cap):
    commune = CommuneFactory()
    factory(commune, 2)
    at_two = count_queries(board_client, url, cap=cap)
    factory(commune, 18)
    at_twenty = count_queries(board_client, url, cap=cap)
    assert at_two == at_twenty


@pytest.mark.parametrize(
    "query",
    [
        "as_of=31-31-2020",
        "as_of=yesterday",
        "district=abc",
        "district=999999",
        "commune=-1",
        "kind=castle",
        "has_party_cell=maybe",
        "has_party_members=2",
        "q=%00%FF",
        "page=abc",
        "page=99999",
        "sort=not_a_column",
        "_export=pdf",
    ],
)
def test_nonsense_filters_never_give_a_500(board_client, province, query):
    response = board_client.get(f"/establishments/?{query}")
    assert response.status_code in (200, 404)
    if response.status_code == 200 and query.split("=")[0] in {
        "as_of",
        "district",
        "commune",
        "kind",
        "has_party_cell",
    }:
        assert response.context["filter"].form.errors, query
        assert "is-invalid" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/party-cells/?founded_on_after=2020-99-01",
        "/party-cells/?active_on=x",
        "/members/?admitted_on_before=x",
        "/members/?party_cell=abc",
        "/members/?status=asleep",
        "/members/?gender=x",
        "/?as_of=2020-02-30",
    ],
)
def test_nonsense_on_other_lists_gives_the_form_back(board_client, url):
    response = board_client.get(url)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()


def test_member_list_filters_by_status_and_search_ignoring_accents(board_client, province):
    est = province.home_establishment
    PartyMemberFactory(
        establishment=est, full_name="Lò Văn Điện", admitted_on=D(2024, 1, 1), official_on=D(2025, 1, 1)
    )
    PartyMemberFactory(establishment=est, full_name="Cà Thị Mường", admitted_on=D(2026, 1, 1), official_on=None)
    official = board_client.get("/members/?status=official")
    assert [r.record.full_name for r in official.context["table"].rows] == ["Lò Văn Điện"]
    found = board_client.get("/members/?q=muong")
    assert [r.record.full_name for r in found.context["table"].rows] == ["Cà Thị Mường"]
    found = board_client.get("/members/?q=dien")
    assert [r.record.full_name for r in found.context["table"].rows] == ["Lò Văn Điện"]


class TestDistrictScope:
    """reviewer-test sees Mộc Châu (home) only."""

    def test_lists_and_exports_hold_only_the_home_district(self, reviewer_client, province):
        PartyMemberFactory(establishment=province.home_establishment, full_name="Home Member")
        PartyMemberFactory(establishment=province.other_establishment, full_name="Other Member")
        PartyCellFactory(seat=province.home_establishment, name="Home Cell")
        PartyCellFactory(seat=province.other_establishment, name="Other Cell")
        for url, field, expected in [
            ("/establishments/", "Tên", [province.home_establishment.name]),
            ("/members/", "Họ và tên", ["Home Member"]),
            ("/party-cells/", "Tên", ["Home Cell"]),
        ]:
            assert column(csv_rows(reviewer_client.get(f"{url}?_export=csv")), field) == expected
            page = reviewer_client.get(url)
            assert [str(r.record) for r in page.context["table"].rows] == expected

    def test_other_district_details_and_edits_answer_404(self, reviewer_client, board_client, province):
        member = PartyMemberFactory(establishment=province.other_establishment)
        cell = PartyCellFactory(seat=province.other_establishment)
        for url in [
            f"/establishments/{province.other_establishment.pk}/",
            f"/establishments/{province.other_establishment.pk}/edit/",
            f"/members/{member.pk}/",
            f"/party-cells/{cell.pk}/",
        ]:
            assert reviewer_client.get(url).status_code in (403, 404), url
            assert reviewer_client.get(url).status_code != 200
        assert reviewer_client.get(f"/establishments/{province.other_establishment.pk}/").status_code == 404
        assert reviewer_client.get(f"/members/{member.pk}/").status_code == 404
        assert board_client.get(f"/members/{member.pk}/").status_code == 200

    def test_filtering_on_another_district_shows_nothing(self, reviewer_client, province):
        response = reviewer_client.get(f"/establishments/?district={province.other.pk}")
        assert list(response.context["table"].rows) == []
        export = reviewer_client.get(f"/establishments/?district={province.other.pk}&_export=csv")
        assert export.status_code == 400
        assert export["Content-Type"].startswith("text/html")
        assert province.other_establishment.name not in export.content.decode()

    def test_dashboard_counts_only_the_home_district_and_no_province_total(self, reviewer_client, province):
        EstablishmentFactory.create_batch(3, commune=province.other_commune)
        response = reviewer_client.get("/")
        rows = response.context["rows"]
        assert [row.unit.pk for row in rows] == [province.home.pk]
        assert rows[0].counts["total"] == 1
        assert response.context["total"] is None

    def test_autocomplete_is_scoped(self, reviewer_client, province):
        data = reviewer_client.get("/establishments/autocomplete/?q=ban").json()
        assert [item["id"] for item in data["results"]] == [province.home_establishment.pk]

    def test_admin_is_scoped(self, reviewer_user, province):
        from django.test import Client

        reviewer_user.is_staff = True
        reviewer_user.save()
        client = Client()
        client.force_login(reviewer_user)
        changelist = client.get("/admin/establishments/establishment/")
        assert changelist.status_code == 200
        assert list(changelist.context["cl"].result_list) == [province.home_establishment]
        other = client.get(f"/admin/establishments/establishment/{province.other_establishment.pk}/change/")
        assert other.status_code in (302, 404)
        assert "Bản Nà Điện" not in client.get("/admin/establishments/establishment/?q=dien").content.decode()


class TestForms:
    def test_board_creates_an_establishment_and_sees_it(self, board_client, province):
        data = {"commune": province.home_commune.pk, "kind": "village", "name": "Bản Mới", "code": "B99"}
        response = board_client.post("/establishments/new/", {**data, "opened_on": "2024-09-01"})
        est = Establishment.objects.get(code="B99")
        assert response.status_code == 302 and response["Location"] == f"/establishments/{est.pk}/"
        assert est.history.count() == 1 and est.opened_on == datetime.date(2024, 9, 1)

    def test_a_new_establishment_needs_its_opening_date_today_by_default(self, board_client, province):
        form = board_client.get("/establishments/new/").context["form"]
        assert form["opened_on"].value() == timezone.localdate()
        data = {"commune": province.home_commune.pk, "kind": "village", "name": "Bản Mới", "code": "B99"}
        response = board_client.post("/establishments/new/", data)
        assert response.status_code == 200 and "opened_on" in response.context["form"].errors
        assert not Establishment.objects.filter(code="B99").exists()

    @pytest.mark.parametrize("opened_on", ["1929-12-31", "2099-01-01"])
    def test_an_opening_date_before_1930_or_in_the_future_is_refused(self, board_client, province, opened_on):
        data = {"commune": province.home_commune.pk, "kind": "village", "name": "Bản Mới", "code": "B99"}
        response = board_client.post("/establishments/new/", {**data, "opened_on": opened_on})
        assert response.status_code == 200
        message = response.context["form"].errors["opened_on"][0]
        assert ("1930" in message) if opened_on.startswith("1929") else ("tương lai" in message)

    def test_an_invalid_form_keeps_what_was_typed(self, board_client, province):
        EstablishmentFactory(commune=province.home_commune, code="B01")
        response = board_client.post(
            "/establishments/new/",
            {
                "commune": province.home_commune.pk,
                "kind": "village",
                "name": "Bản Trùng Mã",
                "code": "B01",
                "opened_on": "2024-09-01",
            },
        )
        assert response.status_code == 200
        content = response.content.decode()
        assert 'value="Bản Trùng Mã"' in content
        assert "Mã này đã được dùng cho một cơ sở khác trong xã." in content

    def test_a_reviewer_cannot_create(self, reviewer_client, province):
        assert reviewer_client.get("/establishments/new/").status_code == 403

    def test_commune_staff_cannot_create_in_another_commune(self, commune_client, province):
        response = commune_client.post(
            "/establishments/new/",
            {"commune": province.other_commune.pk, "kind": "village", "name": "Bản X", "code": "B77"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["commune"]
        assert not Establishment.objects.filter(code="B77").exists()

    def test_a_cell_cannot_cover_another_communes_establishment(self, board_client, province):
        response = board_client.post(
            "/party-cells/new/",
            {
                "name": "Chi bộ ghép",
                "seat": province.home_establishment.pk,
                "establishments": [province.other_establishment.pk],
                "founded_on": "2010-01-01",
                "founding_method": "recruited",
            },
        )
        assert response.status_code == 200
        assert "Bản Nà Điện" in str(response.context["form"].errors["establishments"])
        assert not PartyCell.objects.exists()

    def test_a_cell_always_covers_its_seat(self, board_client, province):
        neighbour = EstablishmentFactory(commune=province.home_commune)
        board_client.post(
            "/party-cells/new/",
            {
                "name": "Chi bộ ghép",
                "seat": province.home_establishment.pk,
                "establishments": [neighbour.pk],
                "founded_on": "2010-01-01",
                "founding_method": "recruited",
            },
        )
        cell = PartyCell.objects.get()
        assert set(cell.establishments.all()) == {province.home_establishment, neighbour}

    def test_member_with_a_contradicting_citizen_id_is_refused(self, board_client, province):
        response = board_client.post(
            "/members/new/",
            {
                "full_name": "Lò Thị Hoa",
                "birth_date": "1990-04-02",
                "gender": "female",
                "ethnicity": "thai",
                "citizen_id": "014090000123",  # digit 4 = 0: a man
                "establishment": province.home_establishment.pk,
                "admitted_on": "2015-01-01",
            },
        )
        assert response.status_code == 200
        errors = " ".join(response.context["form"].errors["citizen_id"])
        assert "4" in errors
