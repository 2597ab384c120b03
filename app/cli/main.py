"""Command definitions for `dem`. Each command builds Settings, calls one service and prints."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app.config import Settings
from app.services import setup
from app.store import catalog as catalog_store
from app.store.engine import DatabaseLockedError, check_connection, make_engine
from indicators.plan import PlanError, load_plan

cli = typer.Typer(help="Digital Economy Monitor 数字经济监测 — operator commands.", no_args_is_help=True)
log = logging.getLogger("dem")


def _console() -> Console:
    return Console(soft_wrap=True)


def _settings() -> Settings:
    """Fresh settings per command, so the environment of the call is what counts."""
    return Settings()


def _fail(message: str) -> typer.Exit:
    _console().print(f"[red]{message}[/red]")
    return typer.Exit(1)


@cli.command()
def init() -> None:
    """Create or upgrade the database and load the plan (safe to run again)."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        summary = setup.init_database(engine=engine, plan_path=settings.plan)
    except (PlanError, DatabaseLockedError) as exc:
        raise _fail(str(exc)) from exc
    console = _console()
    console.print(f"数据库 database: {engine.url.render_as_string(hide_password=True)}")
    console.print(f"结构版本 schema: {summary.revision_before or '—'} → {summary.revision_after}")
    state = "已更新 updated" if summary.plan_changed else "未变化 unchanged"
    console.print(f"规划 plan {summary.plan_code}: {state}")
    for table, count in summary.counts.items():
        console.print(f"  {table:<18} {count:>5}")


class CatalogPart(StrEnum):
    indicators = "indicators"
    targets = "targets"
    tasks = "tasks"
    departments = "departments"
    regions = "regions"
    domains = "domains"


_COLUMNS: dict[CatalogPart, tuple[str, ...]] = {
    CatalogPart.indicators: ("code", "name", "unit", "frequency", "measure", "aggregation", "department"),
    CatalogPart.targets: ("id", "name", "comparator", "value", "year", "trajectory", "clause"),
    CatalogPart.tasks: ("code", "domain", "kind", "clause", "title", "departments"),
    CatalogPart.departments: ("code", "short_name", "name", "kind"),
    CatalogPart.regions: ("code", "name", "short_name", "level", "parent"),
    CatalogPart.domains: ("code", "name", "title"),
}


@cli.command()
def catalog(
    part: Annotated[CatalogPart, typer.Argument(help="What to list")] = CatalogPart.indicators,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """List the plan catalog as loaded in the database."""
    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        check_connection(engine)
        plan_code = load_plan(settings.plan).code
        with engine.connect() as conn:
            rows = catalog_store.fetch_table(conn, table=part.value, plan_code=plan_code)
            if part is CatalogPart.tasks:
                _attach_departments(conn, rows, plan_code)
    except (PlanError, DatabaseLockedError) as exc:
        raise _fail(str(exc)) from exc
    if not rows:
        raise _fail("目录为空：请先运行 dem init / catalog is empty: run `dem init` first")
    for row in rows:
        row.pop("plan_code", None)
        row.pop("position", None)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(*_COLUMNS[part])
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in _COLUMNS[part]))
    _console().print(table)


def _attach_departments(conn: Any, rows: list[dict[str, Any]], plan_code: str) -> None:
    links = catalog_store.fetch_table(conn, table="task_departments", plan_code=plan_code)
    by_task: dict[str, list[tuple[int, str]]] = {}
    for link in links:
        by_task.setdefault(link["task_code"], []).append((link["position"], link["department_code"]))
    for row in rows:
        row["departments"] = [code for _, code in sorted(by_task.get(row["code"], []))]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)
