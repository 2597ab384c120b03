"""After the warm-up, opening the main pages computes nothing that the cache keeps: the first visitor
after a publication gets what the second would."""

from __future__ import annotations

import dash

from app.context import AppContext
from app.main import build_context
from dashboard.app import create_dash
from dashboard.warmup import WARM_PATHS, warm_pages


def test_the_warmed_pages_are_served_from_the_cache_on_their_first_visit(sample_context: AppContext) -> None:
    context = build_context(sample_context.settings, sample_context.engine)  # a cache of its own
    app = create_dash(context)
    assert warm_pages(app) == list(WARM_PATHS)
    assert context.cache.misses > len(WARM_PATHS)  # progress, series and figures were computed
    computed, served = context.cache.misses, context.cache.hits
    layouts = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    for path in WARM_PATHS:
        with app.server.test_request_context(path):
            layouts[path]()
    assert context.cache.misses == computed
    assert context.cache.hits > served


def test_a_path_without_a_page_is_skipped(sample_context: AppContext) -> None:
    app = create_dash(build_context(sample_context.settings, sample_context.engine))
    assert warm_pages(app, ["/no-such-page", "/"]) == ["/"]
