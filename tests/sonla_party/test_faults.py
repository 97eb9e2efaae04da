"""While the database is away, pages say so (503) and the health probe tells the load balancer."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_a_lost_database_gives_a_503_with_retry_after(board_client):
    with mock.patch("sonla_party.dashboard.blank_rows", side_effect=OperationalError("server closed the connection")):
        response = board_client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "10"


def test_health_probe(client):
    assert client.get("/healthz").content == b"ok"
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        assert client.get("/healthz").status_code == 503


def test_a_missing_page_is_a_404_page_that_tells_why(board_client):
    response = board_client.get("/establishments/999999/")
    assert response.status_code == 404
