"""The API as tools written elsewhere see it: schemathesis, with every check, finds nothing.

schemathesis (pinned in pyproject.toml) reads the live schema and sends what it allows and
what it forbids to every operation, with a token of an organisation that has travellers,
trips and alerts; each answer must be one the schema declares, in the shape it declares, and
valid requests must be accepted. The number of cases is printed in the test run's output.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from tests import factories
from tests.trips.test_alert_views import make_alert

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).parents[1] / "schemathesis.toml"
# Enough to reach each operation's branches, few enough for every `make test`.
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def organisation_with_data(compliance, traveller, other_traveller):
    for number in range(3):
        factories.make_trip(traveller=traveller, entry=date(2026, 1, 5 + 10 * number), days=3)
        make_alert(traveller)
    factories.make_trip(traveller=other_traveller, entry=date(2026, 2, 1), days=5)
    return factories.make_api_token(created_by=compliance, name="schemathesis")[1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="one run suffices: on SQLite")
@pytest.mark.django_db(transaction=True)
@override_settings(STAYSITE_API_RATE_LIMIT=1_000_000)
def test_schemathesis_with_every_check_finds_no_failure(
    live_server, organisation_with_data, capsys, tmp_path
):
    command = [
        str(SCHEMATHESIS),
        f"--config-file={CONFIG}",
        "run",
        f"{live_server.url}/api/v1/openapi.json",
        "--checks=all",
        f"--max-examples={EXAMPLES_PER_OPERATION}",
        "--seed=27",
        "--workers=1",
        "--generation-database=none",
        "--no-color",
        f"--report-dir={tmp_path}",
        "--header",
        f"Authorization: Bearer {organisation_with_data}",
    ]

    run = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )

    cases = re.search(r"Test cases:\s*(.+)", run.stdout)
    with capsys.disabled():
        print(f"\nschemathesis --checks all: {cases.group(1) if cases else '?'}")
    assert run.returncode == 0, run.stdout[-20000:]
