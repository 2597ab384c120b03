"""Accounts: users and roles, browser sessions, API tokens, login with rate limits. Every change audited."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa

from app.auth import policy
from app.auth.passwords import password_problem, username_problem
from app.auth.roles import Permission, Role
from app.auth.secrets import (
    dummy_hash,
    generate_password,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from app.auth.users import User
from app.errors import DomainError
from app.services.clock import utcnow
from app.store import accounts as store
from app.store import audit as audit_store

FIRST_ADMIN = "admin"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginLimits:
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    token_lifetime: dt.timedelta = dt.timedelta(days=90)


class AccountError(DomainError):
    """Refused account operation; `status` is the HTTP status the API answers with."""


TOKEN_NAME_MAX = 128

#: A token's last use is written at most this often, so a busy client does not write on every call.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username=username)
    if problem:
        raise AccountError("weak-password", *problem)


def create_user(
    *,
    engine: sa.Engine,
    username: str,
    password: str,
    role: Role | str,
    department: str | None = None,
    display_name: str | None = None,
    actor: User,
    now: dt.datetime | None = None,
) -> User:
    """Create an account (administrators only: `dem user add` acts as one)."""
    now = now or utcnow()
    policy.require(actor, Permission.MANAGE_USERS)
    role = Role(role)
    bad_name = username_problem(username)
    if bad_name:
        raise AccountError("bad-username", *bad_name)
    _check_password(password, username)
    if role is Role.DEPARTMENT and not department:
        raise AccountError(
            "department-required", "责任部门账号需指定部门", "a department user needs a department"
        )
    with engine.begin() as conn:
        if store.fetch_user(conn, username=username) is not None:
            raise AccountError("user-exists", f"用户“{username}”已存在", f"user {username!r} exists", 409)
        user_id = store.insert_user(
            conn,
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password),
            role=str(role),
            department=department,
            now=now,
        )
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="user.create",
            object_type="user",
            object_id=username,
            after={"role": str(role), "department": department},
        )
        row = store.fetch_user(conn, user_id=user_id)
    assert row is not None
    return User.from_row(row)


def _require_user(conn: sa.Connection, username: str) -> dict:
    row = store.fetch_user(conn, username=username)
    if row is None:
        raise AccountError("user-not-found", f"没有用户“{username}”", f"no user {username!r}", 404)
    return row


def set_password(
    *, engine: sa.Engine, username: str, password: str, actor: User, now: dt.datetime | None = None
) -> None:
    """Set a password (administrators; anyone their own); sessions and tokens are revoked."""
    now = now or utcnow()
    if actor.username != username:
        policy.require(actor, Permission.MANAGE_USERS)
    _check_password(password, username)
    with engine.begin() as conn:
        row = _require_user(conn, username)
        store.update_user(conn, user_id=row["id"], password_hash=hash_password(password))
        store.delete_user_sessions(conn, user_id=row["id"])
        store.revoke_user_tokens(conn, user_id=row["id"], now=now)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="user.password",
            object_type="user",
            object_id=username,
        )


def set_active(
    *, engine: sa.Engine, username: str, active: bool, actor: User, now: dt.datetime | None = None
) -> None:
    """Enable or disable an account (administrators); disabling revokes its sessions and tokens."""
    now = now or utcnow()
    policy.require(actor, Permission.MANAGE_USERS)
    with engine.begin() as conn:
        row = _require_user(conn, username)
        store.update_user(conn, user_id=row["id"], active=active)
        if not active:
            store.delete_user_sessions(conn, user_id=row["id"])
            store.revoke_user_tokens(conn, user_id=row["id"], now=now)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="user.enable" if active else "user.disable",
            object_type="user",
            object_id=username,
            before={"active": bool(row["active"])},
            after={"active": active},
        )


def list_users(*, engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        return [User.from_row(r) for r in store.fetch_users(conn)]


def ensure_first_admin(*, engine: sa.Engine, password: str | None) -> str | None:
    """Create the `admin` account when there is no user yet; return a generated password to show once."""
    with engine.connect() as conn:
        if store.count_users(conn) > 0:
            return None
    generated = None if password else generate_password()
    create_user(
        engine=engine,
        username=FIRST_ADMIN,
        password=password or generated or "",
        role=Role.ADMIN,
        display_name="系统管理员",
        actor=policy.system_actor("dem init"),
    )
    return generated


class CreatedToken(NamedTuple):
    id: int
    token: str  # shown once; only its hash is kept
    expires_at: dt.datetime


@dataclass(frozen=True)
class Session:
    user: User
    token: str
    csrf_token: str
    expires_at: dt.datetime


def login(
    *,
    engine: sa.Engine,
    username: str,
    password: str,
    address: str,
    limits: LoginLimits = LoginLimits(),
    now: dt.datetime | None = None,
) -> Session:
    """Check a password and open a session; too many recent failures (account or address) answer 429.

    The attempt is recorded as a failure before anything is checked, so parallel guesses count
    against each other at once; only a correct password turns it into a success. An unknown user
    costs one password hash like a known one, so the answer's timing does not say who exists.
    """
    now = now or utcnow()
    since = now - limits.window
    with engine.begin() as conn:
        attempt = store.insert_login_attempt(conn, account=username, address=address, now=now, success=False)
    with engine.connect() as conn:
        limited = (
            store.count_failed_attempts(conn, since=since, account=username) > limits.max_failures_per_account
            or store.count_failed_attempts(conn, since=since, address=address)
            > limits.max_failures_per_address
        )
        row = None if limited else store.fetch_user(conn, username=username)
    if limited:
        raise AccountError(
            "too-many-attempts",
            "登录失败次数过多，请 15 分钟后再试",
            "too many failed logins; try again later",
            429,
        )
    known = row is not None and bool(row["active"])
    matches = verify_password(row["password_hash"] if known and row else dummy_hash(), password)
    if not (known and matches) or row is None:
        raise AccountError("bad-credentials", "用户名或密码错误", "wrong username or password", 401)
    token, csrf = new_token("s_"), secrets.token_urlsafe(24)
    expires = now + limits.session_lifetime
    with engine.begin() as conn:
        store.mark_login_success(conn, attempt_id=attempt)
        store.insert_session(
            conn,
            token_hash=token_hash(token),
            user_id=row["id"],
            csrf_token=csrf,
            address=address,
            now=now,
            expires_at=expires,
        )
        audit_store.insert_audit(
            conn, at=now, username=username, address=address, action="session.login", object_type="session"
        )
    return Session(User.from_row(row), token, csrf, expires)


def logout(*, engine: sa.Engine, session_token: str) -> None:
    with engine.begin() as conn:
        store.delete_session(conn, token_hash=token_hash(session_token))


def session_user(
    *, engine: sa.Engine, session_token: str, now: dt.datetime | None = None
) -> tuple[User, str] | None:
    """The user and CSRF token of a live session."""
    with engine.connect() as conn:
        row = store.fetch_session_user(conn, token_hash=token_hash(session_token), now=now or utcnow())
    return (User.from_row(row), row["csrf_token"]) if row else None


def token_user(*, engine: sa.Engine, token: str, now: dt.datetime | None = None) -> User | None:
    """The user behind a live token. Its last use is recorded best-effort, never failing the request.

    Two requests on one token used to update the same row at once, which DuckDB answers with a
    write conflict (HTTP 500). The use is now written at most once a minute, in its own
    transaction, and a conflicting writer simply leaves it to the other one.
    """
    now = now or utcnow()
    digest = token_hash(token)
    with engine.connect() as conn:
        row = store.fetch_token_user(conn, token_hash=digest, now=now)
    if row is None:
        return None
    last = row.get("token_last_used_at")
    if last is None or now - last >= TOKEN_TOUCH_INTERVAL:
        _touch_token(engine, digest, now)
    return User.from_row(row)


def _touch_token(engine: sa.Engine, digest: str, now: dt.datetime) -> None:
    try:
        with engine.begin() as conn:
            store.touch_token(conn, token_hash=digest, now=now)
    except sa.exc.DBAPIError:
        log.info("token use not recorded (a concurrent request recorded it)", exc_info=True)


def create_token(
    *,
    engine: sa.Engine,
    user: User,
    name: str,
    lifetime: dt.timedelta = LoginLimits.token_lifetime,
    now: dt.datetime | None = None,
) -> CreatedToken:
    """A new API token for the user; the plain token is returned once and only its hash is kept.

    The name is what the user sees in the token list, so it is checked here for every edge alike.
    """
    name = _token_name(name)
    now = now or utcnow()
    token = new_token()
    with engine.begin() as conn:
        token_id = store.insert_token(
            conn, user_id=user.id, name=name, token_hash=token_hash(token), now=now, expires_at=now + lifetime
        )
        audit_store.insert_audit(
            conn,
            at=now,
            username=user.username,
            action="token.create",
            object_type="api_token",
            object_id=str(token_id),
            after={"name": name, "expires_at": (now + lifetime).isoformat()},
        )
    return CreatedToken(token_id, token, now + lifetime)


def _token_name(name: str) -> str:
    cleaned = name.strip()
    if not 1 <= len(cleaned) <= TOKEN_NAME_MAX or any(not ch.isprintable() for ch in cleaned):
        raise AccountError(
            "token-name",
            f"令牌名称须为1至{TOKEN_NAME_MAX}个可见字符",
            f"a token name is 1 to {TOKEN_NAME_MAX} printable characters",
            422,
        )
    return cleaned


def list_tokens(*, engine: sa.Engine, user: User, now: dt.datetime | None = None) -> list[dict]:
    """The user's tokens, newest last, each with its `state`: live, expired or revoked."""
    now = now or utcnow()
    with engine.connect() as conn:
        rows = store.fetch_tokens(conn, user_id=user.id)
    return [{**row, "state": token_state(row, now)} for row in rows]


def token_state(row: dict, now: dt.datetime) -> str:
    if row.get("revoked_at") is not None:
        return "revoked"
    expires = row.get("expires_at")
    return "expired" if expires is not None and expires <= now else "live"


def revoke_token(*, engine: sa.Engine, user: User, token_id: int, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    with engine.begin() as conn:
        if not store.revoke_token(conn, token_id=token_id, user_id=user.id, now=now):
            raise AccountError("token-not-found", "没有该令牌", "no such live token", 404)
        audit_store.insert_audit(
            conn,
            at=now,
            username=user.username,
            action="token.revoke",
            object_type="api_token",
            object_id=str(token_id),
        )
