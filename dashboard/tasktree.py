"""The plan's tasks as a tree: domain → task → departments, indicators with statuses, latest notes.

Shared by the 任务 page (every task, searchable) and the 部门 page (one department's tasks). The
statuses come from one progress frame computed by the page, the notes from one list of notes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from app.services.notes import NOTE_STATUS_LABELS, NoteStatus
from dashboard.components import explained_badge, status_badge
from dashboard.formats import period_label
from dashboard.i18n import Lang, name_of, pick, t
from dashboard.urls import href
from indicators.model import Plan, Task

StatusIndex = Mapping[str, list[dict[str, Any]]]
NoteIndex = Mapping[tuple[str, str], dict[str, Any]]


def statuses_by_indicator(progress: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Progress rows grouped by indicator (an indicator may carry a 2022 and a 2025 target)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in progress.to_dict("records"):
        grouped[str(row["indicator"])].append(row)
    return grouped


def latest_notes(notes: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The newest note per (task, department)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for note in notes:
        key = (str(note["task"]), str(note["department"]))
        if key not in latest or str(note["period"]) > str(latest[key]["period"]):
            latest[key] = dict(note)
    return latest


def note_status_label(status: str, lang: Lang) -> str:
    try:
        return pick(NOTE_STATUS_LABELS[NoteStatus(status)], lang)
    except ValueError:
        return status


def task_matches(task: Task, plan: Plan, needle: str) -> bool:
    """Whether a search text occurs in the task, its clause, departments or indicators."""
    if not needle:
        return True
    text = needle.strip().lower()
    departments = [plan.department(d) for d in task.departments]
    indicators = [i for i in plan.indicators if task.code in i.tasks]
    haystack = [task.code, task.title, task.title_en, task.text, task.clause]
    haystack += (
        [d.short_name for d in departments] + [d.name for d in departments] + [d.name_en for d in departments]
    )
    haystack += [i.name for i in indicators] + [i.name_en for i in indicators]
    return any(text in value.lower() for value in haystack if value)


def grouped_by_domain(plan: Plan, tasks: Sequence[Task]) -> list[tuple[Any, list[Task]]]:
    """Tasks under their domain, domains in plan order (网 智 数 器 芯 保障措施 政策), empty ones left out."""
    by_domain: dict[str, list[Task]] = defaultdict(list)
    for task in tasks:
        by_domain[task.domain].append(task)
    return [(domain, by_domain[domain.code]) for domain in plan.domains if by_domain.get(domain.code)]


def _department_chips(task: Task, plan: Plan, lang: Lang, highlight: str | None) -> Component:
    chips = []
    for position, code in enumerate(task.departments):
        role = t("lead", lang) if position == 0 else t("support", lang)
        css = (
            "dept-chip"
            + (" dept-lead" if position == 0 else "")
            + (" dept-self" if code == highlight else "")
        )
        chips.append(
            dcc.Link(
                f"{name_of(plan.department(code), lang)} · {role}",
                href=href("/departments", lang, department=code),
                className=css,
            )
        )
    return html.Div(chips, className="dept-chips")


def _indicator_lines(task: Task, plan: Plan, lang: Lang, statuses: StatusIndex) -> Component | None:
    lines = []
    for indicator in plan.indicators:
        if task.code not in indicator.tasks:
            continue
        badges: list[Component] = []
        for row in statuses.get(indicator.code, []):
            badges += [
                html.Span(f"{row['year']}", className="badge-year"),
                *explained_badge(row, lang, scope=task.code),
            ]
        link = dcc.Link(name_of(indicator, lang), href=href("/indicator", lang, indicator=indicator.code))
        lines.append(html.Li([link, *badges], className="task-indicator"))
    return html.Ul(lines, className="task-indicators") if lines else None


def _note_lines(task: Task, plan: Plan, lang: Lang, notes: NoteIndex) -> Component | None:
    lines = []
    for code in task.departments:
        note = notes.get((task.code, code))
        if note is None:
            continue
        lines.append(
            html.Li(
                [
                    html.B(name_of(plan.department(code), lang)),
                    f" {period_label(note['period'], lang)} · ",
                    f"{note_status_label(str(note['status']), lang)}：",
                    html.Span(str(note["narrative"]), className="note-text"),
                ]
            )
        )
    if not lines:
        return None
    return html.Div(
        [html.Div(t("latest_note", lang), className="field-label"), html.Ul(lines)], className="task-notes"
    )


def _summary_statuses(task: Task, plan: Plan, lang: Lang, statuses: StatusIndex) -> Component:
    """Small status badges of the targets linked to the task, readable without opening it."""
    badges = []
    for indicator in plan.indicators:
        if task.code not in indicator.tasks:
            continue
        for row in statuses.get(indicator.code, []):
            badge = status_badge(row.get("status"), lang)
            label = f"{name_of(indicator, lang)} {row['year']}"
            badges.append(
                html.Span([html.Span(label, className="mini-label"), badge], className="mini-status")
            )
    return html.Span(badges, className="task-statuses")


def task_item(
    task: Task,
    plan: Plan,
    lang: Lang,
    *,
    statuses: StatusIndex,
    notes: NoteIndex,
    highlight: str | None = None,
    open_: bool = False,
) -> Component:
    """One task as a collapsible item: clause and title; inside, the text, who, indicators, notes."""
    title = task.title_en if lang == "en" and task.title_en else task.title
    lead = plan.department(task.lead).short_name if task.lead and lang == "zh" else None
    if task.lead and lang == "en":
        lead = name_of(plan.department(task.lead), lang)
    summary = html.Summary(
        [
            html.Span(task.clause, className="task-clause"),
            html.Span(title, className="task-title"),
            html.Span(lead or "", className="task-lead"),
            _summary_statuses(task, plan, lang, statuses),
        ]
    )
    inside = [
        _department_chips(task, plan, lang, highlight),
        _indicator_lines(task, plan, lang, statuses),
        _note_lines(task, plan, lang, notes),
        html.P(task.text, className="task-text"),
    ]
    return html.Details(
        [summary, html.Div([part for part in inside if part is not None], className="task-body")],
        open=open_,
        className="task-item",
        id=f"task-{task.code}",
    )


def task_tree(
    plan: Plan,
    tasks: Sequence[Task],
    lang: Lang,
    *,
    statuses: StatusIndex,
    notes: NoteIndex,
    highlight: str | None = None,
    expand: bool = False,
) -> list[Component]:
    """Domains with their tasks; `expand` opens every task (after a search)."""
    groups: list[Component] = []
    for domain, items in grouped_by_domain(plan, tasks):
        title = domain.name_en if lang == "en" and domain.name_en else domain.title
        heading = domain.name if title == domain.name else f"{domain.name} · {title}"
        groups.append(
            html.Details(
                [
                    html.Summary(
                        [
                            html.Span(heading, className="domain-title"),
                            html.Span(f"{len(items)}", className="domain-count"),
                        ]
                    ),
                    html.Div(
                        [
                            task_item(
                                task,
                                plan,
                                lang,
                                statuses=statuses,
                                notes=notes,
                                highlight=highlight,
                                open_=expand,
                            )
                            for task in items
                        ],
                        className="domain-tasks",
                    ),
                ],
                open=True,
                className="domain-group",
                id=f"domain-{domain.code}",
            )
        )
    return groups
