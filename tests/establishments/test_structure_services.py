"""Dated moves instead of edits: merging villages, transferring a member's party activity, and a
new cell placed under its commune's committee."""

import datetime

import pytest

from establishments import services
from establishments.models import CellMembership, Establishment, PartyMember
from establishments.services import RegistryError
from tests.factories import EstablishmentFactory, PartyCellFactory, PartyMemberFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def facts(establishment, on):
    found = Establishment.objects.filter(pk=establishment.pk).existing_on(on).with_facts(on).first()
    return None if found is None else (found.has_party_members, found.has_party_cell)


class TestMergingVillages:
    @pytest.fixture
    def villages(self, province, board_user):
        commune = province.home_commune
        old_a = EstablishmentFactory(commune=commune, name="Bản Nà A", opened_on=D(1990, 1, 1))
        old_b = EstablishmentFactory(commune=commune, name="Bản Nà B", opened_on=D(1990, 1, 1))
        cell = PartyCellFactory(seat=old_a, founded_on=D(2010, 3, 1))
        member = PartyMemberFactory(establishment=old_a, party_cell=cell, admitted_on=D(2008, 5, 1))
        return old_a, old_b, cell, member

    def test_the_past_stays_and_the_successor_carries_members_and_cell(self, villages, board_user):
        old_a, old_b, _cell, member = villages
        merged_on = D(2023, 6, 1)
        new = services.merge_establishments(
            establishments=[old_a, old_b],
            into=Establishment(kind="village", name="Bản Nà Mới", code="BNM"),
            on=merged_on,
            by=board_user,
        )
        assert facts(old_a, D(2009, 1, 1)) == (True, False)  # a member, no cell yet
        assert facts(old_a, D(2015, 1, 1)) == (True, True)
        assert facts(old_b, D(2015, 1, 1)) == (False, False)
        assert facts(old_a, merged_on) is None and facts(old_b, merged_on) is None  # closed by the merger
        assert facts(new, merged_on) == (True, True)
        assert facts(new, D(2023, 5, 31)) is None  # it did not exist before
        member.refresh_from_db()
        assert member.establishment == new and member.establishment_since == merged_on
        assert [(p.establishment_id, p.until) for p in member.placements.all()] == [(old_a.pk, merged_on)]
        counts = Establishment.objects.filter(pk__in=[old_a.pk, old_b.pk, new.pk]).blank_counts_on(
            [D(2015, 1, 1), merged_on]
        )
        assert counts == [
            {"total": 2, "without_members": 1, "without_cell": 1},
            {"total": 1, "without_members": 0, "without_cell": 0},
        ]

    def test_only_establishments_of_one_commune_open_on_that_day(self, villages, board_user, province):
        old_a, _old_b, _cell, _member = villages
        stranger = EstablishmentFactory(commune=province.other_commune)
        with pytest.raises(RegistryError):
            services.merge_establishments(
                establishments=[old_a, stranger],
                into=Establishment(kind="village", name="X", code="X"),
                on=D(2023, 1, 1),
                by=board_user,
            )


class TestTransfers:
    def test_a_transfer_is_a_dated_move_and_the_past_cell_keeps_its_member(self, province, board_user):
        home = province.home_establishment
        first = PartyCellFactory(seat=home, founded_on=D(2000, 1, 1))
        second = PartyCellFactory(seat=EstablishmentFactory(commune=home.commune), founded_on=D(2000, 1, 1))
        member = PartyMemberFactory(establishment=home, party_cell=first, admitted_on=D(2005, 1, 1))
        services.transfer_member(member=member, to_cell=second, on=D(2020, 3, 1), by=board_user)
        member.refresh_from_db()
        assert member.party_cell == second
        assert CellMembership.objects.active_on(D(2019, 1, 1)).get(member=member).cell == first
        assert CellMembership.objects.active_on(D(2021, 1, 1)).get(member=member).cell == second
        with pytest.raises(RegistryError):
            services.transfer_member(member=member, to_cell=first, on=D(2019, 1, 1), by=board_user)

    def test_the_members_list_of_a_cell_on_a_date_follows_the_memberships(self, province, board_client, board_user):
        home = province.home_establishment
        first = PartyCellFactory(seat=home, founded_on=D(2000, 1, 1))
        second = PartyCellFactory(seat=EstablishmentFactory(commune=home.commune), founded_on=D(2000, 1, 1))
        member = PartyMemberFactory(establishment=home, party_cell=first, admitted_on=D(2005, 1, 1))
        services.transfer_member(member=member, to_cell=second, on=D(2020, 3, 1), by=board_user)

        def listed(cell, on):
            page = board_client.get(f"/members/?party_cell={cell.pk}&as_of={on}")
            return [row.record for row in page.context["table"].rows]

        assert listed(first, "2019-06-01") == [member] and listed(second, "2019-06-01") == []
        assert listed(first, "2021-06-01") == [] and listed(second, "2021-06-01") == [member]

    def test_the_transfer_page_refuses_with_a_form_error(self, province, board_client):
        member = PartyMemberFactory(establishment=province.home_establishment, admitted_on=D(2005, 1, 1))
        cell = PartyCellFactory(seat=province.home_establishment, founded_on=D(2010, 1, 1))
        response = board_client.post(f"/members/{member.pk}/transfer/", {"to_cell": cell.pk, "on": "2004-01-01"})
        assert response.status_code == 400 and response.context["transfer_form"].errors
        assert PartyMember.objects.get(pk=member.pk).party_cell is None
