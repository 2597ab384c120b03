# Digital Economy Monitor — developer commands. The README names `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
export DEM_DATABASE_URL ?= duckdb:///data/dem.duckdb
# `make run PORT=8051` when 8050 is taken; HOST=0.0.0.0 to listen beyond this machine (see README).
PORT ?= 8050
HOST ?= 127.0.0.1

.PHONY: install run init test lint typecheck audit clean port-free bench bench-smoke

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed  ## create the virtual environment and install the project

init: install  ## create or upgrade the embedded database and load the plan and the sample data
	$(BIN)/dem init --sample

port-free:  ## fail at once, before the install, when the port is taken
	@$(PYTHON) -c "import socket, sys; busy = socket.socket().connect_ex(('127.0.0.1', $(PORT))) == 0; \
	sys.exit('端口 $(PORT) 已被占用 port $(PORT) is in use: make run PORT=$$(( $(PORT) + 1 ))' if busy else 0)"

run: port-free init  ## set up everything and serve http://$(HOST):$(PORT) (demo: signed in as a leader)
	$(BIN)/dem serve --demo --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

audit: install  ## installed packages against PyPI's advisories (pip-audit cannot query this registry: see the script)
	$(BIN)/python scripts/audit_dependencies.py

test: install lint typecheck audit  ## the whole suite, DuckDB and PostgreSQL (127.0.0.1:5432, database test)
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: install  ## every benchmark with its peer and goal (≈8 min); JSON in benchmarks/results/latest.json
	$(BIN)/python -m benchmarks.run

bench-smoke: install  ## the same benchmarks at small sizes (about a minute)
	$(BIN)/python -m benchmarks.run --smoke

clean:
	rm -rf $(VENV) data/dem.duckdb data/dem.duckdb.wal tests/artifacts
