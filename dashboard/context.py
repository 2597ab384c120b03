"""How pages reach the service: the app context and the signed-in user of the current request.

Both live on the Flask app and request (`current_app.config`, `flask.g`), set when the app is
built and by the sign-in guard, so pages never build engines or read settings themselves.
"""

from __future__ import annotations

import flask

from app.context import AppContext
from app.services.accounts import User

CONTEXT_KEY = "DEM_CONTEXT"


def app_context() -> AppContext:
    context: AppContext = flask.current_app.config[CONTEXT_KEY]
    return context


def current_user() -> User | None:
    return flask.g.get("user")


def current_csrf() -> str | None:
    """The session's CSRF token (None for the demo visitor), for forms that post outside Dash."""
    return flask.g.get("csrf") if flask.has_app_context() else None
