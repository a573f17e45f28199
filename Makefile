# Citizen satisfaction survey: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_RESPONSES ?= 20000
export FLASK_APP := wsgi
export PORT

.DEFAULT_GOAL := help
.PHONY: help run test install install-test serve lint format typecheck translations-extract translations-update \
        translations-compile bench clean retrain-themes classify-comments

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-22s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python ## Install the service into .venv
	$(BIN)/pip install --quiet -e .
	$(BIN)/pybabel compile --use-fuzzy -d translations >/dev/null 2>&1 || $(BIN)/pybabel compile -d translations

install-test: $(BIN)/python ## Install the service and its test tools into .venv
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pybabel compile -d translations

run: install ## Install, migrate, load demo data (first run only) and serve on http://127.0.0.1:$(PORT)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --only-if-empty --responses $(DEMO_RESPONSES)
	$(MAKE) --no-print-directory serve

serve: ## Serve with gunicorn on http://127.0.0.1:$(PORT), settings from gunicorn.conf.py (no install step)
	PORT=$(PORT) $(BIN)/gunicorn wsgi:app

test: install-test ## Install, then lint, type-check and run the whole test suite (PostgreSQL and browser tests included)
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/python -m pytest

lint: ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: ## ruff format and fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: ## mypy on analysis/ and survey/
	$(BIN)/mypy

translations-extract: ## Extract translatable strings into translations/messages.pot
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location --sort-output \
		--project citizen-satisfaction-survey -o translations/messages.pot .

translations-update: translations-extract ## Merge new strings into the vi and en catalogues
	$(BIN)/pybabel update -i translations/messages.pot -d translations --width 110 --ignore-obsolete

translations-compile: ## Compile the catalogues (.po -> .mo)
	$(BIN)/pybabel compile -d translations

retrain-themes: ## Retrain the theme classifier with officials' corrections; installs it only if not worse
	$(BIN)/flask retrain-themes

classify-comments: ## Give every stored comment without one its official theme (once; add --loop for a worker)
	$(BIN)/flask classify-comments

bench: ## Print benchmark numbers (not part of the tests)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean: ## Remove the virtualenv and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
