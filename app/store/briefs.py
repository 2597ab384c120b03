"""SQL for generated briefs: one row per file written, with the data version it was made from."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.store import schema as s

b = s.briefs


def insert_brief(conn: sa.Connection, *, values: dict[str, Any]) -> int:
    """Record a generated brief and return its id."""
    return int(conn.execute(sa.insert(b).values(**values).returning(b.c.id)).scalar_one())


def fetch_brief(conn: sa.Connection, *, brief_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(b).where(b.c.id == brief_id)).first()
    return dict(row._mapping) if row else None


def fetch_briefs(
    conn: sa.Connection,
    *,
    scope_type: str | None = None,
    scope_code: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Briefs newest first, optionally of one scope only (a department sees its own)."""
    query = sa.select(b).order_by(b.c.id.desc()).limit(limit)
    if scope_type is not None:
        query = query.where(b.c.scope_type == scope_type)
    if scope_code is not None:
        query = query.where(b.c.scope_code == scope_code)
    return [dict(r._mapping) for r in conn.execute(query)]


def fetch_previous_version(
    conn: sa.Connection, *, scope_type: str, scope_code: str, before_id: int | None
) -> int | None:
    """The data version of the newest earlier brief of the same scope (for "revisions since")."""
    query = sa.select(b.c.data_version).where(
        b.c.scope_type == scope_type, b.c.scope_code == scope_code, b.c.data_version.is_not(None)
    )
    if before_id is not None:
        query = query.where(b.c.id < before_id)
    found = conn.execute(query.order_by(b.c.id.desc()).limit(1)).scalar_one_or_none()
    return int(found) if found is not None else None
