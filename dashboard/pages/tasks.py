"""任务 Tasks: the plan as a tree, domain → task → departments and indicators with statuses.

The search box filters as one types (a callback, not the URL, so typing keeps its focus); `?q=`
opens the page already filtered, so a search can still be linked.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, html
from dash.development.base_component import Component

from app.context import AppContext
from app.services import notes as notes_service
from app.services import progress as progress_service
from dashboard import ids
from dashboard.callbacks import callback
from dashboard.components import section
from dashboard.context import app_context, current_user
from dashboard.i18n import Lang, lang_of, t
from dashboard.layout import frame, page_header
from dashboard.tasktree import latest_notes, statuses_by_indicator, task_matches, task_tree
from dashboard.urls import query_of

dash.register_page(__name__, path="/tasks", title="任务 · 数字经济监测", name="任务", order=5)

PATH = "/tasks"
SEARCH_DEBOUNCE = True


def filtered_tree(context: AppContext, needle: str, lang: Lang) -> tuple[list[Component], str]:
    """The tree of tasks matching the search, and the count line; statuses from one progress call."""
    plan = context.plan
    tasks = [task for task in plan.tasks if task_matches(task, plan, needle)]
    progress = progress_service.progress(engine=context.engine, plan=plan, explain=True, cache=context.cache)
    notes = notes_service.list_notes(engine=context.engine)
    tree = task_tree(
        plan,
        tasks,
        lang,
        statuses=statuses_by_indicator(progress),
        notes=latest_notes(notes),
        expand=bool(needle.strip()),
    )
    return tree, t("task_count", lang, n=len(tasks))


def body(query: dict[str, Any], lang: Lang) -> list[Component]:
    needle = str(query.get("q") or "")
    tree, count = filtered_tree(app_context(), needle, lang)
    search = dbc.Input(
        id=ids.TASK_SEARCH,
        type="search",
        value=needle,
        placeholder=t("task_search", lang),
        debounce=SEARCH_DEBOUNCE,
        className="task-search",
    )
    return [
        page_header(t("nav_tasks", lang), search, subtitle=html.Span(count, id=ids.TASK_COUNT)),
        section(t("nav_tasks", lang), html.Div(tree, id=ids.TASK_TREE, className="task-tree")),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "tasks",
        body(query, lang),
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="tasks-page",
    )


@callback(
    Output(ids.TASK_TREE, "children"),
    Output(ids.TASK_COUNT, "children"),
    Input(ids.TASK_SEARCH, "value"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)
def search_tasks(value: str | None, search: str | None) -> tuple[list[Component], str]:
    """Redraw the tree for the search text."""
    lang = lang_of(query_of(search).get("lang"))
    return filtered_tree(app_context(), value or "", lang)
