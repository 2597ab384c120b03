"""Command definitions for `dem`. Each command builds Settings, calls one service and prints."""

from __future__ import annotations

import json
import logging
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table

from app.cli import cycle as cycle_cli
from app.cli import reports as report_cli
from app.cli import service as service_cli
from app.cli import uploads as upload_cli
from app.cli.common import console, fail, open_engine, settings_now
from app.config import Settings
from app.services import accounts, samples, setup
from app.services import uploads as upload_service
from app.store import catalog as catalog_store
from indicators.plan import PlanError, load_plan

cli = typer.Typer(help="Digital Economy Monitor 数字经济监测 — operator commands.", no_args_is_help=True)
cli.add_typer(service_cli.users, name="user")
cli.command()(service_cli.serve)
cli.command()(service_cli.audit)
log = logging.getLogger("dem")


for _command in (
    upload_cli.ingest,
    upload_cli.uploads,
    upload_cli.publish,
    upload_cli.rollback,
    report_cli.template,
    report_cli.progress,
    report_cli.index,
    cycle_cli.lock,
    cycle_cli.unlock,
    cycle_cli.locks,
    cycle_cli.remind,
):
    cli.command()(_command)


@cli.command()
def init(
    sample: Annotated[bool, typer.Option("--sample", help="Also load the sample uploads")] = False,
) -> None:
    """Create or upgrade the database and load the plan (safe to run again)."""
    settings = settings_now()
    engine = open_engine(settings)
    try:
        summary = setup.init_database(engine=engine, plan_path=settings.plan)
    except PlanError as exc:
        raise fail(str(exc)) from exc
    out = console()
    out.print(f"数据库 database: {engine.url.render_as_string(hide_password=True)}")
    out.print(f"结构版本 schema: {summary.revision_before or '—'} → {summary.revision_after}")
    state = "已更新 updated" if summary.plan_changed else "未变化 unchanged"
    out.print(f"规划 plan {summary.plan_code}: {state}")
    for table, count in summary.counts.items():
        out.print(f"  {table:<18} {count:>5}")
    generated = accounts.ensure_first_admin(engine=engine, password=settings.admin_password)
    if generated:
        out.print(f"[bold]已创建管理员 admin：密码 password {generated}（只显示这一次 shown once）[/bold]")
    if sample:
        _load_samples(settings, engine)


def _load_samples(settings: Settings, engine: sa.Engine) -> None:
    out = console()
    plan = load_plan(settings.plan)
    out.print(f"示例数据 sample data: {settings.sample_dir}")

    def show(o: samples.SampleOutcome) -> None:
        out.print(f"  {o.file_name:<48} {o.status:<10} {o.values:>5} values  {o.warnings:>3} warnings")

    try:
        results = samples.load_samples(
            engine=engine,
            plan=plan,
            sample_dir=settings.sample_dir,
            archive_dir=settings.upload_dir,
            on_file=show,
        )
    except upload_service.UploadError as exc:
        raise fail(str(exc)) from exc
    failed = [r for r in results if r.status == "rejected"]
    if failed:
        raise fail(f"示例文件未通过校验 sample files rejected: {[r.file_name for r in failed]}")


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
    settings = settings_now()
    engine = open_engine(settings)
    try:
        plan_code = load_plan(settings.plan).code
    except PlanError as exc:
        raise fail(str(exc)) from exc
    with engine.connect() as conn:
        rows = catalog_store.fetch_table(conn, table=part.value, plan_code=plan_code)
        if part is CatalogPart.tasks:
            _attach_departments(conn, rows, plan_code)
    if not rows:
        raise fail("目录为空：请先运行 dem init / catalog is empty: run `dem init` first")
    for row in rows:
        row.pop("plan_code", None)
        row.pop("position", None)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(*_COLUMNS[part])
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in _COLUMNS[part]))
    console().print(table)


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
