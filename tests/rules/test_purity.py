"""rules/ is pure Python: no Django import (docs/architecture.md, "The layers")."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DJANGO_IMPORT = re.compile(r"^\s*(import\s+django\b|from\s+django\b)", re.MULTILINE)


def test_importing_rules_loads_no_django_module():
    code = (
        "import sys, rules\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_running_a_check_loads_no_django_module():
    code = (
        "import sys, rules\n"
        "rules.check({'regime': 'kz_visa_free', 'on': '2026-03-01',\n"
        "             'stays': [{'entry': '2026-02-20', 'exit': None}]})\n"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_no_source_file_in_rules_imports_django():
    sources = sorted((ROOT / "rules").rglob("*.py"))
    assert sources
    offenders = [str(path) for path in sources if DJANGO_IMPORT.search(path.read_text())]
    assert offenders == []
