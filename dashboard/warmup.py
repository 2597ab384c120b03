"""The main pages rendered once, so that their data and figures wait in the cache for the first visitor.

`app.services.warmup.Warmup` calls `warm_pages` after each publication (app.main wires it). Each
page's layout is built inside a request context of the dashboard's Flask server, as Dash builds it
for a visitor who opens the page without a query (no user: the view every role starts from), and
the components are thrown away: what stays is what the page put into the app's `DataCache` under
the current data version (progress, series, figures).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import dash

log = logging.getLogger(__name__)

#: the pages a leader opens first, each costly on its first visit at national scale
WARM_PATHS = ("/", "/regions", "/indicator", "/departments", "/tasks", "/index")


def warm_pages(app: dash.Dash, paths: Sequence[str] = WARM_PATHS) -> list[str]:
    """Render each page of `paths` once; the paths rendered (a page that fails is logged and skipped)."""
    layouts = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    warmed = []
    for path in paths:
        layout = layouts.get(path)
        if layout is None:
            continue
        try:
            with app.server.test_request_context(path):
                layout()
        except Exception:
            log.exception("warming %s failed", path)
            continue
        warmed.append(path)
    return warmed
