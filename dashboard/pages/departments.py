"""部门 Departments: one department's tasks by domain, its targets and indicators, its progress notes.

A department user lands on its own department. Notes are written here by that department's users
(and administrators) through `app.services.notes.save_note`, which asks `app.auth.policy`; everyone
else reads them (the page shows the form only to whom the policy lets write). The brief
export panel (dashboard/brief_export.py) shows to whoever may export this department's brief.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html
from dash.development.base_component import Component

from app.auth import policy
from app.context import AppContext
from app.errors import DomainError
from app.services import notes as notes_service
from app.services import periods as period_service
from app.services import progress as progress_service
from app.services import series as series_service
from app.services.accounts import User
from app.services.cache import cached
from app.services.clock import utcnow
from dashboard import ids
from dashboard.brief_export import export_panel, present
from dashboard.callbacks import callback
from dashboard.components import explained_badge, notice, refusal, section, status_chips, table
from dashboard.context import app_context, current_user
from dashboard.formats import beijing_time, comparator_text, number, percent, period_label, points
from dashboard.i18n import Lang, lang_of, name_of, t
from dashboard.layout import control, frame, page_header
from dashboard.pages.overview import resolve_period
from dashboard.reminder_panel import reminder_sections
from dashboard.selectors import choice_dropdown, period_dropdown
from dashboard.tasktree import latest_notes, note_status_label, statuses_by_indicator, task_tree
from dashboard.urls import href, query_of
from indicators.model import Plan

dash.register_page(__name__, path="/departments", title="部门 · 数字经济监测", name="部门", order=3)

PATH = "/departments"
NOTES_SHOWN = 20


def department_for(requested: str | None, user: User | None, plan: Plan) -> str:
    """The department the URL names, else the user's own, else the first one that leads a task."""
    codes = {d.code for d in plan.departments}
    if requested in codes:
        return str(requested)
    if user is not None and user.department in codes:
        return str(user.department)
    # a plan without tasks (a generated national one) still has departments
    return next((t.lead for t in plan.tasks if t.lead), plan.departments[0].code)  # type: ignore[return-value]


def targets_table(progress: Any, lang: Lang) -> Component:
    rows = []
    for row in progress.to_dict("records"):
        name = row["name_en"] if lang == "en" and row["name_en"] else row["name"]
        rows.append(
            {
                "target": dcc.Link(
                    f"{name} · {row['year']}", href=href("/indicator", lang, indicator=row["indicator"])
                ),
                "current": number(row["current"], row["unit"]),
                "period": period_label(row["current_period"], lang),
                "goal": f"{comparator_text(str(row['comparator']))} {number(row['target'], row['unit'])}",
                "completion": percent(row["completion"]),
                "gap": points(row["schedule_gap_pp"]),
                "status": html.Div(explained_badge(row, lang)),
            }
        )
    columns = [
        ("target", t("target", lang)),
        ("current", t("current", lang)),
        ("period", t("period", lang)),
        ("goal", t("target", lang)),
        ("completion", t("completion", lang)),
        ("gap", t("schedule_gap_pp", lang)),
        ("status", t("status", lang)),
    ]
    return table(
        columns,
        rows,
        table_id=ids.DEPT_TARGETS,
        numeric=["current", "goal", "completion", "gap"],
        nowrap=["period", "status"],
        empty=t("no_data", lang),
    )


