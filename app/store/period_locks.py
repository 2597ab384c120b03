"""SQL for period locks, and the set-wise questions publication asks: which revisions, which locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.store import schema as s

pl = s.period_locks
cv = s.current_values
st = s.staged_values


def fetch_locks(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every locked period, newest period first."""
    query = sa.select(pl).order_by(pl.c.period.desc())
    return [dict(r._mapping) for r in conn.execute(query)]


def fetch_lock(conn: sa.Connection, *, period: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(pl).where(pl.c.period == period)).first()
    return dict(row._mapping) if row else None


def insert_lock(
    conn: sa.Connection, *, period: str, locked_by: str, locked_at: dt.datetime, note: str | None
) -> None:
    conn.execute(sa.insert(pl).values(period=period, locked_by=locked_by, locked_at=locked_at, note=note))


def delete_lock(conn: sa.Connection, *, period: str) -> bool:
    """Unlock a period; False when it was not locked."""
    return (conn.execute(sa.delete(pl).where(pl.c.period == period)).rowcount or 0) == 1


def fetch_revised_periods(conn: sa.Connection, *, upload_id: int) -> dict[str, int]:
    """How many published values the staged upload would change, per period (one grouped query)."""
    same_key = sa.and_(
        cv.c.indicator == st.c.indicator, cv.c.region == st.c.region, cv.c.period == st.c.period
    )
    query = (
        sa.select(st.c.period, sa.func.count().label("n"))
        .select_from(st.join(cv, same_key))
        .where(st.c.upload_id == upload_id, cv.c.value != st.c.value)
        .group_by(st.c.period)
    )
    return {row.period: int(row.n) for row in conn.execute(query)}


def fetch_current_periods_of(conn: sa.Connection, *, upload_id: int) -> list[str]:
    """Periods where the upload's values are current: what rolling it back would change."""
    query = sa.select(cv.c.period).where(cv.c.upload_id == upload_id).distinct()
    return sorted(conn.execute(query).scalars())


def fetch_locked_among(conn: sa.Connection, *, periods: list[str]) -> list[str]:
    if not periods:
        return []
    query = sa.select(pl.c.period).where(pl.c.period.in_(periods)).order_by(pl.c.period)
    return list(conn.execute(query).scalars())
