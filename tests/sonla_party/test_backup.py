"""A backup restored into a scratch database holds every row."""

import sqlite3
import uuid

import psycopg
import pytest
from django.db import connection

from sonla_party import backups
from tests.candidates.pipeline import advance, new_candidate


def table_counts(cursor, tables) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_scratch_database_with_every_row(board_user, province, tmp_path):
    candidate = new_candidate(board_user, province.home_establishment)
    advance(candidate, "admitted", board_user)  # rows in most tables, history included
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        expected = table_counts(cursor, tables)
    assert expected["candidates_stageevent"] == 7 and expected["establishments_partymember"] > 0

    path = backups.backup(tmp_path)
    assert path.exists() and path.stat().st_size > 0
    if connection.vendor == "postgresql":
        scratch = f"sonla_restore_{uuid.uuid4().hex[:8]}"
        settings = connection.settings_dict
        dsn = {
            "host": settings["HOST"] or None,
            "port": settings["PORT"] or None,
            "user": settings["USER"] or None,
            "password": settings["PASSWORD"] or None,
        }
        with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        try:
            url = (
                f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{scratch}"
            )
            backups.restore(path, url)
            with psycopg.connect(dbname=scratch, **dsn) as restored:
                found = table_counts(restored.cursor(), tables)
        finally:
            with psycopg.connect(dbname="postgres", autocommit=True, **dsn) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    else:
        scratch = tmp_path / "scratch.sqlite3"
        backups.restore(path, f"sqlite:///{scratch}")
        restored = sqlite3.connect(scratch)
        found = table_counts(restored.cursor(), tables)
        restored.close()
    assert found == expected


def test_restoring_a_missing_file_is_refused(tmp_path):
    with pytest.raises(backups.BackupError):
        backups.restore(tmp_path / "nothing.dump")
