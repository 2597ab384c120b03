"""Departments' quarterly progress notes on their tasks: one per department × task × period.

A note can be edited until its period closes (`note_edit_days` after the period ends) and only once
the period has begun, from the plan's first plausible year on (indicators.plausibility: the rule
uploads follow); departments write only on tasks they lead or support.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.errors import DomainError
from app.services.accounts import User
from app.services.clock import utcnow
from app.store import audit as audit_store
from app.store import notes as store
from indicators.model import Plan
from indicators.periods import Period
from indicators.plausibility import period_window


class NoteStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DELAYED = "delayed"


NOTE_STATUS_LABELS = {
    NoteStatus.NOT_STARTED: ("未启动", "Not started"),
    NoteStatus.IN_PROGRESS: ("推进中", "In progress"),
    NoteStatus.COMPLETED: ("已完成", "Completed"),
    NoteStatus.DELAYED: ("滞后", "Delayed"),
}


class NoteError(DomainError):
    """A note that cannot be saved: bad period, unknown task, closed period."""


@dataclass(frozen=True)
class NoteInput:
    department: str
    task: str
    period: str
    status: NoteStatus
    narrative: str


def is_closed(period: Period, *, today: dt.date, edit_days: int) -> bool:
    return today > period.end_date + dt.timedelta(days=edit_days)


def _check(plan: Plan, actor: User, note: NoteInput, *, today: dt.date, edit_days: int) -> Period:
    policy.require_write_notes(actor=actor, department=note.department)  # who, before what
    try:
        period = Period.parse(note.period)
    except ValueError:
        raise NoteError(
            "bad-period", f"时期格式有误：{note.period}", f"bad period {note.period!r}", 422
        ) from None
    try:
        task = plan.task(note.task)
        plan.department(note.department)
    except KeyError:
        raise NoteError("unknown-task", "未知任务或部门", "unknown task or department", 422) from None
    if note.department not in task.departments:
        raise NoteError(
            "not-responsible",
            f"{note.department} 不是任务 {task.code} 的责任单位",
            "not a responsible department",
            422,
        )
    window = period_window(plan, today)
    if not window.contains(period):
        raise NoteError(
            "implausible-period",
            f"时期 {period} 不在可填报范围内：只能为 {window.first_year} 年以来、已经开始的时期填写进展",
            f"period {period} is outside the plausible range: notes are for periods since "
            f"{window.first_year} that have begun",
            422,
        )
    if is_closed(period, today=today, edit_days=edit_days):
        raise NoteError("period-closed", f"{period} 已关账，不能再修改", f"period {period} is closed", 409)
    return period


def save_note(
    *,
    engine: sa.Engine,
    plan: Plan,
    actor: User,
    note: NoteInput,
    edit_days: int,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Create the note for department × task × period, or update it while the period is open.

    Who may write it is `policy.require_write_notes`: a department its own, an administrator any.
    """
    now = now or utcnow()
    _check(plan, actor, note, today=now.date(), edit_days=edit_days)
    with engine.begin() as conn:
        existing = store.fetch_note(conn, key=(note.department, note.task, note.period))
        if existing is None:
            note_id = store.insert_note(
                conn,
                values={
                    "department": note.department,
                    "task": note.task,
                    "period": note.period,
                    "status": str(note.status),
                    "narrative": note.narrative,
                    "author": actor.username,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            before = None
        else:
            note_id = existing["id"]
            store.update_note(
                conn,
                note_id=note_id,
                status=str(note.status),
                narrative=note.narrative,
                author=actor.username,
                now=now,
            )
            before = {"status": existing["status"], "narrative": existing["narrative"]}
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="note.save",
            object_type="progress_note",
            object_id=str(note_id),
            before=before,
            after={"status": str(note.status), "narrative": note.narrative},
        )
        saved = store.fetch_note(conn, note_id=note_id)
    assert saved is not None
    return saved


def list_notes(
    *, engine: sa.Engine, department: str | None = None, period: str | None = None, task: str | None = None
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return store.fetch_notes(conn, department=department, period=period, task=task)
