"""Parts of pages kept per data version: a figure is drawn once until a publish or rollback.

A page's charts depend only on the published data and on what the URL asks (period, indicator,
language), never on who looks, so they are kept in the app's `DataCache` under the data version,
and a warm page only assembles them. The version is read once per request (one indexed max()),
however many parts a page asks for. Kept values are plain dicts (`Figure.to_plotly_json()`), which
Dash serialises as they are and nothing mutates.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import flask

from app.services.cache import current_version
from dashboard.context import app_context

T = TypeVar("T")
_VERSION_KEY = "dem_data_version"


def request_version() -> int | None:
    """The data version, read once per request."""
    if _VERSION_KEY not in flask.g:
        setattr(flask.g, _VERSION_KEY, current_version(app_context().engine))
    found: int | None = flask.g.get(_VERSION_KEY)
    return found


def remembered(key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()` once per data version for `key` (what the result depends on besides the data)."""
    return app_context().cache.get_or_compute(("page", key), version=request_version(), compute=compute)


def figure_dict(figure: Any) -> dict[str, Any]:
    """A plotly Figure as the plain dict `dcc.Graph` takes (already a dict: unchanged)."""
    return figure if isinstance(figure, dict) else figure.to_plotly_json()  # type: ignore[no-any-return]
