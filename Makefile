# sozialmonitor: the README's commands. Needs only python3, pip and make.
PYTHON ?= python3
# bytecode caches matter: dagster + dbt import ~1,000 modules per process
unexport PYTHONDONTWRITEBYTECODE
UV := $(PYTHON) -m uv
RUN := $(UV) run --locked
SCALE ?= city

.PHONY: help setup demo test lint format ui bench docs browser clean

help:
	@echo "make demo   synthetic city ($(SCALE)) end to end: warehouse, publish zone, report"
	@echo "make test   the test suite (real DuckDB, dbt, Dagster, browser)"
	@echo "make lint   ruff, sqlfluff, data contract lint"
	@echo "make ui     Dagster UI on http://127.0.0.1:3000"
	@echo "make bench  benchmarks small/city/berlin -> bench/results/"
	@echo "make docs   dbt docs of the models (offline) -> var/dbt_docs/static_index.html"

# uv through pip if missing, then the locked environment
setup:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv>=0.5"
	@$(UV) sync --locked --quiet --compile-bytecode

demo: setup
	$(RUN) sozialmonitor demo --scale $(SCALE)

# headless Chromium for the report's PDF and the browser tests (Debian package; root on CI and
# dev machines). In CI (CI set) a missing Chromium fails here instead of skipping the tests.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "chromium konnte nicht installiert werden: Browser- und PDF-Tests werden übersprungen"; \
	           [ -z "$$CI" ] || exit 1; }; \
	  else echo "chromium fehlt: Browser- und PDF-Tests werden übersprungen"; [ -z "$$CI" ] || exit 1; fi; }

test: setup browser
	$(RUN) pytest -q -n 2 --dist loadgroup

lint: setup
	$(RUN) ruff check pipelines tests bench
	$(RUN) ruff format --check pipelines tests bench
	$(RUN) python -m pipelines.contracts.lint
	cd dbt_project && SOZIALMONITOR_WAREHOUSE_DB=$${SOZIALMONITOR_WAREHOUSE_DB:-/tmp/sozialmonitor_lint.duckdb} \
	  $(RUN) sqlfluff lint models --processes 2

format: setup
	$(RUN) ruff format pipelines tests
	$(RUN) ruff check --fix pipelines tests

ui: setup
	$(RUN) sozialmonitor ui

bench: setup
	$(RUN) python -m bench.run

# the dbt docs as one self-contained HTML file (no server, no network). Built against an
# empty scratch database: descriptions, columns (from the model contracts), SQL and lineage
# come from the project (the catalogue seed is loaded: some models read it while compiling);
# nothing opens a city's warehouse (no lock, no city data in the docs).
DOCS_DIR := var/dbt_docs
docs: setup
	@mkdir -p $(DOCS_DIR)
	@rm -f $(DOCS_DIR)/leer.duckdb
	cd dbt_project && export SOZIALMONITOR_WAREHOUSE_DB=$(abspath $(DOCS_DIR))/leer.duckdb && \
	  $(RUN) dbt seed --quiet --profiles-dir . --target-path $(abspath $(DOCS_DIR)) && \
	  $(RUN) dbt docs generate --static --quiet --profiles-dir . --target-path $(abspath $(DOCS_DIR))
	@rm -f $(DOCS_DIR)/leer.duckdb $(DOCS_DIR)/leer.duckdb.wal
	@echo "dbt-Dokumentation: $(DOCS_DIR)/static_index.html"

clean:
	rm -rf demo var dbt_project/target dbt_project/logs .pytest_cache
