"""What the Django benchmarks do first: staysite's settings on a throwaway SQLite file in a
temporary directory, or on DATABASE_URL when given (the benchmark removes its rows)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup() -> tempfile.TemporaryDirectory:
    """Configure Django; the returned directory holds the SQLite file (`cleanup()` at the end)."""
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.TemporaryDirectory(prefix="staysite-bench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "staysite.settings")
    os.environ["DJANGO_DEBUG"] = "true"

    import django

    django.setup()
    return workdir
