# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format migrate demo-data bench bench-ingest clean help

help:
	@echo "make run   - start web, Celery worker and beat with demo data (http://127.0.0.1:$(PORT)/)"
	@echo "make test  - ruff and the whole test suite on PostgreSQL and Redis"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# Quickstart: DEBUG on, and with no DATABASE_URL / REDIS_URL everything embedded under var/.
run: export DEBUG ?= 1
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: export CUSTOMER_SIGNUP ?= 1
run: export PATH := $(BIN):$(PATH)
run: $(VENV)/.installed-run
	@# Commands run by hand in this checkout (manage.py createsuperuser) read the same settings.
	@mkdir -p "$${VAR_DIR:-var}" && printf 'DEBUG=%s\nSITE_URL=%s\nCUSTOMER_SIGNUP=%s\n' "$$DEBUG" "$$SITE_URL" "$$CUSTOMER_SIGNUP" > "$${VAR_DIR:-var}/quickstart.env"
	$(BIN)/python manage.py migrate --no-input
	@# The URL and logins, kept to be printed again once everything answers (helpdesk/quickstart.py).
	set -o pipefail; $(BIN)/python manage.py demo_data --url http://127.0.0.1:$(PORT)/ | tee "$${VAR_DIR:-var}/quickstart-banner.txt"
	$(BIN)/python -m helpdesk.quickstart start --port $(PORT) -f Procfile

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite's defaults (PostgreSQL at 127.0.0.1:5432 as postgres, Redis at 127.0.0.1:6379) live in
# pyproject.toml; set DATABASE_URL / REDIS_URL to point elsewhere.
test: export PATH := $(BIN):$(PATH)
test: $(VENV)/.installed-dev lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

migrate: $(VENV)/.installed-run
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate

# Fills a separate database (helpdesk_bench) with 100,000 tickets and times the desk's pages; see
# BENCHMARKS.md. BENCH_ARGS="--tickets 1000000 --keep" for the large run, kept for re-runs.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# One worker takes in 10,000 mails from a throw-away Dovecot (database helpdesk_bench_ingest);
# see BENCHMARKS.md. BENCH_INGEST_ARGS="--profile" shows where the time goes.
bench-ingest: $(VENV)/.installed-dev
	$(BIN)/python -m bench.ingest $(BENCH_INGEST_ARGS)

clean:
	rm -rf var/ staticfiles/ test-artifacts/
