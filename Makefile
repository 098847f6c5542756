# The two commands of the README:
#   make demo  - the portal with demo data and a completed weekly run (SQLite, no broker)
#   make test  - the whole test suite (PostgreSQL + Redis on 127.0.0.1, started if down)
# and for the edit loop: make test-fast (no browser, no worker; under 2 minutes)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DEMO_PERSONS ?= 3000
DEMO_SEED ?= 2025
PORT ?= 8000
# The demo accounts (USERS + ADMINS of the demo generator); make demo prints their backup codes.
DEMO_ACCOUNTS := groningen amsterdam personen brief signalen regio geenrol duo-beheer duo-accounts
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/elip
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
# The money-boundary tests (marker both_databases) run a second time on the embedded default, SQLite.
TEST_SQLITE_URL ?= sqlite:///$(CURDIR)/var/test-money.sqlite3

.PHONY: setup demo-setup system-packages demo-packages venv oidc-provider services demo test test-fast lint bench load lock

setup: system-packages venv oidc-provider
demo-setup: demo-packages venv

# Debian packages (as root or through sudo; skipped when present): python3-venv, Pango and
# libharfbuzz-subset0 (WeasyPrint), and for the tests chromium (browser tests) and poppler-utils.
system-packages:
	@bash scripts/system-packages.sh
demo-packages:
	@bash scripts/system-packages.sh demo

$(VENV)/.installed: pyproject.toml requirements.lock
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -c requirements.lock -e ".[dev]"
	touch $@

venv: $(VENV)/.installed

# The real OpenID Provider the sign-in tests run (node-oidc-provider, pinned in package-lock.json).
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund
	touch $@

oidc-provider: tests/oidc/node_modules/.installed

services:
	@bash scripts/services.sh

# No browser and no services: SQLite, tasks in-process. Static files are collected (hashed names)
# and served by WhiteNoise, as in production.
# The demo runs with DEBUG off, so it needs keys of its own: made once in var/demo-keys.env
# (the portal refuses the committed demo keys with DEBUG off, see pib/keys.py).
DEMO_ENV := set -a && . var/demo-keys.env && set +a &&
demo: demo-setup
	mkdir -p var
	test -s var/demo-keys.env || $(PY) -c 'import secrets; print(f"SECRET_KEY={secrets.token_urlsafe(50)}\nREADLOG_KEY={secrets.token_urlsafe(50)}")' > var/demo-keys.env
	chmod 600 var/demo-keys.env
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(DEMO_ENV) $(PY) manage.py seed_demo --persons $(DEMO_PERSONS) --seed $(DEMO_SEED) --if-empty
	$(DEMO_ENV) $(PY) manage.py demo_history --seed $(DEMO_SEED)
	$(DEMO_ENV) $(PY) manage.py elip_run
	$(DEMO_ENV) $(PY) manage.py demo_events --seed $(DEMO_SEED)
	$(DEMO_ENV) $(PY) manage.py controlroom_demo --seed $(DEMO_SEED)
	$(DEMO_ENV) $(PY) manage.py backup_codes $(DEMO_ACCOUNTS)
	@echo "Portal: http://127.0.0.1:$(PORT)/  (DUO-beheer: http://127.0.0.1:$(PORT)/beheer/)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: venv
	mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-logo

# make test: the whole suite, in random order (pytest-randomly; the seed is printed, rerun with
# TEST_SEED=N), in three steps: the tests without browser or worker on 2 xdist processes, then the
# browser (e2e) and worker (integration) tests one at a time, then the money boundaries
# (marker both_databases) again on SQLite, where a SUM of decimals is a float. Each step prints its
# slowest tests. With PYTEST_ARGS it is one plain pytest run of just those.
# make test-fast: the edit loop: no browser, no worker, no exhaustive sweep or fuzz (marker slow;
# make test runs them), the test database kept, xdist -n auto.
ifndef TEST_SEED
TEST_SEED := $(shell od -An -N3 -tu4 /dev/urandom | tr -d ' ')
endif
TEST_ENV = DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)}
PYTEST_RANDOM = -p randomly --randomly-seed=$(TEST_SEED)
TEST_WORKERS ?= 2

test: setup services
	mkdir -p var
ifeq ($(strip $(PYTEST_ARGS)),)
	@echo "Random test order: --randomly-seed=$(TEST_SEED) (same order again: make test TEST_SEED=$(TEST_SEED))"
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_RANDOM) -m "not e2e and not integration" -n $(TEST_WORKERS) --durations=15
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_RANDOM) -m "e2e or integration" --durations=15
	DATABASE_URL=$(TEST_SQLITE_URL) REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest $(PYTEST_RANDOM) -q -m both_databases
else
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)
endif

test-fast: venv services
	@echo "Random test order: --randomly-seed=$(TEST_SEED)"
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_RANDOM) -m "not e2e and not integration and not slow" --reuse-db -n auto \
		--durations=5 $(PYTEST_ARGS)

bench: setup services
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/elip_bench} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) tests/bench/run.py $(BENCH_ARGS)

# The load test at national scale (tests/bench/load.py: 250,000 persons, 1,000,000 signals, locust case
# workers against gunicorn with the production settings, then the saturation point for 1, 2 and 4
# workers). Always on a database of its own (the signal loader truncates signals and the read log);
# the data is made once and kept. LOAD_ARGS="--help" lists the knobs.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/elip_load
load: venv services
	DATABASE_URL=$(LOAD_DATABASE_URL) REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} $(PY) tests/bench/load.py $(LOAD_ARGS)

# Re-resolve the pins after editing pyproject.toml (needs the package registry).
lock:
	rm -rf .venv-lock && python3 -m venv .venv-lock && .venv-lock/bin/pip install -q -e ".[dev]"
	(echo "# Lock file: every installed package, pinned (pip freeze). make setup installs with -c requirements.lock."; \
	 echo "# Refresh after changing pyproject.toml: make lock"; \
	 .venv-lock/bin/pip freeze --exclude-editable | grep -v "^-e") > requirements.lock
	rm -rf .venv-lock
