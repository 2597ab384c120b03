"""A lease per job name in the database: the one lock that every app instance can see."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert  # DuckDB's dialect compiles it too

from app.store import schema as s

j = s.job_locks


def try_acquire(conn: sa.Connection, *, name: str, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
    """Take the lease if it is free or expired; True when this holder now has it.

    The conditional UPDATE is atomic on both backends, so two instances cannot both win.
    """
    conn.execute(pg_insert(j).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    taken = conn.execute(
        sa.update(j)
        .where(j.c.name == name, sa.or_(j.c.holder.is_(None), j.c.expires_at < now, j.c.holder == holder))
        .values(holder=holder, acquired_at=now, expires_at=now + ttl)
    )
    return (taken.rowcount or 0) == 1


def release(conn: sa.Connection, *, name: str, holder: str) -> None:
    conn.execute(
        sa.update(j)
        .where(j.c.name == name, j.c.holder == holder)
        .values(holder=None, acquired_at=None, expires_at=None)
    )
