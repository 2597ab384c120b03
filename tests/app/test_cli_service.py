"""`dem user …`, `dem audit`, the first admin from `dem init`, and `dem serve` answering /healthz."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.cli.service import is_loopback
from tests.support.server import free_port

runner = CliRunner()
DEM = Path(sys.executable).parent / "dem"


def test_init_creates_the_first_admin_once_and_shows_its_password_last_and_in_a_private_file(
    database_url: str, tmp_path: Path
) -> None:
    env = {"DEM_DATABASE_URL": database_url, "DEM_DATA_DIR": str(tmp_path / "data")}
    first = runner.invoke(cli, ["init"], env=env)
    assert first.exit_code == 0, first.output
    announced, saved_in, _change_it = first.output.strip().splitlines()[-3:]
    assert announced.startswith("已创建管理员 admin：密码 password ")
    password = announced.removeprefix("已创建管理员 admin：密码 password ").strip()
    secret = tmp_path / "data" / "admin-password.txt"
    assert str(secret) in saved_in.replace("\n", "")
    assert secret.read_text(encoding="utf-8") == f"admin {password}\n"
    assert secret.stat().st_mode & 0o777 == 0o600
    second = runner.invoke(cli, ["init"], env=env)
    assert "已创建管理员" not in second.output
    users = json.loads(runner.invoke(cli, ["user", "list", "--json"], env=env).output)
    assert users == [{"username": "admin", "role": "admin", "department": None, "active": True}]


def test_user_commands_manage_accounts_and_are_audited(database_url: str) -> None:
    env = {"DEM_DATABASE_URL": database_url, "DEM_ADMIN_PASSWORD": "first-operator-secret"}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    add = runner.invoke(
        cli,
        ["user", "add", "txglj", "--role", "department", "--department", "comms_admin"],
        input="department-pass\ndepartment-pass\n",
        env=env,
    )
    assert add.exit_code == 0, add.output
    unknown = runner.invoke(
        cli, ["user", "add", "x", "--role", "department", "--department", "nobody"], input="p\np\n", env=env
    )
    assert unknown.exit_code == 1 and "未知部门" in unknown.output
    weak = runner.invoke(cli, ["user", "add", "yy", "--role", "leader"], input="short\nshort\n", env=env)
    assert weak.exit_code == 1 and "密码至少" in weak.output
    assert (
        runner.invoke(
            cli, ["user", "passwd", "txglj"], input="another-pass-1\nanother-pass-1\n", env=env
        ).exit_code
        == 0
    )
    assert runner.invoke(cli, ["user", "disable", "txglj"], env=env).exit_code == 0
    users = {
        u["username"]: u for u in json.loads(runner.invoke(cli, ["user", "list", "--json"], env=env).output)
    }
    assert users["txglj"] == {
        "username": "txglj",
        "role": "department",
        "department": "comms_admin",
        "active": False,
    }
    audit = json.loads(runner.invoke(cli, ["audit", "--json"], env=env).output)
    assert [a["action"] for a in audit][:4] == ["user.disable", "user.password", "user.create", "user.create"]


@pytest.mark.slow
def test_serve_answers_healthz_and_guards_the_dashboard(tmp_path: Path) -> None:
    env = os.environ | {
        "DEM_DATABASE_URL": f"duckdb:///{tmp_path / 'dem.duckdb'}",
        "DEM_ADMIN_PASSWORD": "operator-secret-1",
    }
    # a separate process: the DuckDB file must not stay open in this one
    subprocess.run([str(DEM), "init"], env=env, check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen(
        [str(DEM), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        assert health is not None and health.json() == {
            "status": "ok",
            "database": True,
            "migrations_current": True,
            "scheduler_running": True,
        }
        home = httpx.get(f"{base}/", follow_redirects=False)
        assert (home.status_code, home.headers["location"]) == (302, "/login?next=/")
        login = httpx.get(f"{base}/login")
        assert "请登录" in login.text
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_on_a_taken_port_stops_at_once_and_names_another(tmp_path: Path) -> None:
    env = {
        "DEM_DATABASE_URL": f"duckdb:///{tmp_path / 'dem.duckdb'}",
        "DEM_ADMIN_PASSWORD": "operator-secret-1",
    }
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)], env=env)
    assert result.exit_code == 1
    assert f"端口 {port} 已被占用" in result.output and f"--port {port + 1}" in result.output


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("10.1.2.3", False)],
)
def test_only_loopback_hosts_count_as_localhost_for_secure_cookies(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
