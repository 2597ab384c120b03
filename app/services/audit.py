"""The audit log as administrators read it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.store import audit as audit_store


def audit_log(*, engine: sa.Engine, limit: int) -> list[dict[str, Any]]:
    """The newest entries first; the route's permission decides who may call this."""
    with engine.connect() as conn:
        return audit_store.fetch_audit(conn, limit=limit)
