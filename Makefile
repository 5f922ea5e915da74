# Vigil. `make run` serves the demo campaign; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export HOST PORT
# Two workers for two cores; a file's tests stay in one worker (module-scoped fixtures),
# the slowest files first (vigil/conftest.py, `_slowest_modules_first`).
# The slowest tests are listed at the end, to keep `make test` under its time budget.
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder --durations=15

# Every HTML template (the .txt email bodies are plain text, not indented): djhtml keeps
# them one element a line, indented by their nesting.
TEMPLATES = $(shell find vigil -path '*/templates/*' -name '*.html')

.PHONY: help setup run dev test test-sqlite test-postgres test-journeys lint format messages clean bench \
	bench-signing bench-mirror bench-http bench-search bench-nodes bench-security

help:
	@echo "make run    set up, load the demo campaign and serve it on http://$(HOST):$(PORT)/"
	@echo "make dev    the same with Django's development server (auto-reload, DEBUG on)"
	@echo "make test   install what the tests need and run every check (pytest on SQLite and PostgreSQL)"
	@echo "make test-sqlite / make test-postgres   only the pytest suite, on one database"
	@echo "make test-journeys   only the journey tests (vigil/journeys)"
	@echo "make lint / make format   ruff and djhtml on the templates; lint also checks the"
	@echo "            layers (lint-imports) and function lengths"
	@echo "make messages   refresh the Russian and Kazakh translation catalogues"
	@echo "make bench   every benchmark (bench/README.md); make bench-http / bench-mirror /"
	@echo "            bench-search / bench-signing / bench-security: one"

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set, every command
# (and every export worker) would otherwise compile each module it imports again.
$(VENV)/.synced: pyproject.toml uv.lock
	@uv=$$(scripts/bootstrap-uv.sh) && $$uv sync --frozen --python python3 --quiet --compile-bytecode
	@touch $@

# Translations are compiled on every setup (pure Python, no gettext needed), and so is
# Vigil's own bytecode (only what changed).
setup: $(VENV)/.synced
	@$(PY) scripts/compile_messages.py > /dev/null
	@$(PY) -m compileall -q -j 0 vigil manage.py > /dev/null

run: setup
	@scripts/run.sh

dev: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py site_url http://$(HOST):$(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

# lint-imports checks the layers of ARCHITECTURE.md (the contracts in pyproject.toml).
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djhtml --check $(TEMPLATES)
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_function_length.py

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djhtml $(TEMPLATES)

# makemigrations --check runs on an in-memory database: a fresh clone has no var/ one
# for its history check to open.
test: lint
	@scripts/install-test-deps.sh
	DJANGO_SETTINGS_MODULE=vigil.settings.test $(PY) manage.py check --fail-level WARNING
	DATABASE_URL=sqlite://:memory: DJANGO_SETTINGS_MODULE=vigil.settings.test $(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL= $(VENV)/bin/pytest $(PYTEST_ARGS) $(SQLITE_SKIPS)
	scripts/test-postgres.sh $(PYTEST_ARGS) $(POSTGRES_SKIPS)

# The journeys and the fault tests serve their own site from a SQLite file, whatever the
# run's database, the browser tests see HTML rendered by the same queries on either, and
# the bucket tests send files a database never sees, and a forged backup is a SQLite
# file: the PostgreSQL pass leaves them out
# (vigil/conftest.py marks them; README, *Tests*).
POSTGRES_SKIPS := -m "not own_sqlite_site and not browser and not s3_server and not sqlite_only"
# Several app nodes need one database server they share: PostgreSQL's pass runs them.
SQLITE_SKIPS := -m "not postgres_cluster"

# The whole suite on in-memory SQLite, whatever DATABASE_URL says.
test-sqlite: setup
	@scripts/install-test-deps.sh
	DATABASE_URL= $(VENV)/bin/pytest $(PYTEST_ARGS) $(SQLITE_SKIPS)

# The whole suite on PostgreSQL: TEST_DATABASE_URL's or DATABASE_URL's server when one is
# named, else a throw-away cluster (scripts/test-postgres.sh).
test-postgres: setup
	@scripts/install-test-deps.sh
	scripts/test-postgres.sh $(PYTEST_ARGS) $(POSTGRES_SKIPS)

# Only the journeys: people's paths through the production server in Chromium.
test-journeys: setup
	@scripts/install-test-deps.sh
	DATABASE_URL= $(VENV)/bin/pytest $(PYTEST_ARGS) vigil/journeys

bench: bench-http bench-mirror bench-search bench-signing bench-nodes bench-security

# Vigil cached and uncached against nginx serving the static export (wrk, Debian).
bench-http: setup
	@scripts/install-test-deps.sh wrk
	$(PY) -m bench.load

bench-signing: setup
	$(PY) -m bench.signing --both

# Two nodes on PostgreSQL: publish-to-fresh-page delay on the other node, worker mail rate.
bench-nodes: setup
	@scripts/install-test-deps.sh
	$(PY) -m bench.nodes

bench-mirror: setup
	$(PY) -m bench.mirror

# Site search on the 1,000-update demo: Wagtail's SQLite backend against Vigil's.
bench-search: setup
	$(PY) -m bench.search

# wapiti3 and sqlmap (in their own venv, .tools/security) and a long fuzz run.
bench-security: setup
	$(PY) -m bench.security.run

# After changing user-facing strings: refresh the Russian and Kazakh catalogues.
messages: setup
	DJANGO_SETTINGS_MODULE=vigil.settings.test $(PY) manage.py makemessages -l ru -l kk \
		--ignore=.venv --ignore=.tools --ignore=var --ignore=bench --ignore=test-artifacts --ignore=tests \
		--no-obsolete
	$(PY) scripts/compile_messages.py

clean:
	rm -rf $(VENV) .tools var/static
