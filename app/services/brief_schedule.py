"""The quarterly briefs the scheduler writes: the province's and every department's, once a quarter.

From `brief_day` days after a quarter ends until the next quarter ends, every check writes what is
missing for the last complete quarter: a brief counts as present when one of the same scope, period
and format already exists for the current data version (whoever made it). So a failed brief is simply
missing at the next check and is tried again, and a revision published after the due day gets briefs
on the revised numbers. Writing a file and its `briefs` row is `generate_brief`'s business: it
writes the file completely before it records it, so nothing half-written is ever listed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.auth.policy import system_actor
from app.config import Settings
from app.services import briefs as brief_service
from app.services import progress as progress_service
from indicators.model import Plan
from indicators.periods import Period

log = logging.getLogger(__name__)

SCHEDULER_USER = system_actor("scheduler")
"""Who the scheduled briefs are made by, in the `briefs` table and the audit log."""
KNOWN_BRIEFS_LIMIT = 100_000
"""Enough to see every brief ever recorded (a province writes a few dozen a quarter)."""


@dataclass(frozen=True)
class BriefOutcome:
    scope: str
    period: str
    format: str
    status: str  # written | present | failed
    brief_id: int | None = None
    error: str | None = None


def due_date(period: Period, *, brief_day: int) -> dt.date:
    """The day a quarter's briefs are due: `brief_day` days after the quarter's last day."""
    return period.end_date + dt.timedelta(days=brief_day)


def scheduled_scopes(plan: Plan) -> list[brief_service.BriefScope]:
    """The province, then every department that leads or supports a task, in plan order."""
    departments = [d.code for d in plan.departments if plan.department_tasks(d.code)]
    return [
        brief_service.BriefScope.parse("province", plan=plan),
        *(brief_service.BriefScope.parse(f"department:{code}", plan=plan) for code in departments),
    ]


def write_quarterly_briefs(
    *,
    engine: sa.Engine,
    plan: Plan,
    settings: Settings,
    today: dt.date,
    before_each: Callable[[], bool] | None = None,
) -> list[BriefOutcome]:
    """Write the due quarter's missing briefs; one failure is logged and leaves the others to run.

    `before_each` (the lease renewal) returning False stops the run: another instance took over.
    """
    period = brief_service.last_complete_quarter(today=today)
    if today < due_date(period, brief_day=settings.brief_day):
        return []
    version = progress_service.data_version(engine=engine)
    present = {
        (r.scope, r.period, r.format)
        for r in brief_service.list_briefs(engine=engine, actor=SCHEDULER_USER, limit=KNOWN_BRIEFS_LIMIT)
        if r.data_version == version
    }
    keys = [(scope, fmt) for scope in scheduled_scopes(plan) for fmt in settings.brief_format_list]
    missing = [(scope, fmt) for scope, fmt in keys if (str(scope), str(period), fmt) not in present]
    if missing and not _folder_ready(settings.brief_dir):
        return [
            BriefOutcome(str(sc), str(period), fmt, status="failed", error="brief folder")
            for sc, fmt in missing
        ]
    outcomes: list[BriefOutcome] = []
    for scope, fmt in keys:
        key = (str(scope), str(period), fmt)
        if (scope, fmt) not in missing:
            outcomes.append(BriefOutcome(*key, status="present"))
            continue
        if before_each is not None and not before_each():
            log.warning("brief job: lease lost, stopping before %s %s %s", *key)
            return outcomes
        outcomes.append(_write_one(engine, plan, settings, scope, period, fmt))
    return outcomes


def _folder_ready(folder: Path) -> bool:
    """Make the brief folder; if it cannot be made, say so once rather than once per brief.

    Every brief of the run would fail the same way, after computing its whole content first.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        log.exception("brief job: cannot create the brief folder %s; retried at the next check", folder)
        return False
    return True


def _write_one(
    engine: sa.Engine,
    plan: Plan,
    settings: Settings,
    scope: brief_service.BriefScope,
    period: Period,
    fmt: str,
) -> BriefOutcome:
    key = (str(scope), str(period), fmt)
    try:
        record = brief_service.generate_brief(
            engine=engine,
            plan=plan,
            settings=settings,
            actor=SCHEDULER_USER,
            scope=scope,
            period=period,
            fmt=brief_service.BriefFormat(fmt),
        )
    except Exception as exc:  # a failed brief must not stop the others; the next check retries it
        log.exception("brief job: %s %s %s failed; retried at the next check", *key)
        return BriefOutcome(*key, status="failed", error=str(exc))
    log.info("brief job: wrote %s %s %s as brief %s", *key, record.id)
    return BriefOutcome(*key, status="written", brief_id=record.id)
