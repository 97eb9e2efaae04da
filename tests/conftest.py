"""Per-role users and logged-in clients, on a small two-district province."""

from dataclasses import dataclass

import pytest
from django.apps import apps as django_apps
from django.test import Client

from establishments import structure
from establishments.models import UnitSuccession
from sonla_party import roles
from tests.factories import CommuneFactory, DistrictFactory, EstablishmentFactory, make_user


@dataclass
class Province:
    """Two districts (home = Mộc Châu 123, other = Sông Mã 126), one commune and establishment each."""

    home: object
    other: object
    home_commune: object
    other_commune: object
    home_establishment: object
    other_establishment: object


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """Background jobs run as they are queued (django-tasks' immediate backend), so a page test
    sees an import's preview right after its upload. The queue itself (database backend and its
    worker) is tested in tests/sonla_party/test_jobs*.py and the import's browser test."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def province(db):
    home = DistrictFactory(code="123", name="Mộc Châu")
    other = DistrictFactory(code="126", name="Sông Mã")
    home_commune = CommuneFactory(district=home, name="Chiềng Sơn")
    other_commune = CommuneFactory(district=other, name="Mường Hung")
    return Province(
        home=home,
        other=other,
        home_commune=home_commune,
        other_commune=other_commune,
        home_establishment=EstablishmentFactory(commune=home_commune, name="Bản Mường Sang"),
        other_establishment=EstablishmentFactory(commune=other_commune, name="Bản Nà Điện"),
    )


@pytest.fixture
def reference_structure(db):
    """The reference units and committees of the 2025 reform. The migrations load them, but a
    transactional test empties the database after itself: load them again if they are gone."""
    if not UnitSuccession.objects.exists():
        structure.load_units(django_apps)
        structure.load_party_structure(django_apps)


@pytest.fixture
def board_user(db):
    return make_user("board-test", roles.BOARD)


@pytest.fixture
def reviewer_user(province):
    return make_user("reviewer-test", roles.REVIEWER, district=province.home)


@pytest.fixture
def commune_user(province):
    return make_user("commune-test", roles.COMMUNE_STAFF, commune=province.home_commune)


@pytest.fixture
def superuser(db):
    return make_user("root-test", is_superuser=True, is_staff=True)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def board_client(board_user):
    return _client_for(board_user)


@pytest.fixture
def reviewer_client(reviewer_user):
    return _client_for(reviewer_user)


@pytest.fixture
def commune_client(commune_user):
    return _client_for(commune_user)


@pytest.fixture
def admin_client_(superuser):
    return _client_for(superuser)
