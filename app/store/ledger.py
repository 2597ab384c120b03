"""SQL for the policy ledger: applications, their state transitions and the totals the page shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.store import schema as s

a = s.ledger_applications
#: states whose amounts count as committed money (approved and not yet paid, or paid)
COMMITTED = ("approved", "paid")
GROUPS = {"item": a.c.item, "department": a.c.department, "city": a.c.city, "year": a.c.year}


def insert_applications(conn: sa.Connection, *, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert applications in one statement; ids in the order given."""
    if not rows:
        return []
    result = conn.execute(sa.insert(a).values(list(rows)).returning(a.c.id))
    return sorted(int(i) for i in result.scalars())


def fetch_application(conn: sa.Connection, *, application_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(a).where(a.c.id == application_id)).first()
    return dict(row._mapping) if row else None


def fetch_applications(
    conn: sa.Connection,
    *,
    items: Sequence[int] | None = None,
    year: int | None = None,
    state: str | None = None,
    city: str | None = None,
    enterprise_code: str | None = None,
    ids: Sequence[int] | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    query = sa.select(a).order_by(a.c.id.desc()).limit(limit if ids is None else len(ids))
    if ids is not None:
        query = query.where(a.c.id.in_(list(ids)))
    if items is not None:
        query = query.where(a.c.item.in_(list(items)))
    if year is not None:
        query = query.where(a.c.year == year)
    if state is not None:
        query = query.where(a.c.state == state)
    if city is not None:
        query = query.where(a.c.city == city)
    if enterprise_code is not None:
        query = query.where(a.c.enterprise_code == enterprise_code)
    return [dict(r._mapping) for r in conn.execute(query)]


def fetch_history(conn: sa.Connection, *, enterprise_codes: Sequence[str]) -> list[dict[str, Any]]:
    """Every application of these enterprises: what 首次, 差额, year limits and caps count against."""
    if not enterprise_codes:
        return []
    query = sa.select(
        a.c.enterprise_code, a.c.item, a.c.award, a.c.year, a.c.amount, a.c.project, a.c.level, a.c.tier
    ).where(a.c.enterprise_code.in_(sorted(set(enterprise_codes))))
    return [dict(r._mapping) for r in conn.execute(query.order_by(a.c.id))]


def update_state(
    conn: sa.Connection, *, application_id: int, from_state: str, to_state: str, by: str, at: dt.datetime
) -> bool:
    """Move one application on, only from the state expected (a concurrent move loses)."""
    values: dict[str, Any] = {"state": to_state}
    values[f"{to_state}_by"] = by
    values[f"{to_state}_at"] = at
    result = conn.execute(
        sa.update(a).where(a.c.id == application_id, a.c.state == from_state).values(**values)
    )
    return result.rowcount == 1


def fetch_totals(conn: sa.Connection, *, by: str, items: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Approved (incl. paid), paid and applied amounts and counts, grouped by item/department/city/year."""
    key = GROUPS[by]
    committed = a.c.state.in_(COMMITTED)
    query = (
        sa.select(
            key.label("key"),
            sa.func.count().label("applications"),
            sa.func.sum(a.c.amount).label("requested"),
            sa.func.sum(sa.case((committed, a.c.amount), else_=0)).label("approved"),
            sa.func.sum(sa.case((a.c.state == "paid", a.c.amount), else_=0)).label("paid"),
        )
        .group_by(key)
        .order_by(key)
    )
    if items is not None:
        query = query.where(a.c.item.in_(list(items)))
    return [dict(r._mapping) for r in conn.execute(query)]


def fetch_top_enterprises(
    conn: sa.Connection, *, items: Sequence[int] | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """Enterprises by approved (incl. paid) amount."""
    total = sa.func.sum(a.c.amount).label("approved")
    query = (
        sa.select(
            a.c.enterprise_code,
            sa.func.max(a.c.enterprise_name).label("enterprise_name"),
            sa.func.max(a.c.city).label("city"),
            sa.func.count().label("applications"),
            total,
        )
        .where(a.c.state.in_(COMMITTED))
        .group_by(a.c.enterprise_code)
        .order_by(total.desc(), a.c.enterprise_code)
        .limit(limit)
    )
    if items is not None:
        query = query.where(a.c.item.in_(list(items)))
    return [dict(r._mapping) for r in conn.execute(query)]


def fetch_binding_counts(
    conn: sa.Connection, *, scopes: Sequence[str], items: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """How many applications each cap scope lowered, by item (one statement, one column a scope)."""
    columns = [
        sa.func.sum(sa.case((a.c.binding_caps.like(f"%,{scope},%"), 1), else_=0)).label(scope)
        for scope in scopes
    ]
    query = sa.select(a.c.item, *columns).group_by(a.c.item).order_by(a.c.item)
    if items is not None:
        query = query.where(a.c.item.in_(list(items)))
    return [dict(r._mapping) for r in conn.execute(query)]


def delete_illustrative(conn: sa.Connection) -> int:
    """Remove the illustrative sample applications (reloading the sample replaces them)."""
    return conn.execute(sa.delete(a).where(a.c.illustrative.is_(True))).rowcount


def count_illustrative(conn: sa.Connection) -> int:
    query = sa.select(sa.func.count()).select_from(a).where(a.c.illustrative.is_(True))
    return int(conn.execute(query).scalar_one())


def fetch_totals_as_of(
    conn: sa.Connection,
    *,
    cutoff: dt.datetime | None,
    items: Sequence[int] | None = None,
    city: str | None = None,
) -> list[dict[str, Any]]:
    """Per item, the ledger as it stood at `cutoff` (None: now): each state counts from its time."""

    def by(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return column.is_not(None) if cutoff is None else column <= cutoff

    applied = by(a.c.applied_at)
    query = (
        sa.select(
            a.c.item,
            sa.func.sum(sa.case((applied, 1), else_=0)).label("applications"),
            sa.func.sum(sa.case((applied, a.c.amount), else_=0)).label("requested"),
            sa.func.sum(sa.case((by(a.c.approved_at), a.c.amount), else_=0)).label("approved"),
            sa.func.sum(sa.case((by(a.c.paid_at), a.c.amount), else_=0)).label("paid"),
        )
        .group_by(a.c.item)
        .order_by(a.c.item)
    )
    if items is not None:
        query = query.where(a.c.item.in_(list(items)))
    if city is not None:
        query = query.where(a.c.city == city)
    return [dict(r._mapping) for r in conn.execute(query) if r.applications]


def lock_enterprises(conn: sa.Connection, *, codes: Sequence[str]) -> None:
    """Serialise filings for the same enterprises until the transaction ends (PostgreSQL).

    Caps and 首次 read the enterprise's history before inserting: two clerks filing at once must
    not both see the old history. DuckDB has one writing process, so it needs no lock. The locks
    are taken in code order in one statement, so two batches cannot deadlock.
    """
    if conn.dialect.name != "postgresql" or not codes:
        return
    conn.execute(
        sa.text(
            "SELECT count(pg_advisory_xact_lock(hashtext(code))) FROM "
            "(SELECT DISTINCT code FROM unnest(CAST(:codes AS text[])) AS code ORDER BY code) AS ordered"
        ),
        {"codes": sorted(set(codes))},
    )
