"""`dem lock`, `dem unlock`, `dem locks`, `dem remind`: closing quarters and chasing reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from app.auth.policy import system_actor
from app.cli.common import console, fail, open_engine, settings_now
from app.services import locks as lock_service
from app.services import reminders as reminder_service
from app.services.clock import beijing_today
from indicators.plan import load_plan


def lock(
    period: Annotated[str, typer.Argument(help="Period to lock, e.g. 2025Q3 or 2025")],
    user: Annotated[str, typer.Option("--user", help="Who locks it (recorded in the audit log)")] = "cli",
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Lock a published period: revisions then need an unlock, or a reason marked 年报修订."""
    try:
        locked = lock_service.lock_period(
            engine=open_engine(settings_now()), period=period, actor=system_actor(user), note=note
        )
    except lock_service.LockError as exc:
        raise fail(str(exc)) from exc
    console().print(f"已锁定 locked {locked}")


def unlock(
    period: Annotated[str, typer.Argument(help="Locked period, e.g. 2025Q3")],
    user: Annotated[str, typer.Option("--user")] = "cli",
) -> None:
    """Unlock a period so that it can be revised again."""
    try:
        lock_service.unlock_period(
            engine=open_engine(settings_now()), period=period, actor=system_actor(user)
        )
    except lock_service.LockError as exc:
        raise fail(str(exc)) from exc
    console().print(f"已解锁 unlocked {period}")


def locks() -> None:
    """List locked periods."""
    table = Table("时期 period", "锁定人 by", "时间 at", "说明 note")
    for row in lock_service.list_locks(engine=open_engine(settings_now())):
        table.add_row(
            row["period"], row["locked_by"], f"{row['locked_at']:%Y-%m-%d %H:%M}", row["note"] or ""
        )
    console().print(table)


def remind(
    today: Annotated[
        str | None, typer.Option("--today", help="Run as on this date (YYYY-MM-DD); default today")
    ] = None,
) -> None:
    """Create today's 催报 reminders and mail them (what the daily job does)."""
    settings = settings_now()
    engine = open_engine(settings)
    plan = load_plan(settings.plan)
    day = dt.date.fromisoformat(today) if today else beijing_today()
    created = reminder_service.create_reminders(
        engine=engine, plan=plan, offsets=settings.reminder_days, today=day
    )
    sent = reminder_service.send_reminders(engine=engine, plan=plan, settings=settings)
    out = console()
    for r in created:
        out.print(
            f"催报 {plan.department(r['department']).short_name} {r['period']}: {r['n_missing']} 项未报"
        )
    out.print(f"新建催报 created {len(created)}，已发送邮件 mailed {sent}")
