"""SQL for the audit log: who did what to which object, with before/after summaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.store import schema as s


def insert_audit(
    conn: sa.Connection,
    *,
    at: dt.datetime,
    username: str,
    action: str,
    object_type: str,
    object_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    address: str | None = None,
) -> None:
    conn.execute(
        sa.insert(s.audit_log).values(
            occurred_at=at,
            username=username,
            address=address,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
    )


def fetch_audit(conn: sa.Connection, *, limit: int = 200) -> list[dict[str, Any]]:
    query = sa.select(s.audit_log).order_by(s.audit_log.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]
