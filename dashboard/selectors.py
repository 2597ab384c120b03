"""Selectors that live in the URL: picking a period, indicator, region or department rewrites the query.

One callback per selector id, shared by every page that shows it: the new value goes into the
query string, and the page's `layout(**query)` redraws from it (see `dashboard.urls`).

Dash 4's dropdowns report their value once when they mount, which would look like a choice: each
URL selector carries the value the page was drawn with (a Store beside it), and only a different
value rewrites the URL. Without that guard every page would be drawn twice.

The callback runs in the browser (`SELECT_QUERY_JS`, the same rule as `select_query` and
`dashboard.urls.with_query`): the mount report of each dropdown was a round trip to the server
after every page was drawn, which answered "no change" and kept the page from being idle.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.callbacks import clientside
from dashboard.formats import period_label
from dashboard.i18n import Lang
from dashboard.urls import browser_function, with_query

QUERY_PARAMS = {
    ids.AS_OF: "as_of",
    ids.INDICATOR: "indicator",
    ids.REGION: "region",
    ids.DEPARTMENT: "department",
}
"""Selector id → the query parameter it writes."""


def rendered_id(component_id: str) -> str:
    """Id of the Store that remembers the value a selector was drawn with."""
    return f"{component_id}-rendered"


def select_query(value: Any, rendered: Any, search: str | None, *, param: str) -> Any:
    """The search string with `param` set to the selected value; no update if nothing changed."""
    if value == rendered or value is None:
        return dash.no_update
    return with_query(search, **{param: value})


SELECT_QUERY_JS = """
function(value, rendered, search) {
    if (value === rendered || value === null || value === undefined) {
        return window.dash_clientside.no_update;
    }
    const params = demQueryOf(search);
    params["PARAM"] = value;
    return demEncode(params);
}
"""
"""`select_query` in the browser (with the parameter's name filled in)."""


def _declare(component_id: str, param: str) -> None:
    clientside(
        browser_function(SELECT_QUERY_JS.replace("PARAM", param)),
        Output(ids.URL, "search", allow_duplicate=True),
        Input(component_id, "value"),
        State(rendered_id(component_id), "data"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )


for _component, _param in QUERY_PARAMS.items():
    _declare(_component, _param)


def _in_url(component_id: str, value: Any, dropdown: dcc.Dropdown) -> Component:
    """A URL selector gets the Store that remembers the value it was drawn with; others stay as they are."""
    if component_id not in QUERY_PARAMS:
        return dropdown
    return html.Div([dropdown, dcc.Store(id=rendered_id(component_id), data=value)])


def period_dropdown(
    periods: list[str], value: str | None, lang: Lang, *, component_id: str = ids.AS_OF
) -> Component:
    """A dropdown of periods, newest first, labelled as a reader says them (2025年第三季度)."""
    dropdown = dcc.Dropdown(
        id=component_id,
        options=[{"label": period_label(p, lang), "value": p} for p in periods],
        value=value,
        clearable=False,
        searchable=False,
        className="period-dropdown",
    )
    return _in_url(component_id, value, dropdown)


def choice_dropdown(
    component_id: str, options: list[tuple[str, str]], value: str | None, *, clearable: bool = False
) -> Component:
    """A dropdown of (value, label) pairs."""
    dropdown = dcc.Dropdown(
        id=component_id,
        options=[{"label": label, "value": code} for code, label in options],
        value=value,
        clearable=clearable,
        className="choice-dropdown",
    )
    return _in_url(component_id, value, dropdown)