def indicators_table(context: AppContext, department: str, as_of: str, lang: Lang) -> Component:
    plan = context.plan
    scope = {i.code for i in plan.department_indicators(department)}
    frame_ = cached(
        context.cache,
        engine=context.engine,
        key=("region_indicators", plan.province.code, as_of),
        compute=lambda: series_service.region_indicators(
            engine=context.engine, plan=plan, region=plan.province.code, as_of=as_of
        ),
    )
    rows = [
        {
            "name": dcc.Link(
                row["name_en"] if lang == "en" else row["name"],
                href=href("/indicator", lang, indicator=row["indicator"]),
            ),
            "reporter": name_of(plan.department(plan.indicator(row["indicator"]).department), lang),
            "value": number(row["value"], row["unit"]),
            "period": period_label(row["period"], lang),
            "yoy": percent(row["yoy"], signed=True),
        }
        for row in frame_.to_dict("records")
        if row["indicator"] in scope
    ]
    columns = [
        ("name", t("indicator", lang)),
        ("reporter", t("reporting_department", lang)),
        ("value", t("value", lang)),
        ("period", t("period", lang)),
        ("yoy", t("yoy", lang)),
    ]
    return table(
        columns, rows, table_id=ids.DEPT_INDICATORS, numeric=["value", "yoy"], empty=t("no_data", lang)
    )


def notes_list(context: AppContext, department: str, lang: Lang) -> Component:
    notes = notes_service.list_notes(engine=context.engine, department=department)[:NOTES_SHOWN]
    if not notes:
        return html.P(t("notes_none", lang), className="text-muted")
    plan = context.plan
    rows = [
        {
            "period": period_label(n["period"], lang),
            "task": name_of(plan.task(n["task"]), lang)
            if n["task"] in {x.code for x in plan.tasks}
            else n["task"],
            "status": note_status_label(str(n["status"]), lang),
            "narrative": n["narrative"],
            "author": n["author"],
            "updated": beijing_time(n["updated_at"], lang),
        }
        for n in notes
    ]
    columns = [
        ("period", t("note_period", lang)),
        ("task", t("note_task", lang)),
        ("status", t("note_status", lang)),
        ("narrative", t("note_text", lang)),
        ("author", t("author", lang)),
        ("updated", t("updated", lang)),
    ]
    return table(columns, rows)


def note_form(context: AppContext, department: str, lang: Lang) -> Component:
    plan = context.plan
    periods = period_service.open_note_periods(
        today=utcnow().date(), edit_days=context.settings.note_edit_days
    )
    if not periods:
        return notice(t("notes_no_open_period", lang))
    tasks = [
        (task.code, f"{task.clause} {name_of(task, lang)}") for task in plan.department_tasks(department)
    ]
    statuses = [{"label": note_status_label(str(s), lang), "value": str(s)} for s in notes_service.NoteStatus]
    return html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(
                        control(
                            t("note_task", lang),
                            choice_dropdown(ids.NOTE_TASK, tasks, tasks[0][0] if tasks else None),
                        ),
                        lg=8,
                    ),
                    dbc.Col(
                        control(
                            t("note_period", lang),
                            period_dropdown(periods, periods[0], lang, component_id=ids.NOTE_PERIOD),
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        control(
                            t("note_status", lang),
                            dbc.RadioItems(
                                id=ids.NOTE_STATUS,
                                options=statuses,
                                value=str(notes_service.NoteStatus.IN_PROGRESS),
                                inline=True,
                            ),
                        ),
                        xs=12,
                    ),
                ],
                className="g-2",
            ),
            dbc.Textarea(id=ids.NOTE_TEXT, placeholder=t("note_text", lang), rows=3, className="mt-2"),
            html.Div(
                [
                    dbc.Button(t("note_save", lang), id=ids.NOTE_SAVE, color="primary", n_clicks=0),
                    html.Div(id=ids.NOTE_MESSAGE),
                ],
                className="form-actions",
            ),
        ],
        className="note-form",
    )


