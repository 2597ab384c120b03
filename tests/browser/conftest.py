"""The real service in a real Chromium: a uvicorn server per test module, Debian's Chromium per session.

Each module gets its own DuckDB file with the sample data and one user per role, and the whole app
(`app.main.create_app`) served by uvicorn on a free port in a background thread, so the tests can
look at the database the server writes to. The browser is the system Chromium (`/usr/bin/chromium`,
from the `chromium` and `fonts-noto-cjk` Debian packages); without it the tests fail, they are never
skipped. Screenshots go to tests/artifacts/ (git-ignored), one per page at 1440×900.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from app.auth.policy import SYSTEM
from app.config import Settings
from app.main import create_app
from app.services import accounts
from app.services.samples import load_samples, sample_files
from app.services.setup import init_database
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN, load_plan
from tests.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
PASSWORD = "browser-test-password"
STARTUP_SECONDS = 20
TIMEOUT_MS = 20_000


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    department: str | None = None


ACCOUNTS = {
    "admin": Account("admin_b", "管理员 赵强"),
    "bureau": Account("bureau_b", "统计局 王芳"),
    "department": Account("dept_b", "工信厅 李明", "industry_it"),
    "leader": Account("leader_b", "张副省长"),
}
"""One user per role; the department user belongs to 省工信厅."""


@dataclass(frozen=True)
class LiveServer:
    url: str
    engine: sa.Engine
    settings: Settings


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(folder: Path, *, skip: frozenset[str] = frozenset()) -> tuple[sa.Engine, Settings]:
    """A DuckDB file with the plan, the sample uploads (but `skip`) and a user per role."""
    samples = folder / "samples"
    samples.mkdir()
    for path in sample_files(SAMPLE_DIR):
        if path.name not in skip:
            shutil.copy(path, samples / path.name)
    settings = Settings(
        database_url=f"duckdb:///{folder / 'dem.duckdb'}",
        data_dir=folder / "data",
        inbox_dir=folder / "inbox",
        brief_dir=folder / "briefs",
        upload_dir=folder / "uploads",
    )
    engine = make_engine(settings.database_url)
    init_database(engine=engine, plan_path=DEFAULT_PLAN)
    load_samples(engine=engine, plan=load_plan(DEFAULT_PLAN), sample_dir=samples)
    for role, account in ACCOUNTS.items():
        accounts.create_user(
            actor=SYSTEM,
            engine=engine,
            username=account.username,
            password=PASSWORD,
            role=role,
            department=account.department,
            display_name=account.display_name,
        )
    return engine, settings


def serve(engine: sa.Engine, settings: Settings) -> Iterator[LiveServer]:
    """Run the whole app with uvicorn in a thread until the generator is closed."""
    port = free_port()
    app = create_app(settings, engine=engine, scheduler=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", engine, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The service on every sample upload; one per test module."""
    engine, settings = prepare_database(tmp_path_factory.mktemp("live"))
    yield from serve(engine, settings)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium and fonts-noto-cjk "
            "(apt-get install -y --no-install-recommends chromium fonts-noto-cjk)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at laptop size, Chinese locale; fails on page errors."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    # the Content-Security-Policy must let the dashboard run: a blocked script or style is a failure
    opened.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield opened
    context.close()
    assert errors == [], errors


_SESSIONS: dict[tuple[str, str], list[Any]] = {}
"""Session cookies per (server, role): the form is used once per role and server, then reused."""


def login(page: Page, server: LiveServer, role: str) -> None:
    """Sign in through the /login form, as a person would (once per role and server; then its cookie)."""
    key = (server.url, role)
    if key in _SESSIONS:
        page.context.add_cookies(_SESSIONS[key])
        page.goto(server.url + "/")
    else:
        page.goto(f"{server.url}/login")
        page.fill("#username", ACCOUNTS[role].username)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
    page.wait_for_selector("#overview-page")
    _SESSIONS[key] = page.context.cookies()


def settle(page: Page) -> None:
    """Wait until Dash has drawn the page and no callback is in flight."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!document.querySelector('[data-dash-is-loading=\"true\"]')")


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Save what the screen shows (1440×900) under tests/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
