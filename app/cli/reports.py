"""`dem template`, `dem progress` and `dem index`: what an operator needs to hand out and to read back."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from app.cli.common import console, fail, open_engine, settings_now
from app.services import composite as composite_service
from app.services import progress as progress_service
from app.services import templates as template_service
from app.services.briefs import last_complete_quarter
from app.services.clock import utcnow
from indicators.composite import TOTAL
from indicators.explain import NO_AS_OF
from indicators.periods import Period
from indicators.plan import load_plan
from indicators.progress import FLAG_LABELS, STATUS_LABELS

STATUS_STYLE = {
    "achieved": "bold green",
    "ahead": "green",
    "on_track": "cyan",
    "behind": "yellow",
    "severely_behind": "bold red",
    "missed": "red",
    "awaiting_final": "magenta",
    "no_data": "dim",
}
COMPARATOR_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
_WIDE = 100  # columns from which the target table can afford a space of padding
_SMALL = 1.0  # numbers below this get significant decimals (0.3055), others at most two (3,177.3)


def template(
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write the .xlsx (default: 数据上报模板_<period>.xlsx here)"
        ),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="e.g. 2025Q3 or 2025年第三季度 (default: last one)")
    ] = None,
    department: Annotated[str | None, typer.Option("--department", help="Reporting department code")] = None,
) -> None:
    """Write the upload template workbook for a period."""
    settings = settings_now()
    plan = load_plan(settings.plan)
    try:
        workbook = template_service.template_workbook(
            plan=plan,
            period=period if period else last_complete_quarter(today=utcnow().date()),
            department=department,
        )
    except template_service.TemplateError as exc:
        raise fail(str(exc)) from exc
    path = output if output is not None else Path(workbook.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook.content)
    console().print(f"模板已生成 template written: {path} ({workbook.period})")


def progress(
    year: Annotated[int | None, typer.Option("--year", help="Only targets due in this year")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="e.g. 2025Q2 or 2025年第二季度 (default: latest data)")
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region code, e.g. 140000")] = None,
    department: Annotated[str | None, typer.Option("--department", help="Department code")] = None,
    published_on: Annotated[
        str | None,
        typer.Option("--published-on", help="Values as published that day (YYYY-MM-DD, UTC)"),
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Print why each status is what it is")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Progress against every target in scope: completion, 序时进度, status, trend, projection."""
    settings = settings_now()
    plan = load_plan(settings.plan)
    query = progress_service.ProgressQuery(
        as_of=as_of,
        region=region,
        department=department,
        year=year,
        published_on=_date(published_on),
    )
    engine = open_engine(settings)
    try:
        records = progress_service.progress_records(
            engine=engine, plan=plan, query=query, explain=as_json or explain
        )
    except progress_service.ScopeError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    _print_progress(records, query, province=plan.province.code, explain=explain)


def index(
    region: Annotated[
        str | None, typer.Option("--region", help="Region code; alone, shows its index over time")
    ] = None,
    period: Annotated[str | None, typer.Option("--period", help="e.g. 2025Q3 (default: the latest)")] = None,
    published_on: Annotated[
        str | None,
        typer.Option("--published-on", help="Values as published that day (YYYY-MM-DD, UTC)"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (long: one object a dimension)")
    ] = False,
) -> None:
    """The composite 数字经济发展指数 (2020 province = 100) by region, period and dimension."""
    settings = settings_now()
    plan = load_plan(settings.plan)
    engine = open_engine(settings)
    try:
        frame = composite_service.composite_index(
            engine=engine, plan=plan, region=region, period=period, published_on=_date(published_on)
        )
    except progress_service.ScopeError as exc:
        raise fail(str(exc)) from exc
    finally:
        engine.dispose()
    if region is None and period is None and not frame.empty:
        latest = max(frame["period"].unique(), key=Period.parse)  # the last region may lag the others
        frame = frame[frame["period"] == latest]
    rows = progress_service.records(frame)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    _print_index(rows, plan_dimensions=[(d.code, d.name) for d in plan.index.dimensions])


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"日期格式应为 2025-10-20 / date must look like 2025-10-20: {text}") from exc


