"""While the database is away, pages say so (503) and the health probe tells the load balancer."""

import sqlite3
from unittest import mock

import psycopg
import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(board_user):
    """A client that gets the page the user sees, not the exception (as a real server does)."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(board_user)
    return client


def test_a_lost_database_gives_a_503_with_retry_after(signed_in):
    with mock.patch("reports.dashboard.blank_rows", side_effect=OperationalError("server closed the connection")):
        response = signed_in.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "10"


def test_health_probe(client):
    assert client.get("/healthz").content == b"ok"
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        assert client.get("/healthz").status_code == 503


def test_a_missing_page_is_a_404_page_that_tells_why(board_client):
    response = board_client.get("/establishments/999999/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "Trang này không tồn tại" in content or "This page does not exist" in content
    assert 'href="/"' in content  # the way back


def test_a_database_lost_before_the_view_also_gives_the_503(signed_in):
    # Loading the session is the first thing to touch the database: it fails in a middleware.
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load", side_effect=OperationalError("connection refused")
    ):
        response = signed_in.get("/establishments/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "cơ sở dữ liệu" in response.content.decode().lower()


def test_any_other_failure_before_the_view_is_the_500_page(signed_in):
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.load", side_effect=RuntimeError("bug")):
        response = signed_in.get("/establishments/")
    assert response.status_code == 500
    assert "Đã xảy ra lỗi hệ thống" in response.content.decode()


def _caused_by(cause) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "cause",
    [
        pytest.param(sqlite3.OperationalError("Expression tree is too large (maximum depth 1000)"), id="sqlite-query"),
        pytest.param(psycopg.errors.lookup("54001")("stack depth limit exceeded"), id="postgresql-limit"),
        pytest.param(psycopg.errors.lookup("57014")("canceling statement due to statement timeout"), id="timeout"),
    ],
)
def test_a_permanent_database_error_is_the_500_page_not_retry(signed_in, cause):
    with mock.patch("reports.dashboard.blank_rows", side_effect=_caused_by(cause)):
        assert signed_in.get("/").status_code == 500


@pytest.mark.parametrize(
    "cause",
    [
        pytest.param(sqlite3.OperationalError("database is locked"), id="sqlite-locked"),
        pytest.param(psycopg.errors.lookup("57P01")("terminating connection"), id="postgresql-shutdown"),
        pytest.param(psycopg.errors.lookup("08006")("connection failure"), id="postgresql-connection"),
        pytest.param(psycopg.OperationalError("connection failed: server closed"), id="postgresql-no-code"),
    ],
)
def test_a_lost_connection_is_the_503(signed_in, cause):
    with mock.patch("reports.dashboard.blank_rows", side_effect=_caused_by(cause)):
        assert signed_in.get("/").status_code == 503
