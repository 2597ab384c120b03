"""Dashboard fixtures: a sample database per backend for the session, users of each role, and a way to
run a page's layout or a callback inside a request, as Dash would.

Reading tests share one loaded database per backend (loading the samples takes seconds); tests that
write (uploads, notes) use the function-scoped `engine`/`settings` of tests/conftest.py instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import SimpleNamespace
from typing import Any

import dash
import flask
import pytest
import sqlalchemy as sa

from app.auth.roles import Role
from app.config import Settings
from app.context import AppContext
from app.main import build_context
from app.services.accounts import User
from app.services.samples import load_samples
from app.services.setup import init_database
from app.store.engine import make_engine
from dashboard.app import PAGE_MODULES, create_dash
from dashboard.context import CONTEXT_KEY
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.conftest import BACKENDS, REPO_ROOT, empty_database

SAMPLE_DIR = REPO_ROOT / "data" / "sample"

USERS = {
    "admin": User(id=1, username="admin_t", display_name="管理员", role=Role.ADMIN, department=None),
    "bureau": User(id=2, username="bureau_t", display_name="统计局", role=Role.BUREAU, department=None),
    "department": User(
        id=3, username="dept_t", display_name="工信厅", role=Role.DEPARTMENT, department="industry_it"
    ),
    "leader": User(id=4, username="leader_t", display_name="领导", role=Role.LEADER, department=None),
}

RunAs = Callable[..., AbstractContextManager[None]]


@pytest.fixture(scope="session", params=BACKENDS)
def sample_context(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppContext]:
    """Every sample upload published, on DuckDB and on PostgreSQL; read-only for the tests."""
    folder = tmp_path_factory.mktemp(f"dashboard-{request.param}")
    with empty_database(request.param, folder) as url:
        engine = make_engine(url)
        init_database(engine=engine, plan_path=DEFAULT_PLAN)
        load_samples(engine=engine, plan=load_plan(DEFAULT_PLAN), sample_dir=SAMPLE_DIR)
        settings = Settings(database_url=url, data_dir=folder / "data", upload_dir=folder / "uploads")
        yield build_context(settings, engine)
        engine.dispose()


@pytest.fixture
def empty_context(settings: Settings, engine: sa.Engine) -> AppContext:
    """A migrated database with the plan and no data, per test and backend (for writing tests)."""
    init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return build_context(settings, engine)


def _run_as(context: AppContext) -> RunAs:
    app = create_dash(context)

    @contextmanager
    def run(role: str | None, path: str = "/") -> Iterator[None]:
        with app.server.test_request_context(path):
            flask.current_app.config[CONTEXT_KEY] = context
            if role is not None:
                flask.g.user = USERS[role]
            yield

    return run


@pytest.fixture(scope="session")
def as_user_sample(sample_context: AppContext) -> RunAs:
    """`with as_user_sample("leader"): page.layout(...)` runs inside a request of that user."""
    return _run_as(sample_context)


@pytest.fixture
def as_user_empty(empty_context: AppContext) -> RunAs:
    return _run_as(empty_context)


@pytest.fixture(scope="session")
def pages() -> SimpleNamespace:
    """The page modules, imported as Dash imports them: after an app exists (`register_page` needs one)."""
    create_dash(build_context(Settings(database_url="duckdb:///:memory:")))
    return SimpleNamespace(
        **{name: importlib.import_module(f"dashboard.pages.{name}") for name in PAGE_MODULES}
    )


def walk(component: Any) -> Iterator[Any]:
    """Every component in a layout tree, depth first."""
    if component is None or isinstance(component, str | int | float):
        return
    if isinstance(component, list | tuple):
        for item in component:
            yield from walk(item)
        return
    yield component
    yield from walk(getattr(component, "children", None))


def find(component: Any, component_id: Any) -> Any:
    """The component with this id (fails the test if absent)."""
    for node in walk(component):
        if getattr(node, "id", None) == component_id:
            return node
    raise AssertionError(f"no component with id {component_id!r}")


def ids_in(component: Any) -> set[str]:
    return {str(node.id) for node in walk(component) if getattr(node, "id", None) is not None}


def text(component: Any) -> str:
    """All the text a layout shows, run together as a browser shows inline text."""
    parts: list[str] = []

    def collect(node: Any) -> None:
        if node is None:
            return
        if isinstance(node, str | int | float):
            parts.append(str(node))
        elif isinstance(node, list | tuple):
            for item in node:
                collect(item)
        else:
            collect(getattr(node, "children", None))

    collect(component)
    return "".join(parts)


def is_no_update(value: Any) -> bool:
    return isinstance(value, type(dash.no_update))
