"""Accounts: users and roles, browser sessions, API tokens, login with rate limits. Every change audited."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from app.auth.roles import Permission, Role, allows
from app.auth.secrets import (
    MIN_PASSWORD_LENGTH,
    generate_password,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from app.services.clock import utcnow
from app.store import accounts as store
from app.store import audit as audit_store

FIRST_ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    department: str | None
    active: bool = True

    def can(self, permission: Permission) -> bool:
        return self.active and allows(self.role, permission)

    @classmethod
    def from_row(cls, row: dict) -> User:
        return cls(
            id=int(row["id"]),
            username=row["username"],
            display_name=row["display_name"],
            role=Role(row["role"]),
            department=row["department"],
            active=bool(row["active"]),
        )


@dataclass(frozen=True)
class LoginLimits:
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)


class AccountError(Exception):
    """Refused account operation; `status` is the HTTP status the API answers with."""

    def __init__(self, code: str, message_zh: str, message_en: str, status: int = 400) -> None:
        self.code, self.message_zh, self.message_en, self.status = code, message_zh, message_en, status
        super().__init__(f"{message_zh} / {message_en}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "weak-password",
            f"密码至少 {MIN_PASSWORD_LENGTH} 个字符",
            f"the password needs at least {MIN_PASSWORD_LENGTH} characters",
        )


def create_user(
    *,
    engine: sa.Engine,
    username: str,
    password: str,
    role: Role | str,
    department: str | None = None,
    display_name: str | None = None,
    actor: str = "system",
    now: dt.datetime | None = None,
) -> User:
    now = now or utcnow()
    role = Role(role)
    _check_password(password)
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
            username=actor,
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
    *, engine: sa.Engine, username: str, password: str, actor: str = "system", now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    _check_password(password)
    with engine.begin() as conn:
        row = _require_user(conn, username)
        store.update_user(conn, user_id=row["id"], password_hash=hash_password(password))
        store.delete_user_sessions(conn, user_id=row["id"])
        audit_store.insert_audit(
            conn, at=now, username=actor, action="user.password", object_type="user", object_id=username
        )


def set_active(
    *, engine: sa.Engine, username: str, active: bool, actor: str = "system", now: dt.datetime | None = None
) -> None:
    now = now or utcnow()
    with engine.begin() as conn:
        row = _require_user(conn, username)
        store.update_user(conn, user_id=row["id"], active=active)
        if not active:
            store.delete_user_sessions(conn, user_id=row["id"])
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor,
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
        actor="dem init",
    )
    return generated


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
    """Check a password and open a session; too many recent failures (account or address) answer 429."""
    now = now or utcnow()
    since = now - limits.window
    with engine.connect() as conn:
        limited = (
            store.count_failed_attempts(conn, since=since, account=username)
            >= limits.max_failures_per_account
            or store.count_failed_attempts(conn, since=since, address=address)
            >= limits.max_failures_per_address
        )
        row = None if limited else store.fetch_user(conn, username=username)
    if limited:
        raise AccountError(
            "too-many-attempts",
            "登录失败次数过多，请 15 分钟后再试",
            "too many failed logins; try again later",
            429,
        )
    ok = row is not None and bool(row["active"]) and verify_password(row["password_hash"], password)
    with engine.begin() as conn:
        # its own transaction: a failed attempt must be kept although the login is refused
        store.insert_login_attempt(conn, account=username, address=address, now=now, success=ok)
        if ok and row is not None:
            token, csrf = new_token("s_"), secrets.token_urlsafe(24)
            expires = now + limits.session_lifetime
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
                conn,
                at=now,
                username=username,
                address=address,
                action="session.login",
                object_type="session",
            )
    if not ok or row is None:
        raise AccountError("bad-credentials", "用户名或密码错误", "wrong username or password", 401)
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
    digest = token_hash(token)
    with engine.begin() as conn:
        row = store.fetch_token_user(conn, token_hash=digest)
        if row is not None:
            store.touch_token(conn, token_hash=digest, now=now or utcnow())
    return User.from_row(row) if row else None


def create_token(
    *, engine: sa.Engine, user: User, name: str, now: dt.datetime | None = None
) -> tuple[int, str]:
    """A new API token for the user; the plain token is returned once and only its hash is kept."""
    now = now or utcnow()
    token = new_token()
    with engine.begin() as conn:
        token_id = store.insert_token(conn, user_id=user.id, name=name, token_hash=token_hash(token), now=now)
        audit_store.insert_audit(
            conn,
            at=now,
            username=user.username,
            action="token.create",
            object_type="api_token",
            object_id=str(token_id),
            after={"name": name},
        )
    return token_id, token


def list_tokens(*, engine: sa.Engine, user: User) -> list[dict]:
    with engine.connect() as conn:
        return store.fetch_tokens(conn, user_id=user.id)


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
