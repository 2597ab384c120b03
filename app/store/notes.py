"""SQL for departments' quarterly progress notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.store import schema as s

n = s.progress_notes


def fetch_note(
    conn: sa.Connection, *, note_id: int | None = None, key: tuple[str, str, str] | None = None
) -> dict | None:
    query = sa.select(n)
    if note_id is not None:
        query = query.where(n.c.id == note_id)
    if key is not None:
        query = query.where(n.c.department == key[0], n.c.task == key[1], n.c.period == key[2])
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def fetch_notes(
    conn: sa.Connection, *, department: str | None = None, period: str | None = None, task: str | None = None
) -> list[dict[str, Any]]:
    query = sa.select(n).order_by(n.c.period.desc(), n.c.department, n.c.task)
    if department is not None:
        query = query.where(n.c.department == department)
    if period is not None:
        query = query.where(n.c.period == period)
    if task is not None:
        query = query.where(n.c.task == task)
    return [dict(r._mapping) for r in conn.execute(query)]


def insert_note(conn: sa.Connection, *, values: dict[str, Any]) -> int:
    return int(conn.execute(sa.insert(n).values(**values).returning(n.c.id)).scalar_one())


def update_note(
    conn: sa.Connection, *, note_id: int, status: str, narrative: str, author: str, now: dt.datetime
) -> None:
    conn.execute(
        sa.update(n)
        .where(n.c.id == note_id)
        .values(status=status, narrative=narrative, author=author, updated_at=now)
    )
