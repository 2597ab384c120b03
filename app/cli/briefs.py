"""`dem brief` and `dem briefs`: make a monitoring brief (or reproduce one) and list what was made.

The operator at the console has the database itself, so the command acts as an administrator named
by `--user` (recorded in the briefs table and the audit log); `app.auth.policy.system_actor`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from app.auth.policy import system_actor
from app.cli.common import console, fail, open_engine, settings_now
from app.cli.reports import _date
from app.services import briefs as brief_service
from app.services.progress import ScopeError, parse_as_of
from indicators.plan import load_plan


def brief(
    scope: Annotated[
        str | None,
        typer.Option("--scope", help="province | department:CODE | region:CODE | final"),
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="e.g. 2025Q3 (default: last complete quarter)")
    ] = None,
    fmt: Annotated[brief_service.BriefFormat, typer.Option("--format", help="docx, xlsx or pdf")] = (
        brief_service.BriefFormat.DOCX
    ),
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write the file")] = None,
    published_on: Annotated[
        str | None,
        typer.Option("--published-on", help="The data as published that day (YYYY-MM-DD, Beijing)"),
    ] = None,
    reproduce: Annotated[
        int | None, typer.Option("--reproduce", help="Make brief ID again from its data version")
    ] = None,
    user: Annotated[str, typer.Option("--user", help="Who makes the brief (recorded)")] = "cli",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print id, path, sha256 and data version as JSON")
    ] = False,
) -> None:
    """Write a monitoring brief 监测简报 (Word, Excel or PDF) and record it."""
    settings = settings_now()
    plan = load_plan(settings.plan)
    engine = open_engine(settings)
    try:
        if reproduce is not None:
            if scope or period or published_on:
                raise fail("--reproduce 不能与 --scope/--period/--published-on 同用 / use --reproduce alone")
            record = brief_service.reproduce_brief(
                engine=engine, plan=plan, settings=settings, actor=system_actor(user), brief_id=reproduce,
                output=output,
            )  # fmt: skip
        else:
            if scope is None:
                raise fail("请给出 --scope（如 province）/ --scope is required, e.g. province")
            record = brief_service.generate_brief(
                engine=engine,
                plan=plan,
                settings=settings,
                actor=system_actor(user),
                scope=brief_service.BriefScope.parse(scope, plan=plan),
                period=parse_as_of(period) if period else None,
                fmt=fmt,
                published_on=_date(published_on),
                output=output,
            )
    except brief_service.BriefError as exc:
        raise fail(str(exc)) from exc
    except ScopeError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(record.as_json(), ensure_ascii=False, indent=2))
        return
    out = console()
    out.print(f"简报已生成 brief written: #{record.id} {record.title}")
    out.print(f"  文件 file: {record.path}")
    out.print(f"  sha256: {record.sha256}")
    out.print(f"  数据版本 data version: {record.data_version if record.data_version is not None else '—'}")
    if record.reproduces:
        out.print(f"  重现 reproduces: #{record.reproduces}")


def briefs(
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List the generated briefs with their data versions."""
    settings = settings_now()
    engine = open_engine(settings)
    records = brief_service.list_briefs(engine=engine, actor=system_actor("cli"), limit=limit)
    if as_json:
        typer.echo(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2))
        return
    table = Table("id", "scope", "period", "format", "data version", "published on", "by", "created", "file")
    for r in records:
        table.add_row(
            str(r.id),
            r.scope,
            r.period,
            r.format,
            str(r.data_version) if r.data_version is not None else "—",
            r.published_on.isoformat() if r.published_on else "—",
            r.created_by,
            f"{r.created_at:%Y-%m-%d %H:%M}",
            Path(r.path).name + (f" (#{r.reproduces})" if r.reproduces else ""),
        )
    console().print(table)
