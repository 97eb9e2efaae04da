"""`for_user` is the one place scope is decided: province, district, commune or nothing."""

import pytest
from django.contrib.auth.models import AnonymousUser

from establishments.models import Commune, District, Establishment, PartyMember
from sonla_party import roles
from sonla_party.scoping import ScopeLevel, scope_of
from tests.factories import EstablishmentFactory, PartyMemberFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(province):
    return (
        PartyMemberFactory(establishment=province.home_establishment),
        PartyMemberFactory(establishment=province.other_establishment),
    )


def test_board_sees_the_whole_province(board_user, province, members):
    assert scope_of(board_user).level == ScopeLevel.PROVINCE
    assert Establishment.objects.for_user(board_user).count() == 2
    assert PartyMember.objects.for_user(board_user).count() == 2


def test_reviewer_sees_their_district_only(reviewer_user, province, members):
    assert scope_of(reviewer_user).level == ScopeLevel.DISTRICT
    assert list(Establishment.objects.for_user(reviewer_user)) == [province.home_establishment]
    assert list(PartyMember.objects.for_user(reviewer_user)) == [members[0]]
    assert list(District.objects.for_user(reviewer_user)) == [province.home]
    assert list(Commune.objects.for_user(reviewer_user)) == [province.home_commune]


def test_commune_staff_see_their_commune_only(commune_user, province, members):
    EstablishmentFactory(commune__district=province.home)  # same district, another commune
    assert scope_of(commune_user).level == ScopeLevel.COMMUNE
    assert list(Establishment.objects.for_user(commune_user)) == [province.home_establishment]
    # a district-level row (the district itself) is visible to the commune's staff
    assert list(District.objects.for_user(commune_user)) == [province.home]


def test_a_user_without_scope_or_role_sees_nothing(province, members):
    nobody = make_user("nobody", roles.REVIEWER)
    assert scope_of(nobody).level == ScopeLevel.NONE
    assert not Establishment.objects.for_user(nobody).exists()


def test_anonymous_and_inactive_users_see_nothing(board_user, province, members):
    assert not PartyMember.objects.for_user(AnonymousUser()).exists()
    board_user.is_active = False
    board_user.save()
    board_user._scope_cache = None
    assert not PartyMember.objects.for_user(board_user).exists()


def test_superuser_sees_everything(superuser, province, members):
    assert PartyMember.objects.for_user(superuser).count() == 2


def test_role_groups_exist_with_their_permissions():
    from django.contrib.auth.models import Group

    board = Group.objects.get(name=roles.BOARD)
    reviewer = Group.objects.get(name=roles.REVIEWER)
    assert board.permissions.filter(codename="scope_province").exists()
    assert board.permissions.filter(codename="change_establishment").exists()
    assert not reviewer.permissions.filter(codename="change_establishment").exists()
    assert reviewer.permissions.filter(codename="view_partymember").exists()
