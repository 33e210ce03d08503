# staysite: `make run` to try it, `make test` to check everything. `make help` lists the rest.
#
# Everything runs from .venv, made with Python 3.12 or newer (scripts/find-python; pass
# PYTHON=/path/to/python3.12 to choose). Tools the tests need and the machine lacks
# (Chromium, gettext) are installed with apt-get.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
# Each recipe is one bash script, so variables and `if` span lines.
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# pytest's cache is of no use in a fresh clone and only writes files.
PYTEST := $(PY) -m pytest -p no:cacheprovider
# make test-db runs the suite on this many pytest-xdist workers, each with a test database of
# its own (test_staysite_gw0, ...); measured on two cores (docs/performance.md). 0 runs it in
# one process. Modules with a costly fixture stay on one worker each (xdist_group); the
# browser tests, whose live server shares the test database, run after them in one process.
PYTEST_WORKERS ?= 2
CHROMIUM := /usr/bin/chromium

# The variables a production deployment sets (README.md), for the checks that prove
# production settings work. tests/test_project.py uses the same.
PRODUCTION_ENV = DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	DJANGO_ALLOWED_HOSTS=staysite.example.com

.PHONY: help run serve test test-db soak lint format check-deploy collectstatic-check bench \
	bench-large bench-http messages catalogues clean

help:
	@echo "make run           serve the demo on http://$(HOST):$(PORT) with its worker (Ctrl-C stops both)"
	@echo "make test          ruff, checks, the whole suite on SQLite and on PostgreSQL"
	@echo "make soak          the stable_until property tests with many more histories, both databases"
	@echo "make serve         production-like: DEBUG off, collectstatic, gunicorn"
	@echo "make lint          ruff check, ruff format --check, mypy"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make check-deploy  manage.py check --deploy with production variables"
	@echo "make bench         the engine, and bench_scale at 10,000 travellers on SQLite and PostgreSQL"
	@echo "make bench-large   bench_scale at 100,000 travellers on PostgreSQL"
	@echo "make bench-http    requests/s of the dashboard fragment under gunicorn, 2 and 8 clients"
	@echo "make catalogues    refresh locale/*/django.po from the source (then translate)"
	@echo "make clean         remove .venv, var/ and caches"

# The virtual environment, re-installed when pyproject.toml changes.
$(PY):
	@python=$$(PYTHON="$(PYTHON)" scripts/find-python)
	echo "Creating $(VENV) with $$python"
	"$$python" -m venv $(VENV)

# pip's warnings about package index locations that do not exist on this machine are noise.
$(VENV)/.installed: pyproject.toml | $(PY)
	@echo "Installing staysite and its dependencies into $(VENV)"
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]" 2>&1 |
		{ grep -v "is ignored: it is neither a file nor a directory" || true; }
	touch $@

var:
	mkdir -p var

# The browser tests drive Debian's Chromium; Playwright never downloads one.
$(CHROMIUM):
	scripts/apt-install chromium

# Translations: the compiled .mo files are committed (running staysite needs no gettext)
# and rebuilt here, so that they never lag behind the .po files.
messages: $(VENV)/.installed
	@if [[ -d locale ]]; then
		command -v msgfmt >/dev/null || scripts/apt-install gettext
		$(MANAGE) compilemessages --ignore "$(VENV)" --ignore var --verbosity 0
	fi

# Every language's catalogue from the source: new strings arrive untranslated (the i18n test
# names them), vanished ones are dropped. Translate, then `make messages`.
catalogues: $(VENV)/.installed
	@command -v msgmerge >/dev/null || scripts/apt-install gettext
	$(MANAGE) makemessages --all --no-obsolete --ignore "$(VENV)" --ignore var \
		--ignore "*.egg-info" --verbosity 0

# The worker (alert emails, the daily run just after midnight) runs beside the web server;
# Ctrl-C stops both. Background jobs of a script ignore SIGINT, hence the trap.
run: $(VENV)/.installed messages | var
	@$(MANAGE) migrate --verbosity 0
	$(MANAGE) createcachetable
	$(MANAGE) load_demo
	echo
	echo "staysite is at http://$(HOST):$(PORT)/ (development settings), with its worker."
	echo "Demo logins, password staysite-demo: hr, compliance, traveller."
	echo
	$(MANAGE) db_worker &
	worker=$$!
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null || true' EXIT
	$(MANAGE) runserver $(HOST):$(PORT)

# Production settings on plain local HTTP: no HTTPS redirect, cookies not marked secure
# (a browser would not send them back over http), a secret key kept in var/.
serve: $(VENV)/.installed messages | var
	@[[ -s var/secret-key ]] || (umask 077 && $(PY) -c \
		'import secrets; print(secrets.token_urlsafe(64))' >var/secret-key)
	export DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
		DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false \
		STAYSITE_BASE_URL="$${STAYSITE_BASE_URL:-http://$(HOST):$(PORT)}"
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat var/secret-key)}"
	$(MANAGE) migrate --verbosity 0
	$(MANAGE) createcachetable
	$(MANAGE) collectstatic --noinput --verbosity 0
	echo
	echo "staysite is at http://$(HOST):$(PORT)/ (production settings, gunicorn)."
	echo "Demo logins are refused here; create a user with: $(MANAGE) createsuperuser"
	echo
	exec $(VENV)/bin/gunicorn staysite.wsgi --bind $(HOST):$(PORT) --workers 2 \
		--access-logfile - --logger-class staysite.access_log.MaskingLogger

