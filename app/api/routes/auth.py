"""Sign in and out, who am I, and personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from app.api.deps import ContextDep, CurrentUser, TokenOwner, client_address
from app.api.models import LoginIn, LoginOut, TokenCreated, TokenIn, TokenOut, UserOut
from app.auth.sessions import CSRF_COOKIE, SESSION_COOKIE
from app.context import AppContext
from app.services import accounts
from app.services.accounts import Session, User
from app.services.clock import utcnow

router = APIRouter(prefix="/auth", tags=["auth"])


def user_out(user: User) -> UserOut:
    return UserOut(
        username=user.username,
        display_name=user.display_name,
        role=str(user.role),
        department=user.department,
    )


def set_session_cookies(response: Response, session: Session, context: AppContext) -> None:
    max_age = int((session.expires_at - utcnow()).total_seconds())
    secure = context.settings.cookie_secure
    response.set_cookie(
        SESSION_COOKIE, session.token, max_age=max_age, httponly=True, secure=secure, samesite="strict"
    )
    # readable by the page's script, which echoes it in the X-CSRF-Token header on writes
    response.set_cookie(CSRF_COOKIE, session.csrf_token, max_age=max_age, secure=secure, samesite="strict")


def close_session(request: Request, response: Response, context: AppContext) -> Response:
    """End the request's browser session, if any, and clear both cookies on the response."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.logout(engine=context.engine, session_token=token)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


def open_session(context: AppContext, username: str, password: str, address: str) -> Session:
    return accounts.login(
        engine=context.engine,
        username=username,
        password=password,
        address=address,
        limits=context.limits,
    )


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, context: ContextDep) -> LoginOut:
    """Sign in with a password; sets an HttpOnly session cookie and returns the CSRF token."""
    session = open_session(context, body.username, body.password, client_address(request, context))
    set_session_cookies(response, session, context)
    return LoginOut(user=user_out(session.user), csrf_token=session.csrf_token, expires_at=session.expires_at)


@router.post("/logout", status_code=204)
def logout(request: Request, user: CurrentUser, context: ContextDep) -> Response:
    """End the browser session."""
    return close_session(request, Response(status_code=204), context)


@router.get("/me", response_model=UserOut)
def me(user: CurrentUser) -> UserOut:
    """The signed-in user."""
    return user_out(user)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(user: TokenOwner, context: ContextDep) -> list[TokenOut]:
    """Your API tokens (never the token itself)."""
    return [TokenOut(**t) for t in accounts.list_tokens(engine=context.engine, user=user)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenIn, user: TokenOwner, context: ContextDep) -> TokenCreated:
    """Create an API token for machine access; it is shown only in this response."""
    created = accounts.create_token(
        engine=context.engine, user=user, name=body.name, lifetime=context.limits.token_lifetime
    )
    return TokenCreated(id=created.id, name=body.name, token=created.token, expires_at=created.expires_at)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, user: TokenOwner, context: ContextDep) -> Response:
    """Revoke one of your API tokens."""
    accounts.revoke_token(engine=context.engine, user=user, token_id=token_id)
    return Response(status_code=204)
