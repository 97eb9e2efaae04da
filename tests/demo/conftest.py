"""The demo data set, loaded once for this package and rolled back after its last test."""

import pytest
from django.db import transaction
from django.test import Client

from demo import loader as demo
from sonla_party.models import User


@pytest.fixture(scope="package")
def demo_data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(seed=2006, scale="default")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def board(demo_data, db):
    client = Client()
    client.force_login(User.objects.get(username="board"))
    return client
