"""Job leases: one holder at a time, taken over only after expiry."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.store import locks, migrate

T0 = dt.datetime(2025, 10, 1, 9, 0)
TTL = dt.timedelta(minutes=5)


def test_a_lease_has_one_holder_until_it_expires_or_is_released(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    with engine.begin() as conn:
        assert locks.try_acquire(conn, name="inbox", holder="a", now=T0, ttl=TTL)
    with engine.begin() as conn:
        assert not locks.try_acquire(conn, name="inbox", holder="b", now=T0 + TTL / 2, ttl=TTL)
        assert locks.try_acquire(conn, name="other", holder="b", now=T0, ttl=TTL)
    with engine.begin() as conn:
        assert locks.try_acquire(conn, name="inbox", holder="b", now=T0 + 2 * TTL, ttl=TTL)
        locks.release(conn, name="inbox", holder="b")
    with engine.begin() as conn:
        assert locks.try_acquire(conn, name="inbox", holder="a", now=T0 + 2 * TTL, ttl=TTL)
