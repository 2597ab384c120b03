"""`dem serve`, `dem user …` and `dem audit`: run the service and manage who may use it."""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import sys
from typing import Annotated

import typer
from rich.table import Table

from app.auth.policy import system_actor
from app.auth.roles import Role
from app.cli.common import console, fail, open_engine, settings_now
from app.services import accounts
from app.services.accounts import AccountError
from app.store import audit as audit_store

log = logging.getLogger(__name__)
users = typer.Typer(help="Manage user accounts 用户管理", no_args_is_help=True)

#: Who `dem user …` acts as: the operator at the console, an administrator (app.auth.policy).
CLI = system_actor("cli")


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on")] = 8050,
    demo: Annotated[bool, typer.Option("--demo", help="Sign visitors in as a read-only leader")] = False,
) -> None:
    """Run the API, the dashboard and the scheduled jobs in one process."""
    import uvicorn

    from app.main import create_app

    settings = settings_now()
    if demo:
        settings = settings.model_copy(update={"demo": True})
    engine = open_engine(settings)
    from app.store import migrate

    if not migrate.is_current(engine):
        raise fail("数据库结构不是最新版本，请先运行 dem init / the database needs `dem init` first")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not port_is_free(host, port):
        raise fail(
            f"端口 {port} 已被占用，请换一个端口：dem serve --port {port + 1}（或 make run PORT={port + 1}）"
            f" / port {port} on {host} is in use: pick another with --port (make run PORT=…)"
        )
    if settings.cookie_secure and not is_loopback(host):
        log.warning(
            "DEM_COOKIE_SECURE=true and listening on %s: browsers send the session cookie only over HTTPS, "
            "so sign-in over plain http://%s:%s/ fails. Serve HTTPS through a proxy, or set "
            "DEM_COOKIE_SECURE=false on a closed test network (docs/deployment.md).",
            host,
            host,
            port,
        )
    console().print(f"数字经济监测 serving on http://{host}:{port}/ {'(demo)' if demo else ''}")
    # the app reads X-Forwarded-For itself, only from DEM_TRUSTED_PROXIES; uvicorn must not rewrite it
    uvicorn.run(
        create_app(settings, engine=engine), host=host, port=port, log_level="info", proxy_headers=False
    )


def port_is_free(host: str, port: int) -> bool:
    """True when nothing listens on host:port yet, so `dem serve` can fail before it loads anything."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def is_loopback(host: str) -> bool:
    """Whether browsers treat this address as localhost (where Secure cookies work over plain HTTP)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: A password given as a command-line argument shows in `ps` and the shell history: never ask for one.
PASSWORD_STDIN_HELP = "Read the password from the first line of stdin (for scripts), not a prompt"


def read_password(*, from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a prompt that does not echo."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise fail("标准输入中没有密码 / no password on stdin")
        return line.rstrip("\r\n")
    return str(typer.prompt("Password 密码", hide_input=True, confirmation_prompt=True))


@users.command("add")
def user_add(
    username: str,
    role: Annotated[Role, typer.Option("--role", help="admin | bureau | department | leader")],
    department: Annotated[
        str | None, typer.Option("--department", help="Department code (department users)")
    ] = None,
    display_name: Annotated[str | None, typer.Option("--name", help="Display name")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)] = False,
) -> None:
    """Create a user (the password is asked for, hidden, or read from stdin)."""
    password = read_password(from_stdin=password_stdin)
    settings = settings_now()
    engine = open_engine(settings)
    from indicators.plan import load_plan

    if department is not None and department not in {d.code for d in load_plan(settings.plan).departments}:
        raise fail(f"未知部门 unknown department: {department}")
    try:
        accounts.create_user(
            engine=engine,
            username=username,
            password=password,
            role=role,
            department=department,
            display_name=display_name,
            actor=CLI,
        )
    except AccountError as exc:
        raise fail(str(exc)) from exc
    console().print(f"已创建用户 created {username} ({role})")


@users.command("passwd")
def user_passwd(
    username: str,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help=PASSWORD_STDIN_HELP)] = False,
) -> None:
    """Set a user's password (their sessions and tokens end); asked for, hidden, or read from stdin."""
    password = read_password(from_stdin=password_stdin)
    try:
        accounts.set_password(
            engine=open_engine(settings_now()), username=username, password=password, actor=CLI
        )
    except AccountError as exc:
        raise fail(str(exc)) from exc
    console().print(f"已更新密码 password changed for {username}")


def _set_active(username: str, *, active: bool) -> None:
    try:
        accounts.set_active(engine=open_engine(settings_now()), username=username, active=active, actor=CLI)
    except AccountError as exc:
        raise fail(str(exc)) from exc
    console().print(f"已启用 enabled {username}" if active else f"已停用 disabled {username}")


@users.command("disable")
def user_disable(username: str) -> None:
    """Disable a user (their sessions and tokens stop working)."""
    _set_active(username, active=False)


@users.command("enable")
def user_enable(username: str) -> None:
    """Enable a disabled user again."""
    _set_active(username, active=True)


@users.command("list")
def user_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List users."""
    found = accounts.list_users(engine=open_engine(settings_now()))
    if as_json:
        rows = [
            {"username": u.username, "role": str(u.role), "department": u.department, "active": u.active}
            for u in found
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("用户 user", "姓名 name", "角色 role", "部门 department", "状态 active")
    for u in found:
        table.add_row(
            u.username, u.display_name, str(u.role), u.department or "—", "是" if u.active else "否"
        )
    console().print(table)


def audit(
    limit: Annotated[int, typer.Option("--limit")] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show the newest audit log entries."""
    engine = open_engine(settings_now())
    with engine.connect() as conn:
        rows = audit_store.fetch_audit(conn, limit=limit)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("时间 at", "用户 user", "操作 action", "对象 object", "内容 after")
    for r in rows:
        table.add_row(
            f"{r['occurred_at']:%Y-%m-%d %H:%M:%S}",
            r["username"],
            r["action"],
            f"{r['object_type']} {r['object_id'] or ''}",
            json.dumps(r["after"], ensure_ascii=False) if r["after"] else "",
        )
    console().print(table)
