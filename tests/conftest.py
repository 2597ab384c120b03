"""Fixtures shared by the whole suite: real databases on both backends, isolated per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.config import Settings
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN, load_plan

POSTGRES_URL = os.environ.get("DEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO_ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["duckdb", "postgresql"]


@pytest.fixture(scope="session", autouse=True)
def _operator_files_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands under test write operator files (the first admin password) to DEM_DATA_DIR: never the repo."""
    before = os.environ.get("DEM_DATA_DIR")
    os.environ["DEM_DATA_DIR"] = str(tmp_path_factory.mktemp("operator-data"))
    yield
    if before is None:
        os.environ.pop("DEM_DATA_DIR", None)
    else:
        os.environ["DEM_DATA_DIR"] = before


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN)


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """A URL to an empty database: a new DuckDB file, or a new PostgreSQL schema dropped afterwards."""
    if backend == "duckdb":
        yield f"duckdb:///{folder / 'dem.duckdb'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend, isolated per test."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        inbox_dir=tmp_path / "inbox",
        brief_dir=tmp_path / "briefs",
        upload_dir=tmp_path / "uploads",
    )
