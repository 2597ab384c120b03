"""SQL for users, API tokens, browser sessions and login attempts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from app.store import schema as s


def insert_user(
    conn: sa.Connection,
    *,
    username: str,
    display_name: str,
    password_hash: str,
    role: str,
    department: str | None,
    now: dt.datetime,
) -> int:
    query = (
        sa.insert(s.users)
        .values(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            role=role,
            department=department,
            active=True,
            created_at=now,
        )
        .returning(s.users.c.id)
    )
    return int(conn.execute(query).scalar_one())


def fetch_user(
    conn: sa.Connection, *, username: str | None = None, user_id: int | None = None
) -> dict | None:
    query = sa.select(s.users)
    query = query.where(s.users.c.username == username) if username is not None else query
    query = query.where(s.users.c.id == user_id) if user_id is not None else query
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def fetch_users(conn: sa.Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(sa.select(s.users).order_by(s.users.c.username))]


def count_users(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(s.users)).scalar_one())


def update_user(conn: sa.Connection, *, user_id: int, **values: Any) -> None:
    conn.execute(sa.update(s.users).where(s.users.c.id == user_id).values(**values))


def insert_token(
    conn: sa.Connection,
    *,
    user_id: int,
    name: str,
    token_hash: str,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> int:
    query = (
        sa.insert(s.api_tokens)
        .values(user_id=user_id, name=name, token_hash=token_hash, created_at=now, expires_at=expires_at)
        .returning(s.api_tokens.c.id)
    )
    return int(conn.execute(query).scalar_one())


def fetch_token_user(conn: sa.Connection, *, token_hash: str, now: dt.datetime) -> dict | None:
    """The active user behind a live (unrevoked, unexpired) token, with when it was last used."""
    t, u = s.api_tokens, s.users
    query = (
        sa.select(u, t.c.last_used_at.label("token_last_used_at"))
        .join(t, t.c.user_id == u.c.id)
        .where(
            t.c.token_hash == token_hash,
            t.c.revoked_at.is_(None),
            sa.or_(t.c.expires_at.is_(None), t.c.expires_at > now),
            u.c.active.is_(True),
        )
    )
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def touch_token(conn: sa.Connection, *, token_hash: str, now: dt.datetime) -> None:
    t = s.api_tokens
    conn.execute(sa.update(t).where(t.c.token_hash == token_hash).values(last_used_at=now))


def fetch_tokens(conn: sa.Connection, *, user_id: int) -> list[dict[str, Any]]:
    t = s.api_tokens
    query = sa.select(
        t.c.id, t.c.name, t.c.created_at, t.c.last_used_at, t.c.expires_at, t.c.revoked_at
    ).where(t.c.user_id == user_id)
    return [dict(r._mapping) for r in conn.execute(query.order_by(t.c.id))]


def revoke_token(conn: sa.Connection, *, token_id: int, user_id: int, now: dt.datetime) -> bool:
    t = s.api_tokens
    query = (
        sa.update(t)
        .where(t.c.id == token_id, t.c.user_id == user_id, t.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return (conn.execute(query).rowcount or 0) == 1


def revoke_user_tokens(conn: sa.Connection, *, user_id: int, now: dt.datetime) -> int:
    """Revoke every live token of a user (a password change or a disabled account); return how many."""
    t = s.api_tokens
    query = sa.update(t).where(t.c.user_id == user_id, t.c.revoked_at.is_(None)).values(revoked_at=now)
    return int(conn.execute(query).rowcount or 0)


def insert_session(
    conn: sa.Connection,
    *,
    token_hash: str,
    user_id: int,
    csrf_token: str,
    address: str | None,
    now: dt.datetime,
    expires_at: dt.datetime,
) -> None:
    conn.execute(
        sa.insert(s.sessions).values(
            token_hash=token_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            address=address,
            created_at=now,
            expires_at=expires_at,
        )
    )


def fetch_session_user(conn: sa.Connection, *, token_hash: str, now: dt.datetime) -> dict | None:
    """The active user of an unexpired session, with the session's CSRF token."""
    se, u = s.sessions, s.users
    query = (
        sa.select(u, se.c.csrf_token)
        .join(se, se.c.user_id == u.c.id)
        .where(se.c.token_hash == token_hash, se.c.expires_at > now, u.c.active.is_(True))
    )
    row = conn.execute(query).first()
    return dict(row._mapping) if row else None


def delete_session(conn: sa.Connection, *, token_hash: str) -> None:
    conn.execute(sa.delete(s.sessions).where(s.sessions.c.token_hash == token_hash))


def delete_user_sessions(conn: sa.Connection, *, user_id: int) -> None:
    conn.execute(sa.delete(s.sessions).where(s.sessions.c.user_id == user_id))


def insert_login_attempt(
    conn: sa.Connection, *, account: str, address: str, now: dt.datetime, success: bool
) -> int:
    query = (
        sa.insert(s.login_attempts)
        .values(account=account, address=address, attempted_at=now, success=success)
        .returning(s.login_attempts.c.id)
    )
    return int(conn.execute(query).scalar_one())


def mark_login_success(conn: sa.Connection, *, attempt_id: int) -> None:
    la = s.login_attempts
    conn.execute(sa.update(la).where(la.c.id == attempt_id).values(success=True))


def count_failed_attempts(
    conn: sa.Connection, *, since: dt.datetime, account: str | None = None, address: str | None = None
) -> int:
    la = s.login_attempts
    query = (
        sa.select(sa.func.count()).select_from(la).where(la.c.success.is_(False), la.c.attempted_at >= since)
    )
    if account is not None:
        query = query.where(la.c.account == account)
    if address is not None:
        query = query.where(la.c.address == address)
    return int(conn.execute(query).scalar_one())
