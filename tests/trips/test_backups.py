"""Data safety: a backup restores every row, and the migrations run back and forth on real data.

Each test works on a copy database of its own (a SQLite file, or a new PostgreSQL database on
the server the suite runs against) through `manage.py`, as an operator would, so that taking
tables away and back never touches the suite's own test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from trips.models import Traveller

ROOT = Path(__file__).resolve().parents[2]
DEMO_DAY = "2026-03-01"

# Runs in `manage.py shell` against the copy database: the steps of one test, each a
# management command as an operator would type it, and every row of every table in between.
SCRIPT = """
import json, sys
from django.core.management import call_command
from django.db import connection

def every_row():
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f'SELECT * FROM "{table}"')
            tables[table] = sorted(json.dumps(row, default=str) for row in cursor.fetchall())
    return tables

snapshots = []
for step in json.loads(STEPS):
    if step == ["rows"]:
        snapshots.append(every_row())
    else:
        call_command(*step, verbosity=0)
print(json.dumps(snapshots))
"""


@pytest.fixture
def copy_database(tmp_path) -> str:
    """The DATABASE_URL of an empty database for one test; dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'copy.sqlite3'}"
        return
    params = connection.get_connection_params()
    name = f"staysite_copy_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        host=params["host"],
        port=params["port"],
        user=params["user"],
        dbname=params["dbname"],
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{params['user']}@{params['host']}:{params['port']}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run_steps(database_url: str, *steps: list[str]) -> list[dict[str, list[str]]]:
    """Run management commands in the copy database; ["rows"] takes every row at that point."""
    env = os.environ | {"DATABASE_URL": database_url, "DJANGO_DEBUG": "true"}
    code = f"STEPS = {json.dumps(json.dumps(steps))}\n{SCRIPT}"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


DEMO = [["migrate"], ["load_demo", "--on", DEMO_DAY], ["refresh_alerts", "--on", DEMO_DAY]]


def test_a_restored_backup_gives_back_every_row_history_included(copy_database, tmp_path):
    backup = str(tmp_path / "staysite.backup")

    before, changed, after = run_steps(
        copy_database,
        *DEMO,
        ["rows"],
        ["backup", backup],
        ["load_demo", "--reset", "--on", "2026-04-15"],
        ["rows"],
        ["restore", "--yes", backup],
        ["rows"],
    )

    assert before["trips_historicaltrip"] and before["trips_alertevent"], "history to keep"
    assert changed != before
    assert after == before


@pytest.mark.django_db
def test_a_restore_needs_confirming_and_refuses_a_file_that_is_no_backup(tmp_path, traveller):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("shopping list\n" * 100)

    with pytest.raises(CommandError, match="add --yes"):
        call_command("restore", str(not_a_backup))
    with pytest.raises(CommandError, match="not a staysite backup"):
        call_command("restore", "--yes", str(not_a_backup))
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", "--yes", str(tmp_path / "missing.backup"))

    assert Traveller.objects.filter(pk=traveller.pk).exists()


def test_a_backup_never_overwrites_an_existing_file(tmp_path):
    existing = tmp_path / "keep.me"
    existing.write_text("precious")

    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(existing))

    assert existing.read_text() == "precious"


def test_the_migrations_run_backward_and_forward_on_the_demo(copy_database):
    # Tables the first migration made keep their rows when later ones are taken back.
    kept = ["trips_organisation", "trips_traveller", "trips_visa", "trips_historicaltrip"]

    demo, stepped_back, from_zero = run_steps(
        copy_database,
        *DEMO,
        ["rows"],
        ["migrate", "trips", "0001"],
        ["migrate"],
        ["rows"],
        ["migrate", "trips", "zero"],
        ["migrate"],
        ["load_demo", "--on", DEMO_DAY],
        ["makemigrations", "--check", "--dry-run"],
        ["rows"],
    )

    assert {t: stepped_back[t] for t in kept} == {t: demo[t] for t in kept}
    assert len(stepped_back["trips_trip"]) == len(demo["trips_trip"])
    assert not stepped_back["trips_alert"], "the alerts' tables came back empty"
    assert len(from_zero["trips_traveller"]) == len(demo["trips_traveller"])
