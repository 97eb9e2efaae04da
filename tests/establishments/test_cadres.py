"""Responsible cadres: assignments' rules in the database and the forms, hand-over, coverage, scope."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from establishments import services
from establishments.models import Assignment, Establishment
from tests.factories import (
    AssignmentFactory,
    CadreFactory,
    EstablishmentFactory,
    PartyCellFactory,
    PartyMemberFactory,
)
from tests.helpers import column, count_queries, csv_rows

D = datetime.date
pytestmark = pytest.mark.django_db


class TestDatabaseRefuses:
    def test_a_second_open_assignment_of_a_cadre_to_the_same_place(self):
        first = AssignmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.create(
                cadre=first.cadre, establishment=first.establishment, role="other", starts_on=D(2012, 1, 1)
            )

    def test_an_end_before_the_start(self):
        assignment = AssignmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.filter(pk=assignment.pk).update(ends_on=D(2009, 12, 31))

    def test_both_or_no_place(self):
        assignment = AssignmentFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Assignment.objects.filter(pk=assignment.pk).update(commune=assignment.establishment.commune)

    def test_a_closed_and_a_new_one_to_the_same_place_are_fine(self):
        first = AssignmentFactory(ends_on=D(2011, 1, 1))
        Assignment.objects.create(
            cadre=first.cadre, establishment=first.establishment, role="other", starts_on=D(2012, 1, 1)
        )
        assert Assignment.objects.count() == 2


def assignment_form(cadre, establishment, starts_on, ends_on=""):
    return {
        "cadre": cadre.pk,
        "establishment": establishment.pk,
        "role": "follows_establishment",
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


class TestFormRefuses:
    def test_an_overlapping_duplicate_with_a_clear_message(self, board_client, province):
        cadre = CadreFactory(district=province.home)
        AssignmentFactory(cadre=cadre, establishment=province.home_establishment, ends_on=D(2015, 1, 1))
        response = board_client.post(
            "/cadres/assignments/new/", assignment_form(cadre, province.home_establishment, "2014-06-01", "2016-01-01")
        )
        assert response.status_code == 200
        assert "2010" in str(response.context["form"].errors)  # names the clashing assignment's dates
        assert Assignment.objects.count() == 1

    def test_a_second_open_one(self, board_client, province):
        cadre = CadreFactory(district=province.home)
        AssignmentFactory(cadre=cadre, establishment=province.home_establishment)
        response = board_client.post(
            "/cadres/assignments/new/", assignment_form(cadre, province.home_establishment, "2020-01-01")
        )
        assert response.status_code == 200 and response.context["form"].errors
        assert Assignment.objects.count() == 1

    def test_an_end_before_the_start_with_a_clear_message(self, board_client, province):
        cadre = CadreFactory(district=province.home)
        response = board_client.post(
            "/cadres/assignments/new/", assignment_form(cadre, province.home_establishment, "2020-01-01", "2019-01-01")
        )
        assert response.status_code == 200
        assert "trước ngày bắt đầu" in str(response.context["form"].errors) or "before it starts" in str(
            response.context["form"].errors
        )
        assert not Assignment.objects.exists()

    def test_a_place_in_another_district(self, board_client, province):
        cadre = CadreFactory(district=province.home)
        response = board_client.post(
            "/cadres/assignments/new/", assignment_form(cadre, province.other_establishment, "2020-01-01")
        )
        assert response.status_code == 200 and response.context["form"].errors["establishment"]

    def test_the_admin_obeys_the_same_rules(self, superuser, province):
        from django.test import Client

        client = Client()
        client.force_login(superuser)
        cadre = CadreFactory(district=province.home)
        AssignmentFactory(cadre=cadre, establishment=province.home_establishment, ends_on=D(2015, 1, 1))
        response = client.post(
            "/admin/establishments/assignment/add/",
            {**assignment_form(cadre, province.home_establishment, "2014-06-01", "2016-01-01"), "note": ""},
        )
        assert response.status_code == 200
        assert Assignment.objects.count() == 1


class TestHandOver:
    def test_every_open_assignment_moves_and_the_old_ones_stay_ended(self, board_client, province):
        old = CadreFactory(district=province.home)
        new = CadreFactory(district=province.home)
        places = [province.home_establishment, EstablishmentFactory(commune=province.home_commune)]
        for place in places:
            AssignmentFactory(cadre=old, establishment=place)
        AssignmentFactory(cadre=old, establishment=None, commune=province.home_commune, role="deputy_secretary")
        AssignmentFactory(
            cadre=old, establishment=EstablishmentFactory(commune=province.home_commune), ends_on=D(2012, 1, 1)
        )  # already ended: stays as it is
        response = board_client.post(f"/cadres/{old.pk}/hand-over/", {"to_cadre": new.pk, "on": "2024-07-01"})
        assert response.status_code == 302
        assert not old.assignments.filter(ends_on__isnull=True).exists()
        assert old.assignments.filter(ends_on=D(2024, 7, 1)).count() == 3
        assert old.assignments.filter(ends_on=D(2012, 1, 1)).count() == 1
        taken = new.assignments.filter(ends_on__isnull=True, starts_on=D(2024, 7, 1))
        assert {a.place for a in taken} == {*places, province.home_commune}
        assert {a.role for a in taken} == {"follows_establishment", "deputy_secretary"}

    def test_a_refused_hand_over_changes_nothing(self, board_user, province):
        old = CadreFactory(district=province.home)
        new = CadreFactory(district=province.home)
        AssignmentFactory(cadre=old, establishment=province.home_establishment)
        second = EstablishmentFactory(commune=province.home_commune)
        AssignmentFactory(cadre=old, establishment=second)
        AssignmentFactory(cadre=new, establishment=second)  # the new cadre already follows it
        with pytest.raises(services.RegistryError):
            services.hand_over(from_cadre=old, to_cadre=new, on=D(2024, 7, 1), by=board_user)
        assert old.assignments.filter(ends_on__isnull=True).count() == 2

    def test_history_records_the_ending(self, board_user, province):
        old = CadreFactory(district=province.home)
        new = CadreFactory(district=province.home)
        assignment = AssignmentFactory(cadre=old, establishment=province.home_establishment)
        services.hand_over(from_cadre=old, to_cadre=new, on=D(2024, 7, 1), by=board_user)
        last = assignment.history.first()
        assert last.ends_on == D(2024, 7, 1) and last.history_user == board_user


class TestCoverage:
    def test_filter_and_column_of_responsible_cadres(self, board_client, province):
        followed = province.home_establishment
        nobody = EstablishmentFactory(commune=province.home_commune, name="Bản Không Ai")
        cadre = CadreFactory(district=province.home, full_name="Thào A Sử")
        AssignmentFactory(cadre=cadre, establishment=followed, starts_on=D(2010, 1, 1), ends_on=D(2030, 1, 1))
        url = f"/establishments/?district={province.home.pk}&has_cadre=true&as_of=2015-01-01"
        assert [r.record for r in board_client.get(url).context["table"].rows] == [followed]
        url = f"/establishments/?district={province.home.pk}&has_cadre=false&as_of=2015-01-01"
        assert [r.record for r in board_client.get(url).context["table"].rows] == [nobody]
        assert (
            not board_client.get(f"/establishments/?district={province.home.pk}&has_cadre=true&as_of=2009-12-31")
            .context["table"]
            .rows
        )
        rows = csv_rows(board_client.get(f"/establishments/?district={province.home.pk}&_export=csv"))
        cadres_today = dict(zip(column(rows, "Tên"), column(rows, rows[0][-1]), strict=True))
        assert cadres_today == {followed.name: "Thào A Sử", nobody.name: ""}

    def test_a_commune_assignment_covers_its_establishments(self, board_client, province):
        AssignmentFactory(
            cadre=CadreFactory(district=province.home),
            establishment=None,
            commune=province.home_commune,
            role="deputy_secretary",
        )
        page = board_client.get(f"/establishments/?district={province.home.pk}&has_cadre=false")
        assert list(page.context["table"].rows) == []

    def test_dashboard_counts_blank_establishments_without_a_cadre(self, board_client, province):
        blank = province.home_establishment  # no member, no cell
        covered_blank = EstablishmentFactory(commune=province.home_commune)
        AssignmentFactory(cadre=CadreFactory(district=province.home), establishment=covered_blank)
        full = EstablishmentFactory(commune=province.home_commune)
        PartyCellFactory(seat=full)
        PartyMemberFactory(establishment=full)
        row = next(r for r in board_client.get("/?as_of=2020-01-01").context["rows"] if r.unit.pk == province.home.pk)
        assert row.counts["blank_without_cadre"] == 1
        listed = board_client.get(row.blank_without_cadre_url)
        assert [r.record for r in listed.context["table"].rows] == [blank]


class TestListsAndScope:
    QUERY_CAPS = {
        "/cadres/": 10,
        "/cadres/assignments/": 10,
        "/establishments/": 13,
    }  # with the commune select's unit map

    @pytest.mark.parametrize("url", ["/cadres/", "/cadres/assignments/", "/establishments/"])
    def test_constant_queries(self, board_client, province, url):
        def add(n):
            for _ in range(n):
                cadre = CadreFactory(district=province.home)
                AssignmentFactory(
                    cadre=cadre,
                    establishment=EstablishmentFactory(commune=province.home_commune),
                    starts_on=D(2010, 1, 1),
                )

        add(2)
        at_two = count_queries(board_client, url, cap=self.QUERY_CAPS[url])
        add(18)
        assert count_queries(board_client, url, cap=self.QUERY_CAPS[url]) == at_two

    def test_other_district_cadres_are_invisible(self, reviewer_client, province):
        theirs = CadreFactory(district=province.other, full_name="Cán bộ Sông Mã")
        assignment = AssignmentFactory(cadre=theirs, establishment=province.other_establishment)
        mine = CadreFactory(district=province.home, full_name="Cán bộ Mộc Châu")
        assert [r.record for r in reviewer_client.get("/cadres/").context["table"].rows] == [mine]
        assert list(reviewer_client.get("/cadres/assignments/").context["table"].rows) == []
        for url in (f"/cadres/{theirs.pk}/", f"/cadres/assignments/{assignment.pk}/", f"/cadres/{theirs.pk}/edit/"):
            assert reviewer_client.get(url).status_code in (403, 404), url
        assert reviewer_client.get(f"/cadres/{theirs.pk}/").status_code == 404
        assert reviewer_client.get("/cadres/autocomplete/?q=song").json()["results"] == []
        assert "Sông Mã" not in reviewer_client.get("/cadres/?_export=csv").getvalue().decode()

    def test_filters(self, board_client, province):
        idle = CadreFactory(district=province.home, force="police")
        busy = CadreFactory(district=province.home, force="military")
        AssignmentFactory(cadre=busy, establishment=province.home_establishment)
        rows = lambda q: [r.record for r in board_client.get(f"/cadres/?{q}").context["table"].rows]  # noqa: E731
        assert rows("has_open_assignment=true") == [busy]
        assert rows("has_open_assignment=false") == [idle]
        assert rows("force=police") == [idle]
        assignments = board_client.get("/cadres/assignments/?open_on=2009-01-01").context["table"].rows
        assert list(assignments) == []
        assert board_client.get("/cadres/assignments/?open_on=bad").context["filter"].form.errors
        assert Establishment.objects.count() == 2
