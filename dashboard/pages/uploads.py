"""数据上报 Uploads (bureau, department, admin): drop a file, read its report, publish; history with
rollback; who has reported for a period; the template.

A file is staged by `app.services.uploads.stage_file`, the one door the API, the CLI and the inbox
use too (type, size limit, one sha256 pass): with errors nothing is written and every row error is
listed; without, the diff against published values is shown and warnings must be confirmed before
publishing. Who may do what (a department uploads its own indicators and acts on its own uploads;
rollback is for the bureau and administrators) is decided by the services through
`app.auth.policy`; the page only hides what the role cannot use, and shows a refusal in Chinese.
"""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component

from app.auth.roles import Permission
from app.context import AppContext
from app.errors import DomainError
from app.services import completeness as completeness_service
from app.services import periods as period_service
from app.services import templates as template_service
from app.services import uploads as upload_service
from app.services.accounts import User
from app.services.clock import utcnow
from app.services.reading import ReadOptions
from dashboard import ids
from dashboard.callbacks import callback
from dashboard.components import notice, refusal, section
from dashboard.context import app_context, current_user
from dashboard.figures import completeness_figure
from dashboard.i18n import Lang, lang_of, name_of, t
from dashboard.layout import control, frame, page_header
from dashboard.lock_panel import lock_panel
from dashboard.selectors import choice_dropdown, period_dropdown
from dashboard.upload_panels import changes_panel, history_table, stage_result
from dashboard.urls import query_of
from indicators.periods import Period

dash.register_page(__name__, path="/uploads", title="数据上报 · 数字经济监测", name="数据上报", order=7)

PATH = "/uploads"
HISTORY_ROWS = 30
TEMPLATE_QUARTERS = 8


def may_upload(user: User | None) -> bool:
    """Whether the page shows its tools (the services decide what the user may actually do)."""
    return user is not None and user.can(Permission.UPLOAD)


def history(context: AppContext, user: User, lang: Lang) -> Component:
    uploads = upload_service.list_uploads(engine=context.engine, limit=HISTORY_ROWS)
    return history_table(uploads, lang, can_rollback=user.can(Permission.ROLLBACK))


def completeness_view(context: AppContext, period: str | None, lang: Lang) -> tuple[go.Figure, Component]:
    """The region × indicator matrix for a period, and who still owes values."""
    if period is None:
        return go.Figure(), notice(t("no_data", lang))
    plan = context.plan
    frame_ = completeness_service.completeness(
        engine=context.engine, plan=plan, period=period, today=utcnow().date()
    )
    names = {i.code: name_of(i, lang) for i in plan.indicators}
    regions = {r.code: name_of(r, lang) for r in plan.regions}
    shown = frame_.assign(
        indicator_name=frame_["indicator"].map(names), region_name=frame_["region"].map(regions)
    )
    counts = frame_["status"].value_counts()
    owing = [name_of(plan.department(d), lang) for d in completeness_service.departments_not_reported(frame_)]
    summary = html.Div(
        [
            html.Span(
                [t(status, lang), " ", html.B(f"{int(counts.get(status, 0)):,}")],
                className=f"legend-item legend-{status}",
            )
            for status in ("received", "missing", "late")
        ]
        + [
            html.Span(
                f"{t('departments_not_reported', lang)}：{'、'.join(owing) if owing else '—'}",
                className="text-muted",
            )
        ],
        className="completeness-summary",
    )
    return completeness_figure(shown, lang=lang), summary


def template_periods(periods: list[str]) -> list[str]:
    """The quarter after the latest data (the one being filled now), then recent ones."""
    if not periods:
        quarter = Period.containing(utcnow().date())
        return [str(quarter)]
    return [str(Period.parse(periods[0]).shift(1)), *periods[:TEMPLATE_QUARTERS]]