def _number(value: float | None) -> str:
    """A value as a reader expects it: 67,300 · 3,177.3 · 0.3055 (no trailing zeros)."""
    if value is None:
        return "—"
    if abs(value) < _SMALL:
        return f"{value:.4g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_progress(
    records: list[dict[str, Any]], query: progress_service.ProgressQuery, *, province: str, explain: bool
) -> None:
    """The target table: one line a target on a 120-column terminal, wrapped cells on an 80-column one."""
    out = console()
    if not records:
        out.print("范围内没有数值目标 no numeric targets in scope")
        return
    as_of = records[0]["as_of"] or NO_AS_OF
    vintage = f"，按 {query.published_on} 发布口径" if query.published_on else ""
    table = Table(
        title=f"规划目标进度（截至 {as_of}{vintage}）",
        caption=_summary(records),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0) if out.width >= _WIDE else 0,  # a narrow terminal needs every column
        show_edge=False,
    )
    table.add_column("目标", overflow="fold", min_width=12)
    table.add_column("当前值", overflow="fold", min_width=9)
    table.add_column("期", no_wrap=True)
    table.add_column("目标值", no_wrap=True)
    table.add_column("完成率", justify="right", no_wrap=True)
    table.add_column("序时差pp", justify="right", min_width=6)
    table.add_column("状态", no_wrap=True)
    table.add_column("趋势/结果", overflow="fold", min_width=8)
    for r in records:
        style = STATUS_STYLE.get(r["status"], "")
        place = "" if r["region"] == province else f"{r['region_name'] or r['region']} "
        gap = r["schedule_gap_pp"]
        table.add_row(
            f"{r['name']} {place}{r['year']}",
            "—" if r["current"] is None else f"{_number(r['current'])} {r['unit']}",
            r["current_period"] or "—",
            f"{COMPARATOR_SIGN.get(r['comparator'], r['comparator'])} {_number(r['target'])}",
            _percent(r["completion"]),
            "—" if gap is None else f"{gap:+.1f}",
            f"[{style}]{r['status_zh']}[/{style}]" + (" *" if r["flags"] else ""),
            r.get("verdict_zh") or r["trend_zh"] or "—",
        )
    out.print(table, soft_wrap=False)
    for r in records:
        if r["flags"]:
            notes = "；".join(FLAG_LABELS[f][0] for f in r["flags"] if f in FLAG_LABELS)
            out.print(f"* {r['name']} {r['year']}：{notes}")
    if explain:
        for r in records:
            out.print(f"· {r['name']} {r['year']}：{r['explanation']}")


def _summary(records: list[dict[str, Any]]) -> str:
    counts = Counter(r["status"] for r in records)
    return " · ".join(f"{STATUS_LABELS[s][0]} {counts[s]}" for s in STATUS_LABELS if counts[s])


def _print_index(rows: list[dict[str, Any]], *, plan_dimensions: list[tuple[str, str]]) -> None:
    out = console()
    if not rows:
        out.print("没有可计算指数的数据 no data for the index")
        return
    table = Table(
        title="数字经济发展指数（2020 年全省 = 100）",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=0,
        show_edge=False,
    )
    table.add_column("地区", no_wrap=True)
    table.add_column("时期", no_wrap=True)
    table.add_column("总指数", justify="right", no_wrap=True)
    for _, name in plan_dimensions:
        table.add_column(name, justify="right", overflow="fold")
    table.add_column("覆盖率", justify="right", no_wrap=True)
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        cells.setdefault((row["region"], row["period"]), {"name": row["region_name"]})[row["dimension"]] = row
    for (region, period), cell in cells.items():
        total = cell.get(TOTAL)
        table.add_row(
            cell["name"] or region,
            period,
            _index_value(total),
            *(_index_value(cell.get(code)) for code, _ in plan_dimensions),
            _percent(total["coverage"]) if total else "—",
        )
    out.print(table, soft_wrap=False)


def _index_value(row: dict[str, Any] | None) -> str:
    return "—" if row is None or row["value"] is None else f"{row['value']:.1f}"
