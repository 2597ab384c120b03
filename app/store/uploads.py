"""SQL for uploads and their staged values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa

from app.store import schema as s
from app.store.bulk import insert_frame

u = s.uploads
LIVE_STATUSES = ("staged", "published")
STAGED_COLUMNS = ("indicator", "region", "period", "period_ordinal", "value", "note", "sheet", "row")


def insert_upload(
    conn: sa.Connection,
    *,
    file_name: str,
    sha256: str,
    size_bytes: int,
    uploaded_by: str,
    uploaded_at: dt.datetime,
    rows: int,
    n_errors: int,
    n_warnings: int,
    report: dict[str, Any],
    status: str = "staged",
    basis_version: int | None = None,
) -> int:
    """Record a staged upload and return its id."""
    query = (
        sa.insert(u)
        .values(
            file_name=file_name,
            sha256=sha256,
            size_bytes=size_bytes,
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at,
            status=status,
            rows=rows,
            n_errors=n_errors,
            n_warnings=n_warnings,
            report=report,
            basis_version=basis_version,
        )
        .returning(u.c.id)
    )
    return int(conn.execute(query).scalar_one())


def insert_staged_values(conn: sa.Connection, *, upload_id: int, values: pd.DataFrame) -> int:
    frame = values[list(STAGED_COLUMNS)].copy()
    frame.insert(0, "upload_id", upload_id)
    return insert_frame(conn, table=s.staged_values, frame=frame)


def fetch_upload(conn: sa.Connection, *, upload_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(u).where(u.c.id == upload_id)).first()
    return dict(row._mapping) if row else None


def fetch_uploads_by_id(conn: sa.Connection, *, upload_ids: list[int]) -> list[dict[str, Any]]:
    """The given uploads (file name, who, when), in id order."""
    query = sa.select(u.c.id, u.c.file_name, u.c.uploaded_by, u.c.published_at).where(u.c.id.in_(upload_ids))
    return [dict(r._mapping) for r in conn.execute(query.order_by(u.c.id))]


def fetch_live_upload_by_sha(conn: sa.Connection, *, sha256: str) -> dict[str, Any] | None:
    """A staged or published upload of the same bytes, if any (the same file is not loaded twice)."""
    query = sa.select(u).where(u.c.sha256 == sha256, u.c.status.in_(LIVE_STATUSES)).order_by(u.c.id)
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def fetch_uploads(conn: sa.Connection, *, limit: int = 100) -> list[dict[str, Any]]:
    query = sa.select(u).order_by(u.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(query)]


def update_status(
    conn: sa.Connection,
    *,
    upload_id: int,
    status: str,
    expected: str,
    **fields: Any,
) -> bool:
    """Move an upload from `expected` to `status`; False when another writer moved it first."""
    query = sa.update(u).where(u.c.id == upload_id, u.c.status == expected).values(status=status, **fields)
    return (conn.execute(query).rowcount or 0) == 1
