"""Build the Dash app (Flask) that app.main mounts at `/`, behind the sign-in guard."""

from __future__ import annotations

from pathlib import Path

import dash
import flask
from dash import dcc, html

from app.api.context import AppContext
from app.services import accounts
from dashboard.context import CONTEXT_KEY

SESSION_COOKIE = "dem_session"
PUBLIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico", "/_dash-dependencies")
PAGES_DIR = Path(__file__).parent / "pages"


def _guard(context: AppContext) -> flask.typing.ResponseReturnValue | None:
    """Every page and callback needs a signed-in user (or demo mode); assets do not."""
    path = flask.request.path
    if path.startswith(PUBLIC_PREFIXES):
        return None
    token = flask.request.cookies.get(SESSION_COOKIE)
    found = accounts.session_user(engine=context.engine, session_token=token) if token else None
    if found is not None:
        flask.g.user, flask.g.csrf = found
        return None
    if context.settings.demo:
        from app.api.deps import DEMO_USER

        flask.g.user = DEMO_USER
        return None
    if path.startswith("/_dash-"):
        return flask.Response("authentication required", status=401)
    return flask.redirect(f"/login?next={flask.request.full_path.rstrip('?')}")


def create_dash(context: AppContext) -> dash.Dash:
    """The dashboard, its pages registered from dashboard/pages, with the context attached."""
    server = flask.Flask("dashboard")
    server.config[CONTEXT_KEY] = context
    server.before_request(lambda: _guard(context))
    app = dash.Dash(
        __name__,
        server=server,  # type: ignore[arg-type]
        use_pages=True,
        pages_folder=str(PAGES_DIR),
        title="数字经济监测 Digital Economy Monitor",
        suppress_callback_exceptions=True,
        serve_locally=True,
    )
    app.layout = html.Div([dcc.Location(id="url"), dash.page_container])
    return app
