"""`dem template` and `dem progress`: what an operator needs to hand out and to read back."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from app.cli.common import console, fail, open_engine, settings_now
from app.services import progress as progress_service
from app.services.clock import utcnow
from etl.template import write_template
from indicators.periods import Period
from indicators.plan import load_plan

STATUS_STYLE = {
    "achieved": "bold green",
    "ahead": "green",
    "on_track": "cyan",
    "behind": "yellow",
    "severely_behind": "bold red",
    "missed": "red",
    "no_data": "dim",
}
PROGRESS_COLUMNS = (
    "目标 target",
    "当前 current",
    "目标值 target",
    "完成率",
    "序时差(pp)",
    "ρ",
    "状态",
    "趋势",
)
JSON_FIELDS = (
    "target_id",
    "indicator",
    "region",
    "year",
    "comparator",
    "target",
    "baseline",
    "baseline_period",
    "current",
    "current_period",
    "expected",
    "completion",
    "expected_completion",
    "schedule_gap_pp",
    "gap_closed",
    "progress_ratio",
    "status",
    "trend",
    "projected",
    "projected_year",
    "explanation",
    "flags",
)


def last_complete_quarter(today: dt.date) -> Period:
    return Period.quarter(today.year, (today.month - 1) // 3 + 1).previous()


def template(
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write the .xlsx")],
    period: Annotated[str | None, typer.Option("--period", help="e.g. 2025Q3 (default: last one)")] = None,
    department: Annotated[str | None, typer.Option("--department", help="Reporting department code")] = None,
) -> None:
    """Write the upload template workbook for a period."""
    settings = settings_now()
    plan = load_plan(settings.plan)
    try:
        when = Period.parse(period) if period else last_complete_quarter(utcnow().date())
    except ValueError as exc:
        raise fail(f"时期格式应为 2025Q3 / period must look like 2025Q3: {period}") from exc
    if department is not None and department not in {d.code for d in plan.departments}:
        raise fail(f"未知部门 unknown department: {department}")
    try:
        write_template(output, plan=plan, period=when, department=department)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    console().print(f"模板已生成 template written: {output} ({when})")


def progress(
    year: Annotated[int | None, typer.Option("--year", help="Only targets due in this year")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="e.g. 2025Q2 (default: latest data)")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region code, e.g. 140000")] = None,
    department: Annotated[str | None, typer.Option("--department", help="Department code")] = None,
    published_on: Annotated[
        str | None,
        typer.Option("--published-on", help="Values as published that day"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Progress against every target in scope: completion, 序时进度, status, trend, projection."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    try:
        vintage = dt.date.fromisoformat(published_on) if published_on else None
        if as_of is not None:
            Period.parse(as_of)
    except ValueError as exc:
        raise fail(f"日期或时期格式有误 bad date or period: {exc}") from exc
    query = progress_service.ProgressQuery(
        as_of=as_of, region=region, department=department, year=year, published_on=vintage
    )
    try:
        frame = progress_service.progress(engine=engine, plan=plan, query=query)
    except progress_service.ScopeError as exc:
        raise fail(str(exc)) from exc
    records = [_json_record(row) for row in frame.to_dict("records")]
    if as_json:
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    _print_progress(records)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _json_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {k: _clean(v) for k, v in row.items() if not isinstance(v, list | tuple)}
    record.update({k: list(v) for k, v in row.items() if isinstance(v, list | tuple)})
    record.setdefault("explanation", record.get("explanation_zh"))
    return {k: record.get(k) for k in JSON_FIELDS} | {k: v for k, v in record.items() if k not in JSON_FIELDS}


def _fmt(value: Any, pattern: str = "{:,.2f}") -> str:
    return "—" if value is None else pattern.format(value)


def _print_progress(records: list[dict[str, Any]]) -> None:
    table = Table(
        "目标 target", "当前 current", "目标值 target", "完成率", "序时差(pp)", "ρ", "状态 status", "趋势"
    )
    for r in records:
        style = STATUS_STYLE.get(r["status"], "")
        table.add_row(
            r["target_id"],
            f"{_fmt(r['current'])} ({r['current_period'] or '—'})",
            f"{r['comparator']} {_fmt(r['target'])}",
            _fmt(r["completion"], "{:.1%}"),
            _fmt(r["schedule_gap_pp"], "{:+.1f}"),
            _fmt(r["progress_ratio"]),
            f"[{style}]{r.get('status_zh') or r['status']}[/{style}]",
            str(r.get("trend") or "—"),
        )
    console().print(table)
