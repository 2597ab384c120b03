"""Command definitions for `dem`. Each command builds Settings, calls one service and prints."""

from __future__ import annotations

import json
import logging
import os
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.table import Table

from app.cli import backup as backup_cli
from app.cli import briefs as brief_cli
from app.cli import cycle as cycle_cli
from app.cli import ledger as ledger_cli
from app.cli import reports as report_cli
from app.cli import service as service_cli
from app.cli import synthetic as synthetic_cli
from app.cli import uploads as upload_cli
from app.cli.common import console, fail, open_engine, settings_now
from app.config import Settings
from app.services import accounts, ledger_samples, samples, setup
from app.services import catalog as catalog_service
from app.services import uploads as upload_service
from app.services.catalog import CatalogPart, PlanState
from indicators.plan import PlanError, load_plan

cli = typer.Typer(help="Digital Economy Monitor 数字经济监测 — operator commands.", no_args_is_help=True)
cli.add_typer(service_cli.users, name="user")
cli.add_typer(ledger_cli.ledger, name="ledger")
cli.add_typer(synthetic_cli.sample, name="sample")
cli.command()(service_cli.serve)
cli.command()(service_cli.audit)
log = logging.getLogger("dem")
#: Where `dem init` keeps the generated first admin password, under the data folder (mode 0600).
ADMIN_PASSWORD_FILE = "admin-password.txt"


for _command in (
    upload_cli.ingest,
    upload_cli.uploads,
    upload_cli.publish,
    upload_cli.rollback,
    report_cli.template,
    report_cli.progress,
    report_cli.index,
    brief_cli.brief,
    brief_cli.briefs,
    cycle_cli.lock,
    cycle_cli.unlock,
    cycle_cli.locks,
    cycle_cli.remind,
    backup_cli.backup,
    backup_cli.restore,
):
    cli.command()(_command)


@cli.command()
def init(
    sample: Annotated[bool, typer.Option("--sample", help="Also load the sample uploads")] = False,
) -> None:
    """Create or upgrade the database and load the plan (safe to run again)."""
    settings = settings_now()
    engine = open_engine(settings, create=True)
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
    try:
        generated = accounts.ensure_first_admin(engine=engine, password=settings.admin_password)
    except accounts.AccountError as exc:
        raise fail(f"DEM_ADMIN_PASSWORD: {exc}") from exc
    if sample:
        _load_samples(settings, engine)
    if generated:
        _announce_first_admin(settings, generated)


def _announce_first_admin(settings: Settings, password: str) -> None:
    """Show the generated admin password last, and keep it in a file only its owner can read.

    Printed in the middle of the sample-load output it scrolled away; the file is the fallback.
    """
    path = settings.data_dir / ADMIN_PASSWORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, f"admin {password}\n".encode())
    finally:
        os.close(fd)
    out = console()
    out.print(f"[bold]已创建管理员 admin：密码 password {password}[/bold]")
    out.print(f"密码已保存到 also saved in {path}（仅本用户可读 owner-only）")
    out.print("登录后请修改密码 change it after signing in: dem user passwd admin")


def _load_samples(settings: Settings, engine: sa.Engine) -> None:
    out = console()
    plan = load_plan(settings.plan)
    out.print(f"示例数据 sample data: {settings.sample_dir}")
    if not samples.sample_files(settings.sample_dir):  # run outside the checkout, or a wrong DEM_SAMPLE_DIR
        raise fail(
            f"未找到示例数据文件：{settings.sample_dir}（请在项目目录下运行，或设置 DEM_SAMPLE_DIR） / "
            f"no sample files in {settings.sample_dir}: run from the project folder or set DEM_SAMPLE_DIR"
        )

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
    ledger = ledger_samples.load_ledger_sample(engine=engine, plan=plan, sample_dir=settings.sample_dir)
    if not ledger.skipped:
        out.print(
            f"  政策兑现示例申请 illustrative ledger: {ledger.filed} 笔申请, "
            f"审核 {ledger.approved}, 拨付 {ledger.paid}"
        )


_COLUMNS: dict[CatalogPart, tuple[str, ...]] = {
    CatalogPart.INDICATORS: ("code", "name", "unit", "frequency", "measure", "aggregation", "department"),
    CatalogPart.TARGETS: ("id", "name", "comparator", "value", "year", "trajectory", "clause"),
    CatalogPart.TASKS: ("code", "domain", "kind", "clause", "title", "departments"),
    CatalogPart.DEPARTMENTS: ("code", "short_name", "name", "kind"),
    CatalogPart.REGIONS: ("code", "name", "short_name", "level", "parent"),
    CatalogPart.DOMAINS: ("code", "name", "title"),
}


@cli.command()
def catalog(
    part: Annotated[CatalogPart, typer.Argument(help="What to list")] = CatalogPart.INDICATORS,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")] = False,
) -> None:
    """List the plan: the same rows the API's /catalog serves, from the plan file."""
    settings = settings_now()
    engine = open_engine(settings)
    try:
        plan = load_plan(settings.plan)
    except PlanError as exc:
        raise fail(str(exc)) from exc
    state = catalog_service.plan_state(engine=engine, plan=plan, plan_path=settings.plan)
    if state is PlanState.MISSING:
        raise fail("目录为空：请先运行 dem init / catalog is empty: run `dem init` first")
    if state is PlanState.CHANGED:
        console(stderr=True).print(
            "[yellow]规划文件在 dem init 之后有改动，请再运行 dem init / the plan file "
            "changed since `dem init`: run it again[/yellow]"
        )
    rows = catalog_service.catalog_rows(plan=plan, part=part)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table(*_COLUMNS[part])
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in _COLUMNS[part]))
    console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return str(value)
