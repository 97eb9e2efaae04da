"""Backups: pg_dump / pg_restore on PostgreSQL, a consistent copy (SQLite's backup API) on SQLite.

`make backup` and `make restore FILE=…` call the management commands built on these functions.
"""

import datetime
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection


class BackupError(Exception):
    pass


def _pg_env(database: dict) -> dict:
    env = dict(os.environ)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    return env


def _pg_args(database: dict) -> list[str]:
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            args.append(f"{flag}={database[key]}")
    return args


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def backup(directory: Path | None = None) -> Path:
    """Write a backup of the default database; return its path."""
    directory = Path(directory or settings.BASE_DIR / "backups")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        path = directory / f"sonla-{stamp}.dump"
        command = [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={path}",
            *_pg_args(database),
            database["NAME"],
        ]
        result = subprocess.run(command, env=_pg_env(database), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(result.stderr.strip())
        return path
    path = directory / f"sonla-{stamp}.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)  # consistent even while the app writes
    finally:
        target.close()
    return path


def restore(path: Path, target_url: str | None = None) -> None:
    """Restore `path` into the default database, or into the database of `target_url`."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"{path} does not exist.")
    if path.suffix == ".dump":
        database = dict(connection.settings_dict)
        name = database["NAME"]
        if target_url:
            parsed = urlparse(target_url)
            name = parsed.path.lstrip("/")
            database.update(HOST=parsed.hostname, PORT=parsed.port, USER=parsed.username, PASSWORD=parsed.password)
        command = [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={name}",
            *_pg_args(database),
            str(path),
        ]
        result = subprocess.run(command, env=_pg_env(database), capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(result.stderr.strip())
        return
    target = target_url.removeprefix("sqlite:///") if target_url else connection.settings_dict["NAME"]
    source = sqlite3.connect(path)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()
