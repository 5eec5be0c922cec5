# dermcover: `make run` starts the product, `make test` checks everything.
# Both bootstrap .venv and every system package on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# Debian packages the project needs at run or test time (checked, installed only when missing).
# WeasyPrint renders the documents with Pango and HarfBuzz; poppler-utils (pdftotext, pdftoppm)
# reads them back in the tests; Liberation fonts give the documents a metric-compatible sans;
# Chromium runs the browser tests (Playwright drives it; it never downloads a browser); wrk
# loads the service in bench/load.py; a Java runtime runs pyspark (Spark 4 needs Java 17 or 21) for
# `dermcover batch --engine spark` and its tests.
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 poppler-utils chromium wrk default-jre-headless
# Node.js and npm fetch axe-core, which the browser tests inject into every page to check its
# accessibility. Installed from Debian only when there is no `npm` at all: a machine whose
# Node.js comes from another Debian package that bundles npm (and conflicts with Debian's npm)
# keeps its own.
NODE_DEB_PACKAGES := nodejs npm

.PHONY: run test lint typecheck unit packs bench translations system-deps clean

run: $(STAMP)
	$(BIN)/dermcover serve --plain-http

test: $(STAMP) lint typecheck unit packs

lint: $(STAMP)
	$(BIN)/ruff check src tests bench policies
	$(BIN)/ruff format --check src tests bench policies

typecheck: $(STAMP)
	$(BIN)/mypy src

# The slowest tests are listed at the end, so that a suite growing slow shows where.
unit: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest --durations=15

# Every policy pack: its fixtures pass, and the pack linter finds nothing.
packs: $(STAMP)
	$(BIN)/dermcover policies test
	$(BIN)/dermcover policies lint

# The translation catalogue: extract every marked string, merge it into each language's .po
# (translate the new entries there), and compile the .mo files the service reads.
LOCALE := src/dermcover/locale
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -o $(LOCALE)/messages.pot --no-location --sort-output \
	  --project dermcover --copyright-holder dermcover .
	$(BIN)/pybabel -q update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages -w 100 --ignore-obsolete
	$(BIN)/pybabel -q compile -d $(LOCALE) -D messages --statistics

bench: $(STAMP)
	$(BIN)/python bench/determinations.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/batch.py

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing $(NODE_DEB_PACKAGES)"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

# The browser tests' npm packages (axe-core), exactly as package-lock.json pins them.
$(NODE_STAMP): package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache .hypothesis
