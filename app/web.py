"""The sign-in page (plain HTML, Chinese first) and sign-out, served by FastAPI next to the dashboard."""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.api.deps import ContextDep, client_address
from app.api.routes.auth import close_session, open_session, set_session_cookies
from app.auth.sessions import SESSION_COOKIE
from app.services import accounts
from app.services.accounts import AccountError

router = APIRouter(include_in_schema=False)

PAGE = (Path(__file__).parent / "templates" / "login.html").read_text(encoding="utf-8")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not redirect elsewhere."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def login_page(next_url: str = "/", error: str | None = None, status: int = 200) -> HTMLResponse:
    box = f'<p class="error" id="login-error">{html.escape(error)}</p>' if error else ""
    return HTMLResponse(PAGE.format(error=box, next=html.escape(_safe_next(next_url))), status_code=status)


@router.get("/login")
def show_login(next: str = "/") -> HTMLResponse:
    return login_page(next)


@router.post("/login", response_model=None)
def submit_login(
    request: Request,
    context: ContextDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        session = open_session(context, username, password, client_address(request, context))
    except AccountError as exc:
        return login_page(next, exc.message_zh, exc.status)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookies(response, session, context)
    return response


@router.post("/logout")
def sign_out(request: Request, context: ContextDep, csrf: Annotated[str, Form()] = "") -> Response:
    """Sign out: a form POST with the session's CSRF token (a bare link could be forged by any page)."""
    token = request.cookies.get(SESSION_COOKIE)
    found = accounts.session_user(engine=context.engine, session_token=token) if token else None
    if found is not None and not secrets.compare_digest(found[1], csrf):
        return HTMLResponse("缺少有效的 CSRF 令牌 / missing or wrong CSRF token", status_code=403)
    return close_session(request, RedirectResponse("/login", status_code=303), context)
