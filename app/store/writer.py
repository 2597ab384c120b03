"""One writer at a time for the statements that change published values (publish, rollback, reject).

Two publications of overlapping keys used to run at once: DuckDB answered the second with a write
conflict or a primary-key error on `current_values`, PostgreSQL with `UniqueViolation
current_values_pkey` (27 of 40 concurrent publishes failed, as HTTP 500). Publishing is short and
rare, so it is serialised rather than made concurrent:
- within a process, a lock per database URL (DuckDB lets one process hold a file, so this is all a
  DuckDB database needs; the threads of `dem serve` queue on it);
- on PostgreSQL also a transaction-scoped advisory lock, so several app instances queue too; it is
  keyed by the schema as well, so databases in other schemas of the same server never wait.
A conflict that still happens (another kind of writer on the same rows) is recognised by
`is_write_conflict` and retried by the caller, then answered as a conflict, never as a crash.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

#: First key of the advisory lock (an arbitrary constant: "dem" publishing); the second is the schema.
PUBLISH_LOCK_KEY = 0x64656D
#: Driver exception names that mean "another transaction wrote the same rows": retry or report.
_CONFLICT_NAMES = frozenset(
    {
        "TransactionException",
        "SerializationFailure",
        "DeadlockDetected",
        "UniqueViolation",
        "ConstraintException",
    }
)


@functools.cache
def _process_lock(database: str) -> threading.Lock:
    """The in-process lock of one database (cached per URL, so every engine on it shares it)."""
    return threading.Lock()


@contextmanager
def serialised(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that no other publish, rollback or reject on the same database runs beside."""
    with _process_lock(engine.url.render_as_string(hide_password=True)), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                {"key": PUBLISH_LOCK_KEY},
            )
        yield conn


def is_write_conflict(exc: BaseException) -> bool:
    """Whether a database error is a write conflict between transactions (not a bug to surface)."""
    if not isinstance(exc, sa.exc.DBAPIError):
        return False
    if isinstance(exc, sa.exc.IntegrityError):
        return True
    return type(exc.orig).__name__ in _CONFLICT_NAMES or "conflict" in str(exc.orig).lower()
