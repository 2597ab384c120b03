"""Period locks and the rules a publication must pass before it may revise published values.

A bureau closes a quarter once its figures are final: `lock_period`. From then on a revision of a
value in that period is refused unless the period is unlocked again (`unlock_period`, audited), or
the publisher is the bureau (or an administrator) and the reason says it is a 年报修订 (the annual
statistics revising the quarters). Independently of locks, any publication that revises a
published value needs a reason, which is kept with the upload and shown in each value's history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.auth import policy
from app.auth.roles import Permission, Role
from app.errors import DomainError
from app.services.accounts import User
from app.services.clock import utcnow
from app.store import audit as audit_store
from app.store import period_locks as lock_store
from etl.periods import read_period
from indicators.periods import Period

#: The words that mark a reason as the documented override of a lock.
ANNUAL_REVISION = "年报修订"


#: The HTTP status each lock refusal means (any other code: 422).
LOCK_STATUS = {"already-locked": 409, "not-locked": 404, "period-locked": 409}


class LockError(DomainError):
    """A lock request or a publication the lock rules refuse; `code` is stable."""

    def __init__(self, code: str, message_zh: str, message_en: str, status: int | None = None) -> None:
        super().__init__(
            code, message_zh, message_en, LOCK_STATUS.get(code, 422) if status is None else status
        )


def list_locks(*, engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return lock_store.fetch_locks(conn)


def locked_periods(*, engine: sa.Engine) -> set[str]:
    return {lock["period"] for lock in list_locks(engine=engine)}


def lock_period(
    *, engine: sa.Engine, period: str, actor: User, note: str | None = None, now: dt.datetime | None = None
) -> str:
    """Close a period to revision (bureau, admin); audited; returns the period locked
    (`2025年第三季度` → `2025Q3`). Locking a locked period is refused, not repeated."""
    now = now or utcnow()
    policy.require(actor, Permission.LOCK_PERIODS)
    label = _canonical(period)
    with engine.begin() as conn:
        if lock_store.fetch_lock(conn, period=label) is not None:
            raise LockError(
                "already-locked", f"{Period.parse(label).label_zh}已锁定", f"{label} is already locked"
            )
        lock_store.insert_lock(conn, period=label, locked_by=actor.username, locked_at=now, note=note)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="period.lock",
            object_type="period",
            object_id=label,
            after={"locked": True, "note": note},
        )
    return label


def unlock_period(
    *, engine: sa.Engine, period: str, actor: User, note: str | None = None, now: dt.datetime | None = None
) -> None:
    """Open a locked period for revision again (bureau, admin); audited."""
    now = now or utcnow()
    policy.require(actor, Permission.LOCK_PERIODS)
    label = _canonical(period)
    with engine.begin() as conn:
        lock = lock_store.fetch_lock(conn, period=label)
        if lock is None or not lock_store.delete_lock(conn, period=label):
            raise LockError("not-locked", f"{Period.parse(label).label_zh}未锁定", f"{label} is not locked")
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="period.unlock",
            object_type="period",
            object_id=label,
            before={"locked": True, "locked_by": lock["locked_by"]},
            after={"locked": False, "note": note},
        )


def check_revisions(
    conn: sa.Connection, *, upload_id: int, reason: str | None, role: Role | None
) -> dict[str, int]:
    """Refuse a publication that revises without a reason, or revises a locked period without leave.

    `role` None is the operator at the command line, who acts for the bureau. Returns the revised
    count per period (empty: nothing published is changed).
    """
    revised = lock_store.fetch_revised_periods(conn, upload_id=upload_id)
    if not revised:
        return revised
    total = sum(revised.values())
    if not (reason or "").strip():
        raise LockError(
            "reason-required",
            f"本次发布将修订 {total} 个已发布数值，请填写发布说明（修订原因）",
            f"this publication revises {total} published values: give a reason",
        )
    locked = lock_store.fetch_locked_among(conn, periods=sorted(revised))
    if locked and not (ANNUAL_REVISION in (reason or "") and policy.may_override_lock(role)):
        raise LockError(
            "period-locked",
            f"{_labels_zh(locked)}已锁定，不能修订：请先解锁，或由统计部门在发布说明中注明“{ANNUAL_REVISION}”",
            f"{', '.join(locked)} locked: unlock it first, or publish as the bureau with a reason "
            f"marked {ANNUAL_REVISION} (annual revision)",
        )
    return revised


def check_rollback(conn: sa.Connection, *, upload_id: int) -> None:
    """A rollback changes values too: not in a locked period."""
    locked = lock_store.fetch_locked_among(
        conn, periods=lock_store.fetch_current_periods_of(conn, upload_id=upload_id)
    )
    if locked:
        raise LockError(
            "period-locked",
            f"{_labels_zh(locked)}已锁定，不能回滚：请先解锁",
            f"{', '.join(locked)} locked: unlock it before rolling back",
        )


def _labels_zh(periods: list[str]) -> str:
    """2025年第二季度、2025年第三季度: the periods as a Chinese message names them."""
    return "、".join(Period.parse(p).label_zh for p in periods)


def _canonical(period: str) -> str:
    parsed = read_period(period)
    if parsed is None:
        raise LockError("bad-period", f"无法识别的时期“{period}”", f"unreadable period {period!r}")
    return str(parsed)
