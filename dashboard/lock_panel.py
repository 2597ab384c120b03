"""The 时期锁定 panel of the 数据上报 page: which periods are locked, and (bureau, admin) lock/unlock.

A locked period's published values can be revised only after an unlock, or by the bureau with a
reason marked 年报修订 (`app.services.locks`); the panel says so, next to the upload box.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html
from dash.development.base_component import Component

from app.auth.roles import Permission
from app.context import AppContext
from app.errors import DomainError
from app.services import locks as lock_service
from app.services.accounts import User
from dashboard import ids
from dashboard.callbacks import callback
from dashboard.components import refusal
from dashboard.context import app_context, current_user
from dashboard.formats import beijing_time, period_label
from dashboard.i18n import Lang, lang_of, t
from dashboard.selectors import period_dropdown
from dashboard.urls import query_of

LOCK_LIST = "lock-list"
LOCK_PERIOD = "lock-period"
LOCK_BUTTON = "lock-button"
UNLOCK_BUTTON = "unlock-button"
LOCK_MESSAGE = "lock-message"


def lock_list(context: AppContext, lang: Lang) -> Component:
    locks = lock_service.list_locks(engine=context.engine)
    if not locks:
        return html.P(t("locks_none", lang), className="text-muted")
    return html.Ul(
        [
            html.Li(
                [
                    dbc.Badge(t("locked_badge", lang), color="secondary", className="me-2"),
                    html.B(period_label(x["period"], lang)),
                    f" · {x['locked_by']} · {beijing_time(x['locked_at'], lang)}",
                ],
                className="locked-period",
            )
            for x in locks
        ],
        className="lock-list",
    )


def lock_panel(context: AppContext, user: User, periods: list[str], lang: Lang) -> list[Component]:
    """The list of locks, and the form for those who may lock."""
    parts: list[Component] = [html.Div(lock_list(context, lang), id=LOCK_LIST)]
    if user.can(Permission.LOCK_PERIODS):
        choice = period_dropdown(periods, periods[0] if periods else None, lang, component_id=LOCK_PERIOD)
        parts.append(
            html.Div(
                [
                    html.Div(choice, className="lock-period-choice"),
                    dbc.Button(t("lock", lang), id=LOCK_BUTTON, color="secondary", n_clicks=0),
                    dbc.Button(
                        t("unlock", lang), id=UNLOCK_BUTTON, color="secondary", outline=True, n_clicks=0
                    ),
                    html.Span(t("lock_hint", lang), className="text-muted small"),
                ],
                className="lock-form",
            )
        )
        parts.append(html.Div(id=LOCK_MESSAGE))
    return parts


@callback(
    Output(LOCK_MESSAGE, "children"),
    Output(LOCK_LIST, "children"),
    Input(LOCK_BUTTON, "n_clicks"),
    Input(UNLOCK_BUTTON, "n_clicks"),
    State(LOCK_PERIOD, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def change_lock(
    lock_clicks: int | None, unlock_clicks: int | None, period: str | None, search: str | None
) -> tuple[Any, Any]:
    """Lock or unlock the chosen period (audited) and redraw the list."""
    lang = lang_of(query_of(search).get("lang"))
    context, user = app_context(), current_user()
    if user is None:
        return dbc.Alert(t("forbidden", lang), color="danger"), dash.no_update
    if not period or not (lock_clicks or unlock_clicks):
        return dash.no_update, dash.no_update
    unlocking = ctx.triggered_id == UNLOCK_BUTTON
    try:
        if unlocking:
            lock_service.unlock_period(engine=context.engine, period=period, actor=user)
        else:
            lock_service.lock_period(engine=context.engine, period=period, actor=user)
    except DomainError as exc:  # the role matrix (app.auth.policy) or the lock rules
        return refusal(exc, lang), dash.no_update
    label = period_label(period, lang)
    message = t("unlocked_done" if unlocking else "locked_done", lang, period=label)
    return dbc.Alert(message, color="success"), lock_list(context, lang)
