# Treffpunkt: `make run` serves the app with demo data, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
NPM := $(shell command -v npm)

.PHONY: run test audit install translations extract-messages clean

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

test: install
	$(BIN)/python -m pytest

# Static security checks: bandit must be clean (explained exceptions carry "# nosec <id>: why");
# pip-audit asks PyPI's vulnerability data, which this network may not reach (see docs/security.md).
audit: install
	$(BIN)/bandit -q -r volunteers
	$(BIN)/pip-audit -r requirements.txt --progress-spinner off

clean:
	rm -rf $(VENV) .pytest_cache node_modules
