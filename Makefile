# The two commands: `make run` (serve with demo data) and `make test` (the whole suite).
# Both create .venv and install what is missing; nothing else is needed but Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Packages are installed by uv (itself installed by pip first): the same versions as pip in
# about a tenth of the time (a fresh .venv here: 3 s against 33 s). Where uv cannot be had,
# pip does it. Neither byte-compiles what it installs (pip did, half of its time); Python
# caches each module's bytecode the first time it is imported instead. That needs bytecode
# writing on, so the commands started here have it on whatever the shell sets
# (PYTHONDONTWRITEBYTECODE; __pycache__ is ignored by git).
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile
UV     := $(BIN)/uv pip install --quiet --python $(BIN)/python
# $(call pkgs,<requirement>): install a requirement with uv, or else with pip (a comma in
# the requirement would split call's arguments: extras with commas come in variables)
E2E_PKGS   := -e ".[dev,e2e]"
BENCH_PKGS := -e ".[dev,bench]"
pkgs    = { { test -x $(BIN)/uv || $(PIP) uv; } && $(UV) $(1); } || \
          { echo "uv failed: installing with pip"; $(PIP) $(1); }
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test e2e bench install sysdeps lint format migrate demo clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python venv support is missing: installing python3-venv (apt)"; \
	  rm -rf $(VENV); \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	  $(PYTHON) -m venv $(VENV); }

# Debian libraries WeasyPrint needs for PDF reports (pango; harfbuzz-subset for font
# subsetting, without which every PDF embeds whole fonts and takes several times longer),
# fonts, and pdftoppm for tests.
sysdeps:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset && \
	   command -v pdftoppm >/dev/null && fc-list 2>/dev/null | grep -qi dejavu; } || { \
	  echo "installing pango, harfbuzz-subset, fonts, poppler (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fontconfig \
	    poppler-utils; }

$(STAMP): pyproject.toml | $(BIN)/python sysdeps
	@$(call pkgs,-e ".[dev]")
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/assess serve

# The suite in parallel: one pytest-xdist worker per core (PYTEST_WORKERS=0: in this process),
# each with a database of its own (tests/conftest.py); the files that share one server
# process among their tests keep them on one worker (xdist_group, --dist loadgroup).
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadgroup

test: install
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# Browser tests: Debian's Chromium (apt), Playwright (pip) and axe-core (npm) are installed here.
e2e: install
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }
	@$(call pkgs,$(E2E_PKGS))
	cd tests/e2e && npm ci --silent --no-audit --no-fund
	E2E=1 $(BIN)/python -m pytest tests/e2e

# Benchmarks against their peers in the same run (bench/all.py): wrk (apt) drives the load
# test, on SQLite and on a throw-away PostgreSQL (.ci/postgres.sh installs it if missing);
# pingouin/pandas (pip, the bench extra) are the psychometrics peers.
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (apt)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	@$(call pkgs,$(BENCH_PKGS))
	$(BIN)/python bench/all.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy assessments reports server

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: install
	$(BIN)/assess migrate

demo: install
	$(BIN)/assess demo

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache *.egg-info
