"""Whole-database backups and restores, with each database's own tool.

SQLite: its online backup API (`sqlite3.Connection.backup`) copies the database page by page
into a file that is itself a SQLite database, consistent even while staysite writes. Restoring
copies such a file back over the live database the same way.
PostgreSQL: `pg_dump --format=custom` takes a consistent snapshot (data, sequences, constraints,
extensions) and `pg_restore --clean --single-transaction` puts it back whole or not at all.

Both keep every table: travellers, trips and their history, alerts and their events, users,
sessions and the task queue. (Django's dumpdata/loaddata would go through the models, one row
at a time, and keep no sequences; these tools copy what the database holds.)
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """A backup or restore that could not be made; the message says why."""


def backup(path: Path) -> None:
    """Write the whole database to `path`."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
    elif connection.vendor == "postgresql":
        _run("pg_dump", "--format=custom", "--no-owner", f"--file={path}")
    else:
        raise BackupError(f"No backup for the {connection.vendor} database.")


def restore(path: Path) -> None:
    """Replace the whole database with the backup at `path`."""
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    if connection.vendor == "sqlite":
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            _check_sqlite(source, path)
            connection.ensure_connection()
            source.backup(connection.connection)
        source.close()
    elif connection.vendor == "postgresql":
        try:
            _run("pg_restore", "--list", str(path))  # reads the file only
        except BackupError:
            raise BackupError(f"{path} is not a staysite backup.") from None
        # Our own open connection would hold locks that --clean must take.
        connection.close()
        _run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(path),
        )
    else:
        raise BackupError(f"No restore for the {connection.vendor} database.")


def _check_sqlite(source: sqlite3.Connection, path: Path) -> None:
    try:
        ok = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        has_tables = source.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'django_migrations'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a staysite backup: {error}.") from None
    if not (ok and has_tables):
        raise BackupError(f"{path} is not a staysite backup.")


def _run(tool: str, *arguments: str) -> None:
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} was not found: install PostgreSQL's client tools.")
    settings = connection.settings_dict
    env = os.environ | {
        "PGHOST": settings["HOST"] or "",
        "PGPORT": str(settings["PORT"] or ""),
        "PGUSER": settings["USER"] or "",
        "PGPASSWORD": settings["PASSWORD"] or "",
        "PGDATABASE": settings["NAME"],
    }
    result = subprocess.run(
        [program, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()}")
