"""Build the Dash app (Flask) that app.main mounts at `/`, behind the sign-in guard."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import dash
import flask
from dash import dcc, html

from app.auth.sessions import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, CsrfRefused, resolve_browser_user
from app.context import AppContext
from dashboard import ids
from dashboard.callbacks import register_callbacks
from dashboard.context import CONTEXT_KEY

PUBLIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico", "/_dash-dependencies")
ASSETS_DIR = Path(__file__).parent / "assets"
PAGE_MODULES = (
    "overview", "regions", "city", "departments", "indicator", "uploads", "tasks", "composite", "ledger",
    "briefs", "methodology", "account",
)  # fmt: skip
"""Pages in navbar order, imported from dashboard.pages by `create_dash` (not found by a folder walk)."""
PAGE_CONTENT: Any = {"_pages_content": "children"}  # Dash's page container (its stubs type this as {})
LOADING_DELAY_MS = 250  # a page that answers faster than this shows no spinner at all


def _guard(context: AppContext) -> flask.typing.ResponseReturnValue | None:
    """Every page and callback needs a signed-in user (or demo mode); assets do not."""
    path = flask.request.path
    if path.startswith(PUBLIC_PREFIXES):
        return None
    try:
        found = resolve_browser_user(
            engine=context.engine,
            session_token=flask.request.cookies.get(SESSION_COOKIE),
            method=flask.request.method,
            # the renderer echoes the dem_csrf cookie in this header (csrf_token_name below)
            csrf_sent=flask.request.headers.get(CSRF_HEADER),
            demo=context.settings.demo,
            demo_posts=True,
        )
    except CsrfRefused:
        return flask.Response("missing or wrong CSRF token", status=403)
    if found is not None:
        flask.g.user, flask.g.csrf = found.user, found.csrf_token
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


#: Room in a callback's body for what comes with a dropped file (its name, the page's state).
CALLBACK_SLACK = 1 << 20


def create_dash(context: AppContext) -> dash.Dash:
    """The dashboard, its pages and callbacks registered, with the context attached."""
    server = flask.Flask("dashboard")
    server.config[CONTEXT_KEY] = context
    # a dropped file reaches its callback base64-encoded (4/3 of its size) inside a JSON body: bodies
    # beyond that are refused (413) before they are read; the callback refuses the rest in Chinese
    server.config["MAX_CONTENT_LENGTH"] = context.settings.max_upload_bytes * 4 // 3 + CALLBACK_SLACK
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
