# Digital Economy Monitor — developer commands. The README names `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DEM_DATABASE_URL ?= duckdb:///data/dem.duckdb

.PHONY: install run init test lint typecheck clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed  ## create the virtual environment and install the project

init: install  ## create or upgrade the embedded database and load the plan and the sample data
	$(BIN)/dem init --sample

run: init  ## set up everything and start the service on http://127.0.0.1:8050 (demo: signed in as a leader)
	$(BIN)/dem serve --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

test: install lint typecheck  ## the whole suite, DuckDB and PostgreSQL (127.0.0.1:5432, database test)
	$(BIN)/python -m pytest -n 2 --dist loadfile

clean:
	rm -rf $(VENV) data/dem.duckdb data/dem.duckdb.wal tests/artifacts
