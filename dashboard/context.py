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
