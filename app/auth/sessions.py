"""Browser sessions: the cookie names, the CSRF rule and who a request is, for the API and the dashboard.

Both the FastAPI dependencies and the dashboard's Flask guard resolve the session cookie here, so the
CSRF check and the demo fallback are written once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from app.auth.roles import Role
from app.services import accounts
from app.services.accounts import User

SESSION_COOKIE = "dem_session"
CSRF_COOKIE = "dem_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEMO_USER = User(id=0, username="demo", display_name="演示访客", role=Role.LEADER, department=None)


class CsrfRefused(Exception):
    """A valid session cookie on a write without the session's CSRF token."""


@dataclass(frozen=True)
class BrowserUser:
    user: User
    csrf_token: str | None  # None for the demo visitor, who has no session


def resolve_browser_user(
    *,
    engine: sa.Engine,
    session_token: str | None,
    method: str,
    csrf_sent: str | None,
    demo: bool,
    demo_posts: bool = False,
) -> BrowserUser | None:
    """The user behind a session cookie (CSRF checked on writes), else the demo leader, else None.

    `demo_posts`: the dashboard's callbacks are POSTs that only read, so the demo visitor may make
    them; what the visitor may do is still decided by the leader role in the services.
    """
    if session_token:
        found = accounts.session_user(engine=engine, session_token=session_token)
        if found is not None:
            user, csrf = found
            if method.upper() not in SAFE_METHODS and csrf_sent != csrf:
                raise CsrfRefused
            return BrowserUser(user, csrf)
    if demo and (demo_posts or method.upper() in SAFE_METHODS):
        return BrowserUser(DEMO_USER, None)
    return None


def forwarded_client(*, peer: str, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The address a login is counted against: the peer, or what trusted proxies say it forwarded.

    The header is read from the right, skipping the proxies we trust; the first other hop is the
    client. From an untrusted peer the header is ignored, since anyone can write it.
    """
    if peer not in trusted or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer
