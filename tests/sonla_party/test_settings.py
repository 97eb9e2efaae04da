"""Settings read the environment; production refuses to start without a real SECRET_KEY."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_debug_off_without_secret_key_refuses_to_start_with_one_clear_line():
    result = run_manage("check", DEBUG="0")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "SECRET_KEY" in lines[0]


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="k" * 20 + "Xy9#-_ab" * 5,
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr


def test_localisation_defaults():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_load_demo_refuses_to_run_with_debug_off_unless_forced():
    result = run_manage("load_demo", DEBUG="0", SECRET_KEY="k" * 20 + "Xy9#-_ab" * 5, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "DEBUG is off" in result.stderr and "--force" in result.stderr


def database_options(**env) -> str:
    """The PostgreSQL connection's OPTIONS the settings make (nothing connects)."""
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    result = run_manage("shell", "-c", code, DATABASE_URL="postgres://app@127.0.0.1:5432/none", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_postgres_connections_ask_for_no_jit_unless_left_to_the_server():
    assert "-c jit=off" in database_options(DB_JIT="")  # unset: the default, whatever this shell has
    assert "-c jit=off" in database_options(DB_JIT="off")
    assert "jit" not in database_options(DB_JIT="server")


def test_an_unknown_jit_choice_refuses_to_start_with_one_clear_line():
    result = run_manage("check", DB_JIT="maybe", DATABASE_URL="postgres://app@127.0.0.1:5432/none")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DB_JIT" in lines[0], result.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
@pytest.mark.django_db
def test_the_app_s_postgres_connection_runs_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
