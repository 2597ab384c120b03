"""A shared deployment: two `dem serve` processes on two ports against one PostgreSQL.

Sessions and login rate limits live in the database, so either instance honours them; the inbox
job runs under a database lease, so every dropped file is processed exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from app.auth.policy import SYSTEM
from app.services import accounts, setup
from app.store import schema as s
from app.store.engine import make_engine
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import write_csv
from tests.support.server import free_port

DEM = Path(sys.executable).parent / "dem"
PASSWORD = "shared-deployment-pw"
pytestmark = pytest.mark.slow


def _wait(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read() if process.stdout else "exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not become healthy")


@pytest.fixture
def instances(tmp_path: Path) -> Iterator[tuple[list[str], sa.Engine, Path]]:
    from tests.conftest import POSTGRES_URL

    schema = f"two_{os.getpid()}_{int(time.time())}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    accounts.create_user(actor=SYSTEM, engine=engine, username="tongji", password=PASSWORD, role="bureau")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    env = os.environ | {
        "DEM_DATABASE_URL": url,
        "DEM_INBOX_DIR": str(inbox),
        "DEM_INBOX_INTERVAL_SECONDS": "1",
        "DEM_INBOX_PUBLISH": "true",
        "DEM_UPLOAD_DIR": str(tmp_path / "archive"),
    }
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            process = subprocess.Popen(
                [str(DEM), "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
        for url_, process in zip(urls, processes, strict=True):
            _wait(url_, process)
        yield urls, engine, inbox
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_session_opened_on_one_instance_works_on_the_other(instances: tuple) -> None:
    (a, b), _, _ = instances
    login = httpx.post(f"{a}/api/v1/auth/login", json={"username": "tongji", "password": PASSWORD})
    assert login.status_code == 200
    cookie = {"Cookie": f"dem_session={login.cookies['dem_session']}"}
    assert httpx.get(f"{b}/api/v1/auth/me", headers=cookie).json()["username"] == "tongji"


def test_failed_logins_count_across_instances(instances: tuple) -> None:
    (a, b), _, _ = instances
    for url in (a, b, a, b, a):
        bad = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "tongji", "password": "wrong-password"}
        )
        assert bad.status_code == 401
    limited = httpx.post(f"{b}/api/v1/auth/login", json={"username": "tongji", "password": PASSWORD})
    assert limited.status_code == 429


def test_each_inbox_file_is_processed_once_by_one_of_the_instances(instances: tuple) -> None:
    _, engine, inbox = instances
    for n in range(4):
        write_csv(inbox / f"city_{n}.csv", [("5G基站数", "太原市", f"202{n}Q4", str(1000 + n))])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and list(inbox.glob("*.csv")):
        time.sleep(0.5)
    assert not list(inbox.glob("*.csv"))
    time.sleep(2)  # a second instance that wrongly ran too would have staged again by now
    with engine.connect() as conn:
        uploads = conn.execute(sa.select(s.uploads.c.file_name, s.uploads.c.status)).all()
    assert sorted(uploads) == [(f"city_{n}.csv", "published") for n in range(4)]
    assert len(list((inbox / "processed").glob("*.report.json"))) == 4
