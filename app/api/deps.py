"""Dependencies: the app context, the current user (session cookie or bearer token) and permissions.

Each route declares what it needs with `Depends(Requires(Permission.X))`; a test walks the route
table and checks every route refuses anonymous requests and every role without the permission.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.api.errors import ApiError
from app.auth import policy
from app.auth.roles import Permission
from app.auth.sessions import CSRF_HEADER, SESSION_COOKIE, CsrfRefused, forwarded_client, resolve_browser_user
from app.context import AppContext
from app.services import accounts
from app.services.accounts import User


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def client_address(request: Request, context: ContextDep) -> str:
    """The client's address; X-Forwarded-For counts only when the peer is a configured proxy."""
    peer = request.client.host if request.client else "unknown"
    return forwarded_client(
        peer=peer,
        forwarded_for=request.headers.get("x-forwarded-for"),
        trusted=context.settings.trusted_proxies,
    )


def optional_user(request: Request, context: ContextDep) -> User | None:
    """The signed-in user: a bearer token first, then the session cookie (with CSRF on writes)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = accounts.token_user(engine=context.engine, token=header[7:].strip())
        if user is None:
            raise ApiError(401, "invalid-token", "令牌无效或已撤销", "invalid or revoked token")
        return user
    try:
        found = resolve_browser_user(
            engine=context.engine,
            session_token=request.cookies.get(SESSION_COOKIE),
            method=request.method,
            csrf_sent=request.headers.get(CSRF_HEADER),
            demo=context.settings.demo,
        )
    except CsrfRefused:
        raise ApiError(
            403, "csrf-failed", "请求缺少有效的 CSRF 令牌", "missing or wrong CSRF token"
        ) from None
    return found.user if found else None


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise ApiError(401, "not-authenticated", "请先登录", "authentication required")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


class Requires:
    """A dependency that lets the request through only if the user's role has the permission."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(self, user: CurrentUser) -> User:
        # the services ask the same policy again: this gate only refuses early, and documents the route
        policy.require(user, self.permission)
        return user


Reader = Annotated[User, Depends(Requires(Permission.READ))]
Uploader = Annotated[User, Depends(Requires(Permission.UPLOAD))]
RollbackUser = Annotated[User, Depends(Requires(Permission.ROLLBACK))]
Locker = Annotated[User, Depends(Requires(Permission.LOCK_PERIODS))]
NoteWriter = Annotated[User, Depends(Requires(Permission.WRITE_NOTES))]
Auditor = Annotated[User, Depends(Requires(Permission.READ_AUDIT))]
TokenOwner = Annotated[User, Depends(Requires(Permission.OWN_TOKENS))]
Administrator = Annotated[User, Depends(Requires(Permission.MANAGE_USERS))]
