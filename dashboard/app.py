"""Build the Dash app (Flask) that app.main mounts at `/`, behind the sign-in guard."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import dash
import flask
from dash import dcc, html

from app.api.context import AppContext
from app.api.deps import CSRF_COOKIE, CSRF_HEADER, DEMO_USER, SESSION_COOKIE
from app.services import accounts
from dashboard import ids
from dashboard.callbacks import register_callbacks
from dashboard.context import CONTEXT_KEY

PUBLIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico", "/_dash-dependencies")
ASSETS_DIR = Path(__file__).parent / "assets"
PAGE_MODULES = (
    "overview",
    "regions",
    "city",
    "departments",
    "indicator",
    "uploads",
    "tasks",
    "methodology",
    "briefs",
)
"""Pages in navbar order, imported from dashboard.pages by `create_dash` (not found by a folder walk)."""
PAGE_CONTENT: Any = {"_pages_content": "children"}  # Dash's page container (its stubs type this as {})
LOADING_DELAY_MS = 250  # a page that answers faster than this shows no spinner at all


def _guard(context: AppContext) -> flask.typing.ResponseReturnValue | None:
    """Every page and callback needs a signed-in user (or demo mode); assets do not."""
    path = flask.request.path
    if path.startswith(PUBLIC_PREFIXES):
        return None
    token = flask.request.cookies.get(SESSION_COOKIE)
    found = accounts.session_user(engine=context.engine, session_token=token) if token else None
    if found is not None:
        flask.g.user, flask.g.csrf = found
        if flask.request.method == "POST" and flask.request.headers.get(CSRF_HEADER) != flask.g.csrf:
            # the renderer echoes the dem_csrf cookie in this header (csrf_token_name below)
            return flask.Response("missing or wrong CSRF token", status=403)
        return None
    if context.settings.demo:
        flask.g.user = DEMO_USER
        return None
    if path.startswith("/_dash-"):
        return flask.Response("authentication required", status=401)
    return flask.redirect(f"/login?next={flask.request.full_path.rstrip('?')}")


def _import_pages() -> None:
    """Import the page modules once per process, as ordinary modules, and hand Dash their layouts.

    Dash's own folder walk re-executes every page file for each app, under a module name of its own
    (`pages.overview`), so tests importing `dashboard.pages.overview` would get a second copy.
    """
    for name in PAGE_MODULES:
        module = importlib.import_module(f"dashboard.pages.{name}")
        dash.page_registry[module.__name__]["layout"] = module.layout


def shell() -> html.Div:
    """The app layout: the URL, and the page the URL names (a spinner while a page is drawn)."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh="callback-nav"),
            dcc.Loading(
                dash.page_container,
                delay_show=LOADING_DELAY_MS,
                show_initially=False,
                overlay_style={"visibility": "visible", "opacity": 0.55},
                target_components=PAGE_CONTENT,
                type="circle",
                parent_className="page-loading",
            ),
        ]
    )


def create_dash(context: AppContext) -> dash.Dash:
    """The dashboard, its pages and callbacks registered, with the context attached."""
    server = flask.Flask("dashboard")
    server.config[CONTEXT_KEY] = context
    server.before_request(lambda: _guard(context))
    app = dash.Dash(
        __name__,
        server=server,  # type: ignore[arg-type]
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS_DIR),
        title="数字经济监测 Digital Economy Monitor",
        suppress_callback_exceptions=True,
        serve_locally=True,
        update_title="",
        csrf_token_name=CSRF_COOKIE,
        csrf_header_name=CSRF_HEADER,
    )
    _import_pages()
    register_callbacks(app)
    app.layout = shell
    return app