def body(context: AppContext, user: User, lang: Lang) -> list[Component]:
    plan = context.plan
    periods = period_service.as_of_options(engine=context.engine, plan=plan)
    upload_box = dcc.Upload(
        html.Div([html.Div("⇪", className="drop-icon"), html.Div(t("upload_hint", lang))]),
        id=ids.UPLOAD,
        # no `accept` and no `max_size`: the browser would drop such files without a word; the
        # callback refuses them instead, with a message saying why
        multiple=False,
        className="drop-zone",
    )
    reporters = sorted({i.department for i in plan.indicators})
    departments = [("", t("template_all", lang))] + [
        (code, name_of(plan.department(code), lang)) for code in reporters
    ]
    own = user.department if user.department in reporters else ""
    template = html.Div(
        [
            control(
                t("period", lang),
                period_dropdown(
                    template_periods(periods),
                    template_periods(periods)[0],
                    lang,
                    component_id=ids.TEMPLATE_PERIOD,
                ),
            ),
            control(t("department", lang), choice_dropdown(ids.TEMPLATE_DEPARTMENT, departments, own)),
            dbc.Button(
                t("download", lang), id=ids.TEMPLATE_BUTTON, color="primary", outline=True, n_clicks=0
            ),
            dcc.Download(id=ids.TEMPLATE_DOWNLOAD),
        ],
        className="template-form",
    )
    figure, summary = completeness_view(context, periods[0] if periods else None, lang)
    return [
        page_header(t("nav_uploads", lang)),
        dbc.Row(
            [
                dbc.Col(
                    section(
                        t("upload_title", lang),
                        [
                            upload_box,
                            dcc.Store(id=ids.UPLOAD_STORE),
                            dcc.Loading(html.Div(id=ids.UPLOAD_RESULT), type="circle"),
                        ],
                    ),
                    xs=12,
                    xl=8,
                ),
                dbc.Col(section(t("template", lang), template), xs=12, xl=4),
            ],
            className="g-3",
        ),
        section(t("locks_title", lang), lock_panel(context, user, periods, lang)),
        section(
            t("upload_history", lang),
            [html.Div(id=ids.ROLLBACK_MESSAGE), html.Div(history(context, user, lang), id=ids.HISTORY_TABLE)],
        ),
        section(
            t("completeness", lang),
            [
                html.Div(summary, id=ids.COMPLETENESS_SUMMARY),
                dcc.Loading(dcc.Graph(id=ids.COMPLETENESS, figure=figure, config={"displayModeBar": False})),
            ],
            extra=control(
                t("period", lang),
                period_dropdown(
                    periods, periods[0] if periods else None, lang, component_id=ids.COMPLETENESS_PERIOD
                ),
            ),
        ),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    user = current_user()
    content = (
        body(app_context(), user, lang)
        if user is not None and may_upload(user)
        else [notice(t("forbidden", lang), color="warning")]
    )
    return frame("uploads", content, lang=lang, user=user, path=PATH, query=query, page_id="uploads-page")


def decode_upload(contents: str) -> bytes:
    """The bytes of a dcc.Upload `data:…;base64,…` string."""
    _, _, encoded = contents.partition(",")
    return base64.b64decode(encoded, validate=False)


def declared_size(contents: str) -> int:
    """The size of the file a `data:…;base64,…` string holds, known before decoding it."""
    _, _, encoded = contents.partition(",")
    encoded = encoded.strip()
    return len(encoded) * 3 // 4 - (len(encoded) - len(encoded.rstrip("=")))


def _lang(search: str | None) -> Lang:
    return lang_of(query_of(search).get("lang"))


def _refused(lang: Lang) -> Component:
    return dbc.Alert(t("forbidden", lang), color="danger")


@callback(
    Output(ids.UPLOAD_RESULT, "children"),
    Output(ids.UPLOAD_STORE, "data"),
    Output(ids.HISTORY_TABLE, "children", allow_duplicate=True),
    Input(ids.UPLOAD, "contents"),
    State(ids.UPLOAD, "filename"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def stage(contents: str | None, filename: str | None, search: str | None) -> tuple[Any, Any, Any]:
    """Validate and stage the dropped file; show its report, its diff and what to do next."""
    lang = _lang(search)
    context, user = app_context(), current_user()
    if user is None:
        return _refused(lang), None, dash.no_update
    if not contents or not filename:
        return dash.no_update, dash.no_update, dash.no_update
    limit = context.settings.max_upload_bytes
    try:
        if declared_size(contents) > limit:  # refused before the string is decoded
            raise upload_service.too_large(upload_service.display_name(filename), limit)
        data = decode_upload(contents)
    except DomainError as exc:
        return refusal(exc, lang, alert_id="upload-refused"), None, dash.no_update
    except (binascii.Error, ValueError):
        return (
            dbc.Alert(t("upload_unreadable", lang), color="danger", id="upload-refused"),
            None,
            dash.no_update,
        )
    try:
        result = upload_service.stage_file(
            engine=context.engine,
            plan=context.plan,
            name=filename,
            stream=io.BytesIO(data),
            actor=user,
            max_bytes=limit,
            declared_size=len(data),
            archive_dir=context.settings.upload_dir,
            read_options=ReadOptions.from_settings(context.settings),
        )
    except DomainError as exc:
        return refusal(exc, lang, alert_id="upload-refused"), None, dash.no_update
    upload_id = (
        result.upload_id
        if result.status == "staged"
        else (result.duplicate_of if result.duplicate_status == "staged" else None)
    )
    store = {"upload_id": upload_id} if upload_id else None
    return stage_result(result, context.plan, lang), store, history(context, user, lang)


def _staged_id(store: dict[str, Any] | None) -> int | None:
    """The upload the page staged (the services decide whether this user may act on it)."""
    if not store or not store.get("upload_id"):
        return None
    return int(store["upload_id"])


@callback(
    Output(ids.PUBLISH_MESSAGE, "children"),
    Output(ids.HISTORY_TABLE, "children", allow_duplicate=True),
    Output(ids.COMPLETENESS, "figure", allow_duplicate=True),
    Output(ids.COMPLETENESS_SUMMARY, "children", allow_duplicate=True),
    Output(ids.UPLOAD_STORE, "data", allow_duplicate=True),
    Input(ids.PUBLISH, "n_clicks"),
    State(ids.CONFIRM_WARNINGS, "value"),
    State(ids.PUBLISH_REASON, "value"),
    State(ids.UPLOAD_STORE, "data"),
    State(ids.URL, "search"),
    State(ids.COMPLETENESS_PERIOD, "value"),
    prevent_initial_call=True,
)
def publish(
    n_clicks: int | None,
    confirmed: bool | None,
    reason: str | None,
    store: dict | None,
    search: str | None,
    period: str | None = None,
) -> tuple[Any, Any, Any, Any, Any]:
    """Publish the staged upload in one transaction; the completeness panel is redrawn at once.

    If what the upload overwrites changed since it was staged, the new diff is shown and the store
    remembers the state shown, so that the next press of the button confirms exactly that.
    """
    same = dash.no_update, dash.no_update
    message, history_, store_ = _publish(n_clicks, confirmed, reason, store, search)
    if history_ is dash.no_update:
        return message, history_, *same, store_
    return message, history_, *completeness_view(app_context(), period, _lang(search)), store_


def _publish(
    n_clicks: int | None, confirmed: bool | None, reason: str | None, store: dict | None, search: str | None
) -> tuple[Any, Any, Any]:
    lang = _lang(search)
    context, user = app_context(), current_user()
    if not n_clicks:
        return dash.no_update, dash.no_update, dash.no_update
    upload_id = _staged_id(store)
    if user is None or upload_id is None:
        return _refused(lang), dash.no_update, dash.no_update
    try:
        result = upload_service.publish_upload(
            engine=context.engine,
            upload_id=upload_id,
            actor=user,
            confirm_warnings=bool(confirmed),
            reason=(reason or "").strip() or None,
            seen_version=(store or {}).get("seen_version"),
        )
    except upload_service.UploadError as exc:
        if exc.code != "changed-since-staging":
            return refusal(exc, lang), dash.no_update, dash.no_update
        shown = {**(store or {}), "seen_version": exc.detail["data_version"]}
        alert = dbc.Alert(
            [
                html.P(exc.message(lang)),
                changes_panel(exc.detail, context.plan, lang),
                html.P(t("publish_again", lang)),
            ],
            color="warning",
            id="publish-stale",
        )
        return alert, dash.no_update, shown
    except DomainError as exc:
        return refusal(exc, lang), dash.no_update, dash.no_update
    message = t("published", lang, n=f"{result.published_values:,}", id=result.upload_id)
    return (
        dbc.Alert(message, color="success", id="publish-done"),
        history(context, user, lang),
        dash.no_update,
    )


@callback(
    Output(ids.PUBLISH_MESSAGE, "children", allow_duplicate=True),
    Output(ids.HISTORY_TABLE, "children", allow_duplicate=True),
    Input(ids.REJECT, "n_clicks"),
    State(ids.UPLOAD_STORE, "data"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def reject(n_clicks: int | None, store: dict | None, search: str | None) -> tuple[Any, Any]:
    """Discard the staged upload; nothing is published."""
    lang = _lang(search)
    context, user = app_context(), current_user()
    if not n_clicks:
        return dash.no_update, dash.no_update
    upload_id = _staged_id(store)
    if user is None or upload_id is None:
        return _refused(lang), dash.no_update
    try:
        upload_service.reject_upload(engine=context.engine, upload_id=upload_id, actor=user)
    except DomainError as exc:
        return refusal(exc, lang), dash.no_update
    return dbc.Alert(t("rejected_done", lang, id=upload_id), color="secondary"), history(context, user, lang)


@callback(
    Output(ids.ROLLBACK_MESSAGE, "children"),
    Output(ids.HISTORY_TABLE, "children", allow_duplicate=True),
    Output(ids.COMPLETENESS, "figure", allow_duplicate=True),
    Output(ids.COMPLETENESS_SUMMARY, "children", allow_duplicate=True),
    Input({"type": ids.ROLLBACK_TYPE, "upload": ALL}, "submit_n_clicks"),
    State(ids.URL, "search"),
    State(ids.COMPLETENESS_PERIOD, "value"),
    prevent_initial_call=True,
)
def rollback(clicks: list[int | None], search: str | None, period: str | None = None) -> tuple[Any, ...]:
    """Roll back the confirmed upload: earlier values return, nothing is deleted; completeness is
    redrawn, since a rollback can take values away."""
    lang = _lang(search)
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or not any(clicks or []):
        return (dash.no_update,) * 4
    message, history_ = rollback_upload(int(trigger["upload"]), lang)
    if history_ is dash.no_update:
        return message, history_, dash.no_update, dash.no_update
    return message, history_, *completeness_view(app_context(), period, lang)


def rollback_upload(upload_id: int, lang: Lang) -> tuple[Any, Any]:
    """Roll back one upload for the signed-in user (bureau and administrators only)."""
    context, user = app_context(), current_user()
    if user is None:
        return _refused(lang), dash.no_update
    try:
        result = upload_service.rollback_upload(engine=context.engine, upload_id=upload_id, actor=user)
    except DomainError as exc:
        return refusal(exc, lang), dash.no_update
    message = t("rolled_back", lang, id=upload_id, n=f"{result.restored_values:,}")
    return dbc.Alert(message, color="success"), history(context, user, lang)


@callback(
    Output(ids.TEMPLATE_DOWNLOAD, "data"),
    Input(ids.TEMPLATE_BUTTON, "n_clicks"),
    State(ids.TEMPLATE_PERIOD, "value"),
    State(ids.TEMPLATE_DEPARTMENT, "value"),
    prevent_initial_call=True,
)
def download_template(n_clicks: int | None, period: str | None, department: str | None) -> Any:
    """The upload template workbook for the period (and department), generated from the plan."""
    user = current_user()
    if not n_clicks or not period or user is None or not may_upload(user):
        return dash.no_update
    workbook = template_service.template_workbook(
        plan=app_context().plan, period=period, department=department or None
    )
    return dcc.send_bytes(workbook.content, workbook.name)


@callback(
    Output(ids.COMPLETENESS, "figure"),
    Output(ids.COMPLETENESS_SUMMARY, "children"),
    Input(ids.COMPLETENESS_PERIOD, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def show_completeness(period: str | None, search: str | None) -> tuple[Any, Any]:
    """Redraw the completeness matrix for another period."""
    return completeness_view(app_context(), period, _lang(search))