# mypy: strict on the engine; the app and the settings at the level pyproject.toml writes down.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict rules
	$(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: $(VENV)/.installed
	$(PRODUCTION_ENV) $(MANAGE) check --deploy --fail-level WARNING

# With manifest storage, a missing file referenced from CSS fails here, not in production.
# Collected into a temporary STATIC_ROOT, so that nothing stale stays in var/static.
collectstatic-check: $(VENV)/.installed
	@tmp=$$(mktemp -d)
	trap 'rm -rf "$$tmp"' EXIT
	printf 'from staysite.settings import *  # noqa\nSTATIC_ROOT = "%s/static"\n' "$$tmp" \
		>"$$tmp/collectstatic_settings.py"
	$(PRODUCTION_ENV) $(MANAGE) collectstatic --noinput --verbosity 0 \
		--settings collectstatic_settings --pythonpath "$$tmp"
	echo "collectstatic with production settings: $$(find "$$tmp/static" -type f | wc -l) files"

# The checks that depend on the database, then the whole suite, on the DATABASE_URL given
# (SQLite under var/ by default). `make test` runs this on SQLite and on PostgreSQL.
test-db: $(VENV)/.installed messages | var
	$(MANAGE) makemigrations --check --dry-run --verbosity 1
	$(PYTEST) --numprocesses $(PYTEST_WORKERS) --dist loadgroup -m "not browser"
	$(PYTEST) -m browser

# The last line printed is pytest's summary on PostgreSQL: scripts/with-postgres tears its
# cluster down silently. pytest's exit status 5 (no test collected) fails too. A throwaway
# redis-server (scripts/with-redis) runs beside each, for the tests of the Redis paths.
test: $(VENV)/.installed $(CHROMIUM) messages | var
	@echo "== ruff and mypy"
	$(MAKE) lint
	echo "== manage.py check"
	$(MANAGE) check
	echo "== manage.py check --deploy, production settings"
	$(MAKE) check-deploy
	echo "== collectstatic, production settings"
	$(MAKE) collectstatic-check
	echo "== SQLite"
	scripts/with-redis $(MAKE) test-db
	echo "== PostgreSQL"
	scripts/with-postgres scripts/with-redis $(MAKE) test-db

# The property tests that hold `stable_until` to the day-by-day truth (docs/performance.md),
# with SOAK_EXAMPLES histories for the engine and a fifth as many travellers for the app
# (`make test` runs 25 and 5); each prints how many histories and days it checked.
SOAK_EXAMPLES ?= 500
SOAK_TESTS := tests/rules/test_stability.py tests/trips/test_stability.py tests/trips/test_incremental.py

soak: $(VENV)/.installed messages | var
	@echo "== soak, SQLite (load: $$(cut -d' ' -f1-3 /proc/loadavg))"
	STAYSITE_STABILITY_EXAMPLES=$(SOAK_EXAMPLES) $(PYTEST) -q $(SOAK_TESTS)
	echo "== soak, PostgreSQL (load: $$(cut -d' ' -f1-3 /proc/loadavg))"
	STAYSITE_STABILITY_EXAMPLES=$(SOAK_EXAMPLES) scripts/with-postgres \
		$(PYTEST) -q tests/trips/test_stability.py tests/trips/test_incremental.py

# The scale benchmark (docs/performance.md): manage.py bench_scale on a database of its own,
# SQLite under var/ (kept, so the next run reuses its data) and a throwaway PostgreSQL cluster.
BENCH_TRAVELLERS ?= 10000
BENCH_RUNS ?= 5
BENCH_LARGE_TRAVELLERS ?= 100000
BENCH_LARGE_RUNS ?= 1
# On PostgreSQL the daily run is shared by this many workers, one per core of a two-core
# server (STAYSITE_REFRESH_HELPERS, README.md); SQLite writes one transaction at a time.
BENCH_WORKERS ?= 2
BENCH_SCALE = $(MANAGE) migrate --verbosity 0 && $(MANAGE) bench_scale

bench: $(VENV)/.installed | var
	@shopt -s nullglob
	for bench in bench/bench_*.py; do
		echo "== $$bench"
		DJANGO_SETTINGS_MODULE=staysite.settings $(PY) "$$bench"
	done
	echo "== bench_scale, $(BENCH_TRAVELLERS) travellers, SQLite (load: $$(cut -d' ' -f1-3 /proc/loadavg))"
	DATABASE_URL=sqlite:///$$PWD/var/bench-$(BENCH_TRAVELLERS).sqlite3 \
		bash -c '$(BENCH_SCALE) --travellers $(BENCH_TRAVELLERS) --runs $(BENCH_RUNS)'
	echo "== bench_scale, $(BENCH_TRAVELLERS) travellers, PostgreSQL (load: $$(cut -d' ' -f1-3 /proc/loadavg))"
	scripts/with-postgres bash -c '$(BENCH_SCALE) --travellers $(BENCH_TRAVELLERS) \
		--runs $(BENCH_RUNS) --workers $(BENCH_WORKERS)'

bench-large: $(VENV)/.installed | var
	@echo "== bench_scale, $(BENCH_LARGE_TRAVELLERS) travellers, PostgreSQL (load: $$(cut -d' ' -f1-3 /proc/loadavg))"
	scripts/with-postgres bash -c \
		'$(BENCH_SCALE) --travellers $(BENCH_LARGE_TRAVELLERS) --runs $(BENCH_LARGE_RUNS) \
		--workers $(BENCH_WORKERS)'

# wrk (Debian's) against gunicorn with make serve's settings, on loopback, 15 s per level.
bench-http: $(VENV)/.installed | var
	@command -v wrk >/dev/null || scripts/apt-install wrk
	scripts/with-postgres bench/http.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache .hypothesis test-results *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
