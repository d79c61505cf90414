# Treffpunkt: `make run` serves the app with demo data, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
NPM := $(shell command -v npm)

.PHONY: run test check lint format test-days test-random audit install translations extract-messages clean screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# axe-core for the accessibility tests. Without npm they are skipped (and fail in CI, where CI=true).
node_modules/.installed: package.json $(wildcard package-lock.json)
	@if [ -z "$(NPM)" ]; then echo "npm not found: tests/browser/test_accessibility.py will be skipped"; \
	elif [ -f package-lock.json ]; then $(NPM) ci --no-audit --no-fund && touch $@; \
	else $(NPM) install --no-audit --no-fund && touch $@; fi

install: $(VENV)/.installed translations node_modules/.installed

# Compiled catalogues are build output: made from translations/*/LC_MESSAGES/messages.po.
translations: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d translations; fi

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --sort-by-file -o translations/messages.pot volunteers templates wsgi.py
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install
	TREFFPUNKT_DEV=1 $(FLASK) db upgrade
	TREFFPUNKT_DEV=1 $(FLASK) seed-demo
	TREFFPUNKT_DEV=1 $(FLASK) serve --host 127.0.0.1 --port $(PORT)

# Tests run in parallel, one worker per core, each on databases of its own (tests/conftest.py).
PYTEST := $(BIN)/python -m pytest -n auto

# Everything: SQLite, PostgreSQL (when TEST_DATABASE_URL is set; CI always), browser and server tests.
test: install
	$(PYTEST)

# Before each commit: lint, and the tests that need neither a browser nor a server process nor a
# long thorough test (marker slow), on SQLite.
check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	CI= TEST_DATABASE_URL= $(PYTEST) -q -m "not browser and not server and not slow and not postgresql"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite with its clock on the days that break schedulers (tests/clock.py): both DST
# changes, the first and the last day of a month, New Year's Eve late at night, 29 February.
TEST_DAYS ?= 2027-03-28 2026-10-25 2027-03-01 2027-04-30 2026-12-31T23:30 2028-02-29
test-days: install
	@for day in $(TEST_DAYS); do echo "== clock on $$day"; \
	  TREFFPUNKT_TEST_TODAY=$$day $(PYTEST) -q || exit 1; done

# The suite in a random order, to find tests that depend on each other; the seed is printed, and
# `make test-random SEED=N` repeats that order.
SEED ?= random
test-random: install
	$(PYTEST) -q -p randomly --randomly-seed=$(SEED)

# Static security checks: bandit must be clean (explained exceptions carry "# nosec <id>: why");
# pip-audit asks PyPI's vulnerability data, which this network may not reach (see docs/security.md).
audit: install
	$(BIN)/bandit -q -r volunteers
	$(BIN)/pip-audit -r requirements.txt --progress-spinner off

# PNGs of the main pages on a phone and a desktop into docs/screenshots/ (fresh demo database,
# Debian's /usr/bin/chromium); the README shows some of them.
screenshots: install
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache node_modules
