"""The brief export panel of the department, city and overview pages: pick a format, get the file.

The panel shows only to a user whom `app.auth.policy.may_export_brief` lets export the page's scope.
The scope and period travel in a Store, but the service decides again when the button is pressed, so
an edited Store gets the service's refusal, not someone else's brief. The click is a Dash callback
POST, so the sign-in guard checks the session's CSRF token before it runs (dashboard/app.py).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from app.auth import policy
from app.errors import DomainError
from app.services import briefs as brief_service
from app.services.accounts import User
from app.services.brief_downloads import download_name
from dashboard import ids
from dashboard.callbacks import callback
from dashboard.components import refusal, section
from dashboard.context import app_context, current_user
from dashboard.i18n import Lang, lang_of, name_of, t
from dashboard.urls import query_of
from indicators.model import Plan
from indicators.periods import Period

FORMAT_LABELS = {"docx": "Word (.docx)", "xlsx": "Excel (.xlsx)", "pdf": "PDF"}


def scope_label(scope: brief_service.BriefScope, plan: Plan, lang: Lang) -> str:
    """全省 / 省工信厅 / 太原市 / 终期评估, or the English names from the plan."""
    if lang == "zh":
        return scope.label_zh(plan)
    if scope.kind == "department" and scope.code:
        return name_of(plan.department(scope.code), lang)
    if scope.kind == "region" and scope.code:
        return name_of(plan.region(scope.code), lang)
    return t("final_evaluation" if scope.kind == "final" else "province", lang)


def may_export(user: User | None, scope: str, plan: Plan) -> bool:
    """Whether this user sees the export panel for the scope (the policy's rule; the service enforces it)."""
    if user is None:
        return False
    return policy.may_export_brief(actor=user, scope=brief_service.BriefScope.parse(scope, plan=plan))


def export_panel(scope: str, period: str | None, *, lang: Lang, user: User | None) -> Component | None:
    """The panel for one scope at the page's period; None for a user who may not export it."""
    plan = app_context().plan
    if period is None or not may_export(user, scope, plan):
        return None
    parsed = brief_service.BriefScope.parse(scope, plan=plan)
    final = parsed.kind == "final"
    hint = (
        t("final_export_hint", lang)
        if final
        else t("brief_export_hint", lang, scope=scope_label(parsed, plan, lang))
    )
    return section(
        t("final_export" if final else "brief_export", lang),
        [
            html.P(hint, className="text-muted small"),
            html.Div(
                [
                    dbc.RadioItems(
                        id=ids.BRIEF_FORMAT,
                        options=[{"label": text, "value": code} for code, text in FORMAT_LABELS.items()],
                        value="docx",
                        inline=True,
                    ),
                    dbc.Button(t("brief_generate", lang), id=ids.BRIEF_BUTTON, color="primary", n_clicks=0),
                ],
                className="form-actions",
            ),
            dcc.Loading(html.Div(id=ids.BRIEF_MESSAGE), type="dot"),
            dcc.Store(id=ids.BRIEF_SCOPE, data={"scope": scope, "period": period}),
            dcc.Download(id=ids.BRIEF_DOWNLOAD),
        ],
        section_id=ids.BRIEF_EXPORT,
    )


def present(panel: Component | None) -> list[Component]:
    """The panel as a list to splice into a page's children: empty when it is not shown."""
    return [] if panel is None else [panel]


@callback(
    Output(ids.BRIEF_DOWNLOAD, "data"),
    Output(ids.BRIEF_MESSAGE, "children"),
    Input(ids.BRIEF_BUTTON, "n_clicks"),
    State(ids.BRIEF_FORMAT, "value"),
    State(ids.BRIEF_SCOPE, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def export_brief(
    n_clicks: int | None, fmt: str | None, target: dict[str, Any] | None, search: str | None
) -> tuple[Any, Any]:
    """Generate the brief for the panel's scope and period, and hand the file to the browser."""
    lang = lang_of(query_of(search).get("lang"))
    context, user = app_context(), current_user()
    if not n_clicks or not target or user is None:
        return dash.no_update, dash.no_update
    try:
        record = brief_service.generate_brief(
            engine=context.engine,
            plan=context.plan,
            settings=context.settings,
            actor=user,
            scope=brief_service.BriefScope.parse(str(target.get("scope")), plan=context.plan),
            period=Period.parse(str(target["period"])) if target.get("period") else None,
            fmt=brief_service.BriefFormat(fmt or "docx"),
        )
        _, path = brief_service.brief_file(engine=context.engine, actor=user, brief_id=record.id)
    except DomainError as exc:  # the policy's refusal, a bad scope, a failed render
        return dash.no_update, refusal(exc, lang)
    except ValueError:  # a period or format that no page offers: an edited request
        return dash.no_update, dbc.Alert(t("brief_bad_request", lang), color="danger")
    version = "—" if record.data_version is None else str(record.data_version)
    message = dbc.Alert(t("brief_made", lang, title=record.title, version=version), color="success")
    return dcc.send_file(str(path), filename=download_name(record)), message
