"""SQL for 催报 reminders: created once per department, period, due date and reminder day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert  # DuckDB's dialect compiles it too

from app.store import schema as s

r = s.reminders
KEY = ["department", "period", "due_date", "offset_days"]


def insert_reminders(conn: sa.Connection, *, rows: list[dict[str, Any]]) -> list[int]:
    """Insert the reminders not yet there (one statement); return the ids of those created now."""
    if not rows:
        return []
    query = pg_insert(r).values(rows).on_conflict_do_nothing(index_elements=KEY).returning(r.c.id)
    return [int(i) for i in conn.execute(query).scalars()]


def fetch_reminders(
    conn: sa.Connection, *, department: str | None = None, ids: list[int] | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Reminders, newest first, for one department (None: all) or the given ids."""
    query = sa.select(r).order_by(r.c.created_at.desc(), r.c.id.desc()).limit(limit)
    if department is not None:
        query = query.where(r.c.department == department)
    if ids is not None:
        query = query.where(r.c.id.in_(ids))
    return [dict(row._mapping) for row in conn.execute(query)]


def fetch_unsent(conn: sa.Connection) -> list[dict[str, Any]]:
    query = sa.select(r).where(r.c.emailed_at.is_(None)).order_by(r.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def mark_emailed(conn: sa.Connection, *, reminder_id: int, to: str, at: dt.datetime) -> None:
    conn.execute(sa.update(r).where(r.c.id == reminder_id).values(emailed_to=to, emailed_at=at))
