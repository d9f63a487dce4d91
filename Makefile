# Every target is listed by `make help`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The Debian packages each target needs: checked every time (one dpkg-query), installed when
# run as root, else the one apt-get line to run is printed.
SYSTEM_PACKAGES := deploy/system-packages.sh
# The moment make run shows the demo's campaign at, after the last step of its history
# (demo/data.py): a working day before the letter's deadline. The clock runs on from it;
# DEMO_CLOCK= (empty) shows it at the real time.
DEMO_CLOCK ?= 2020-05-04T09:00

.DEFAULT_GOAL := help
.PHONY: help system run serve-prod test bench load faults lint format lock messages venv dev-venv clean api-schema

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

system: ## Check (as root: install) the Debian packages make run needs
	@$(SYSTEM_PACKAGES) runtime

# Order-only: checked before the virtualenv is made (it needs python3-venv), without
# making it again.
$(BIN)/.runtime: requirements/base.txt | system
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.txt
	@touch $@

$(BIN)/.dev: requirements/dev.txt $(BIN)/.runtime
	$(PY) -m pip install --quiet -r requirements/dev.txt
	@touch $@

venv: $(BIN)/.runtime ## Create the virtualenv with the runtime dependencies

dev-venv: $(BIN)/.dev ## Add the test and lint tools to the virtualenv

messages: $(BIN)/.runtime ## Compile the translations (locale/*/LC_MESSAGES/django.mo)
	@$(PY) manage.py compilemessages --ignore=.venv -v 0

run: $(BIN)/.runtime messages ## Migrate, load reference data and demo, serve on 127.0.0.1:8000 (SQLite), the clock at DEMO_CLOCK
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py ensure_signing_key
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop; the demo's clock starts at $(or $(DEMO_CLOCK),the real time))"
	DJANGO_CLOCK_START=$(DEMO_CLOCK) $(PY) manage.py runserver $(HOST):$(PORT)

serve-prod: $(BIN)/.runtime messages ## Production settings under gunicorn on 127.0.0.1:8000 (PostgreSQL db workflow_prodcheck)
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) deploy/serve-prod.sh

test: $(BIN)/.dev messages ## Run the whole test suite (PostgreSQL when reachable; it says which database)
	@$(SYSTEM_PACKAGES) test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(BIN)/.dev messages ## Print the benchmarks' figures (PostgreSQL)
	$(PY) -m benchmarks.transition_http
	$(PY) -m benchmarks.pdf_render
	$(PY) -m benchmarks.dashboard
	$(PY) -m benchmarks.export
	$(PY) -m benchmarks.consolidation

load: $(BIN)/.dev messages ## 8 users for 60 s on gunicorn + Celery, production settings (db workflow_load, Redis db 9; ~4 min)
	$(PY) -m benchmarks.load $(LOAD_ARGS)

faults: $(BIN)/.dev messages ## Kill the worker, stop Redis, cut the database, press one button 8 times; print what held (db workflow_faults, own redis-server; ~4 min)
	$(PY) -m benchmarks.faults

lint: $(BIN)/.dev ## ruff (lint and format check), mypy, and the apps' dependency direction (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

api-schema: $(BIN)/.dev ## Regenerate api/openapi.yaml, the web API's committed OpenAPI schema (PostgreSQL's integer ranges)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --lang en --file api/openapi.yaml

format: $(BIN)/.dev ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(BIN)/.dev ## Re-pin requirements/*.txt from pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements/base.txt pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --output-file requirements/dev.txt pyproject.toml

clean: ## Remove the virtualenv and local state (SQLite database, uploads)
	rm -rf $(VENV) var
