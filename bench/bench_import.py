"""Speed of a 10,000-row trip import: the preview, the confirmation, and the revert.

Run from the repository root: `.venv/bin/python bench/bench_import.py` (or `make bench`). Uses
DATABASE_URL when given (its rows are removed afterwards; the goal is stated for PostgreSQL:
`scripts/with-postgres .venv/bin/python bench/bench_import.py`), else a throwaway SQLite file.
Makes 1,000 travellers with one saved trip each and a CSV file of 10,000 new trips (10 per
traveller) as Excel writes one on German Windows: Windows-1252, semicolons, German headers
and a title row above them. Uploads it through the test client, confirms it, then reverts
the batch of 10,000 trips. Prints the seconds of each step and the number of queries.
Timings only, no assertions.
"""

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TRAVELLERS = 1_000
TRIPS_EACH = 10

workdir = tempfile.TemporaryDirectory(prefix="staysite-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staysite.settings")
os.environ["DJANGO_DEBUG"] = "true"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from trips.models import ImportPreview, Organisation, Traveller, Trip, User  # noqa: E402


def populate() -> tuple[Organisation, User, bytes]:
    stamp = time.time_ns()
    organisation = Organisation.objects.create(name=f"Bench import {stamp}")
    user = User.objects.create(
        username=f"bench-import-{stamp}", organisation=organisation, role=User.Role.HR
    )
    travellers = Traveller.objects.bulk_create(
        Traveller(
            organisation=organisation,
            name=f"Traveller {i:05d}",
            email=f"import{i}@example.com",
            employee_number=f"I{i:05d}",
            citizenship="DE",
        )
        for i in range(TRAVELLERS)
    )
    first = date(2024, 1, 1)
    Trip.objects.bulk_create(
        Trip(traveller=t, country="KZ", entry=first, exit=first + timedelta(days=4))
        for t in travellers
    )
    lines = [
        "Dienstreisen Kasachstan 2026 – Stand 01.12.;;;;;;;",
        "Personalnummer;E-Mail;Land;Einreise;Ausreise;Zweck;Gastgeber;Adresse",
    ]
    for i in range(TRAVELLERS):
        for n in range(TRIPS_EACH):
            entry = first + timedelta(days=30 * (n + 1))
            country = "KZ" if n % 2 else "DE"
            lines.append(
                f"I{i:05d};;{country};{entry:%d.%m.%Y};{entry + timedelta(days=6):%d.%m.%Y};"
                f"Geschäftstermin;Schröder GmbH;Abay Ave {n}"
            )
    return organisation, user, ("\r\n".join(lines) + "\r\n").encode("cp1252")


def timed(label: str, call):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - start
    print(f"{label}: {seconds:.2f} s, {len(queries)} queries, HTTP {response.status_code}")
    return response


def main() -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STAYSITE_IMPORT_MAX_BYTES = 4 * 1024 * 1024
    call_command("migrate", verbosity=0)
    organisation, user, content = populate()
    rows = TRAVELLERS * TRIPS_EACH
    print(f"{rows} rows, {len(content) / 1024:.0f} KiB CSV (Windows-1252), {connection.vendor}")
    try:
        client = Client()
        client.force_login(user)
        upload = SimpleUploadedFile("bench.csv", content, content_type="text/csv")
        timed(
            f"preview of {rows} rows",
            lambda: client.post(reverse("trips:trip_import"), {"file": upload}),
        )
        preview = ImportPreview.objects.get(user=user)
        new = sum(1 for row in preview.rows if row["outcome"] == "new")
        how = f"{preview.reading['encoding']}, {preview.reading['delimiter']}s"
        print(f"  {new} new, {len(preview.changes)} status changes; read as {how}")
        url = reverse("trips:import_confirm", args=[preview.token])
        timed(f"confirmation of {new} trips", lambda: client.post(url))
        saved = Trip.objects.filter(traveller__organisation=organisation).count() - TRAVELLERS
        print(f"  {saved} trips saved")
        revert = reverse("trips:import_revert", args=[preview.token])
        timed(f"revert of the batch of {saved} trips", lambda: client.post(revert))
        left = Trip.objects.filter(traveller__organisation=organisation).count() - TRAVELLERS
        print(f"  {left} imported trips left")
    finally:
        ImportPreview.objects.filter(user=user).delete()
        travellers = Traveller.objects.filter(organisation=organisation)
        Trip.history.filter(traveller_id__in=travellers.values("pk")).delete()
        travellers.delete()
        user.delete()
        organisation.delete()
        workdir.cleanup()


if __name__ == "__main__":
    main()