def body(query: dict[str, Any], lang: Lang) -> list[Component]:
    context, user = app_context(), current_user()
    plan, engine = context.plan, context.engine
    department = department_for(query.get("department"), user, plan)
    periods = period_service.as_of_options(engine=engine, plan=plan)
    as_of = resolve_period(query.get("as_of"), periods)
    options = [(d.code, name_of(d, lang)) for d in plan.departments if plan.department_tasks(d.code)]
    tasks = plan.department_tasks(department)
    led = sum(1 for task in tasks if task.lead == department)
    dept = plan.department(department)
    header = page_header(
        dept.name if lang == "zh" else (dept.name_en or dept.name),
        control(t("department", lang), choice_dropdown(ids.DEPARTMENT, options, department)),
        control(t("as_of", lang), period_dropdown(periods, as_of, lang)),
        subtitle=f"{t('tasks_led', lang)} {led} · {t('tasks_supported', lang)} {len(tasks) - led}",
    )
    progress = progress_service.progress(
        engine=engine,
        plan=plan,
        query=progress_service.ProgressQuery(as_of=as_of, department=department),
        explain=True,
        cache=context.cache,
    )
    notes = notes_service.list_notes(engine=engine, department=department)
    writable = user is not None and policy.may_write_notes(actor=user, department=department)
    notes_body: list[Component] = (
        [note_form(context, department, lang)]
        if writable
        else [html.P(t("notes_readonly", lang), className="text-muted")]
    )
    notes_body.append(html.Div(notes_list(context, department, lang), id=ids.NOTES))
    left = [
        section(
            t("dept_targets", lang),
            [status_chips(progress["status"].tolist(), lang, compact=True), targets_table(progress, lang)],
        ),
        section(
            t("dept_indicators", lang),
            indicators_table(context, department, as_of, lang) if as_of else notice(t("no_data", lang)),
        ),
    ]
    tree = task_tree(
        plan,
        tasks,
        lang,
        statuses=statuses_by_indicator(progress),
        notes=latest_notes(notes),
        highlight=department,
    )
    return [
        header,
        *reminder_sections(context, department, lang, user=user),
        dbc.Row(
            [
                dbc.Col(
                    [
                        *left,
                        section(t("notes", lang), notes_body),
                        *present(export_panel(f"department:{department}", as_of, lang=lang, user=user)),
                    ],
                    xs=12,
                    xl=6,
                ),
                dbc.Col(section(t("nav_tasks", lang), html.Div(tree, id=ids.DEPT_TASKS)), xs=12, xl=6),
            ],
            className="g-3",
        ),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "departments",
        body(query, lang),
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="departments-page",
    )


@callback(
    Output(ids.NOTE_MESSAGE, "children"),
    Output(ids.NOTES, "children"),
    Input(ids.NOTE_SAVE, "n_clicks"),
    State(ids.NOTE_TASK, "value"),
    State(ids.NOTE_PERIOD, "value"),
    State(ids.NOTE_STATUS, "value"),
    State(ids.NOTE_TEXT, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def save_note(
    n_clicks: int | None,
    task: str | None,
    period: str | None,
    status: str | None,
    text: str | None,
    search: str | None,
) -> tuple[Component, Any]:
    """Save the department's note for a task and quarter; the service checks who may write what."""
    query = query_of(search)
    lang = lang_of(query.get("lang"))
    context, user = app_context(), current_user()
    department = department_for(query.get("department"), user, context.plan)
    if user is None:
        return dbc.Alert(t("notes_readonly", lang), color="danger"), dash.no_update
    if not text or not text.strip() or not task or not period:
        return dbc.Alert(t("note_empty", lang), color="warning"), dash.no_update
    note = notes_service.NoteInput(
        department=department,
        task=task,
        period=period,
        status=notes_service.NoteStatus(status or notes_service.NoteStatus.IN_PROGRESS),
        narrative=text.strip(),
    )
    try:
        notes_service.save_note(
            engine=context.engine,
            plan=context.plan,
            actor=user,
            note=note,
            edit_days=context.settings.note_edit_days,
        )
    except DomainError as exc:  # the role matrix (app.auth.policy), a closed period, an unknown task
        return refusal(exc, lang), dash.no_update
    return dbc.Alert(t("note_saved", lang), color="success", duration=4000), notes_list(
        context, department, lang
    )
