"""What every command needs: settings from the environment, an engine, and a way to fail clearly."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import typer
from rich.console import Console
from sqlalchemy.engine import make_url

from app.config import Settings
from app.store import migrate
from app.store.engine import DatabaseLockedError, check_connection, make_engine


def console(*, stderr: bool = False) -> Console:
    return Console(soft_wrap=True, stderr=stderr)


def settings_now() -> Settings:
    """Fresh settings per command, so the environment of the call is what counts."""
    return Settings()


def fail(message: str) -> typer.Exit:
    console().print(f"[red]{message}[/red]")
    return typer.Exit(1)


NOT_INITIALISED = (
    "数据库尚未初始化：请先运行 dem init（或用 dem restore 恢复备份） / "
    "the database was never initialised: run `dem init` first (or `dem restore` a backup)"
)


def open_engine(settings: Settings, *, create: bool = False, locked_hint: str = "") -> sa.Engine:
    """An engine that has connected once, or a clear message (the DuckDB file is locked or missing).

    Only `dem init` creates a database (`create`): any other command on a database that was never
    initialised says so and exits 1, instead of leaving an empty DuckDB file behind and failing on
    a missing table. `locked_hint` is added to the message when another process holds the file.
    """
    url = make_url(settings.database_url)
    if not create and url.get_backend_name() == "duckdb" and url.database not in (None, "", ":memory:"):
        if not Path(url.database).exists():
            raise fail(f"{NOT_INITIALISED}: {url.database}")
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
    except DatabaseLockedError as exc:
        raise fail(f"{exc}\n{locked_hint}".strip()) from exc
    if not create and migrate.current_revision(engine) is None:
        engine.dispose()
        raise fail(NOT_INITIALISED)
    return engine
