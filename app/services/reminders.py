"""催报 reminders: on configured days around each due date, a notice to every department still owing.

The job (`app.scheduler.reminders_job`) calls `create_reminders` once a day. For each indicator it
finds the periods whose due date (`indicators.calendar`) falls `offset` days before today for one of
the configured offsets (negative: before the due date), takes the expected values still missing
for them, and records one reminder per department, period, due date and offset: running again on the
same day, or on a second instance, creates nothing new. A run that was missed is caught up within
`CATCH_UP_DAYS`. Reminders show on the department's page and are mailed when SMTP is configured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import sqlalchemy as sa

from app.auth import policy
from app.config import Settings
from app.services import mail, reminder_files
from app.services.accounts import User
from app.services.clock import utcnow
from app.services.completeness import expected_values
from app.store import observations as obs_store
from app.store import reminders as reminder_store
from indicators.calendar import due_date
from indicators.model import Plan
from indicators.periods import Frequency, Period

CATCH_UP_DAYS = 3  # a reminder day missed (the service was down) is still sent this many days later
LOOK_BACK_YEARS = 3  # periods older than this are not chased
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def chased_periods(*, plan: Plan, today: dt.date, offsets: Sequence[int]) -> pd.DataFrame:
    """(indicator, period, due_date, offset_days) whose reminder day is today or just before it."""
    rows = []
    for indicator in plan.indicators:
        for period in _recent_periods(indicator.frequency, today):
            due = due_date(plan, indicator, period)
            for offset in offsets:
                late_by = (today - (due + dt.timedelta(days=offset))).days
                if 0 <= late_by < CATCH_UP_DAYS:
                    rows.append((indicator.code, str(period), due, int(offset)))
    return pd.DataFrame(rows, columns=["indicator", "period", "due_date", "offset_days"])


def _recent_periods(frequency: Frequency, today: dt.date) -> list[Period]:
    first = today.year - LOOK_BACK_YEARS
    years = range(first, today.year + 1)
    if frequency is Frequency.ANNUAL:
        return [Period.annual(y) for y in years]
    if frequency is Frequency.QUARTERLY:
        return [Period.quarter(y, q) for y in years for q in (1, 2, 3, 4)]
    return [Period.month(y, m) for y in years for m in range(1, 13)]


def missing_by_department(*, engine: sa.Engine, plan: Plan, chased: pd.DataFrame) -> pd.DataFrame:
    """The chased values not yet published, grouped into one reminder row per department."""
    if chased.empty:
        return pd.DataFrame(columns=["department", "period", "due_date", "offset_days", "missing"])
    pieces = [
        expected_values(plan, Period.parse(period)).merge(
            group[["indicator", "period", "offset_days"]], on=["indicator", "period"]
        )
        for period, group in chased.groupby("period")
    ]
    expected = pd.concat(pieces, ignore_index=True)
    with engine.connect() as conn:
        current = obs_store.fetch_current_values(conn, indicators=sorted(set(expected["indicator"])))
    merged = expected.merge(
        current[["indicator", "region", "period", "value"]], on=["indicator", "region", "period"], how="left"
    )
    missing = merged[merged["value"].isna()]
    records = missing[["indicator", "region", "period"]].to_dict("records")
    missing = missing.assign(item=records)
    grouped = missing.groupby(["department", "period", "due_date", "offset_days"], as_index=False).agg(
        missing=("item", list)
    )
    return grouped


def create_reminders(
    *, engine: sa.Engine, plan: Plan, offsets: Sequence[int], today: dt.date, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Record today's reminders (those not already recorded) and return them."""
    now = now or utcnow()
    grouped = missing_by_department(
        engine=engine, plan=plan, chased=chased_periods(plan=plan, today=today, offsets=offsets)
    )
    rows = [
        {
            "department": g.department,
            "period": g.period,
            "due_date": g.due_date,
            "offset_days": int(g.offset_days),
            "n_missing": len(g.missing),
            "missing": g.missing,
            "created_at": now,
        }
        for g in grouped.itertuples(index=False)
    ]
    with engine.begin() as conn:
        ids = reminder_store.insert_reminders(conn, rows=rows)
        return reminder_store.fetch_reminders(conn, ids=ids, limit=max(len(ids), 1)) if ids else []


def department_reminders(*, engine: sa.Engine, department: str, limit: int = 20) -> list[dict[str, Any]]:
    """A department's reminders, newest first (its dashboard page shows them)."""
    with engine.connect() as conn:
        return reminder_store.fetch_reminders(conn, department=department, limit=limit)


def get_reminder(*, engine: sa.Engine, reminder_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        found = reminder_store.fetch_reminders(conn, ids=[reminder_id], limit=1)
    return found[0] if found else None


def send_reminders(
    *, engine: sa.Engine, plan: Plan, settings: Settings, now: dt.datetime | None = None
) -> int:
    """Mail every reminder not yet mailed to its department's configured addresses; return how many.

    Without an SMTP server, or for a department without addresses, the reminder stays on its page.
    A failed send is left for the next run.
    """
    if not mail.smtp_configured(settings):
        return 0
    now = now or utcnow()
    with engine.connect() as conn:
        pending = reminder_store.fetch_unsent(conn)
    sent = 0
    for reminder in pending:  # one message per reminder: a handful a day
        to = [
            a.strip()
            for a in settings.reminder_recipients.get(reminder["department"], "").split(",")
            if a.strip()
        ]
        if not to:
            continue
        subject, body = reminder_files.notice_text(reminder, plan)
        name = f"催报单_{reminder['department']}_{reminder['period']}.docx"
        mail.send_mail(
            settings,
            to=to,
            subject=subject,
            body=body,
            attachments=[(name, reminder_files.notice_docx(reminder, plan), DOCX_MIME)],
        )
        with engine.begin() as conn:
            reminder_store.mark_emailed(conn, reminder_id=int(reminder["id"]), to=", ".join(to), at=now)
        sent += 1
    return sent


def all_reminders(*, engine: sa.Engine, limit: int = 100) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return reminder_store.fetch_reminders(conn, limit=limit)


def reminders_for(
    *, engine: sa.Engine, actor: User, department: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The reminders an actor may read, newest first: a department only its own, whatever it asks."""
    shown = policy.visible_department(actor=actor, requested=department)
    if shown is None:
        return all_reminders(engine=engine, limit=limit)
    return department_reminders(engine=engine, department=shown, limit=limit)


def reminder_for(*, engine: sa.Engine, actor: User, reminder_id: int) -> dict[str, Any] | None:
    """One reminder if the actor may read it; another department's is as absent as a missing one."""
    reminder = get_reminder(engine=engine, reminder_id=reminder_id)
    if reminder is None or not policy.may_see_department(actor=actor, department=reminder["department"]):
        return None
    return reminder
