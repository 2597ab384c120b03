"""What every command needs: settings from the environment, an engine, and a way to fail clearly."""

from __future__ import annotations

import sqlalchemy as sa
import typer
from rich.console import Console

from app.config import Settings
from app.store.engine import DatabaseLockedError, check_connection, make_engine


def console(*, stderr: bool = False) -> Console:
    return Console(soft_wrap=True, stderr=stderr)


def settings_now() -> Settings:
    """Fresh settings per command, so the environment of the call is what counts."""
    return Settings()


def fail(message: str) -> typer.Exit:
    console().print(f"[red]{message}[/red]")
    return typer.Exit(1)


def open_engine(settings: Settings) -> sa.Engine:
    """An engine that has connected once, or a clear message (e.g. the DuckDB file is locked)."""
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
    except DatabaseLockedError as exc:
        raise fail(str(exc)) from exc
    return engine
