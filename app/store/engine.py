"""Engines for both backends, with the one DuckDB-specific concern handled in one place."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


class DatabaseLockedError(RuntimeError):
    """The DuckDB file is held by another process (DuckDB allows one process per file)."""


def make_engine(database_url: str) -> sa.Engine:
    """Create an engine; for DuckDB, make sure the file's folder exists."""
    url = make_url(database_url)
    if url.get_backend_name() == "duckdb":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(url)
    return sa.create_engine(url, pool_pre_ping=True)


def check_connection(engine: sa.Engine) -> None:
    """Open a connection, turning DuckDB's lock conflict into a message a user can act on."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.DBAPIError as exc:
        if "lock" in str(exc).lower():
            raise DatabaseLockedError(
                f"数据库文件被另一个进程占用（DuckDB 只允许一个进程打开）：{engine.url.database}。"
                "请在运行中的服务（dem serve）上操作，或先停止它。/ The DuckDB file is locked by another "
                "process; use the running service or stop it first."
            ) from exc
        raise
