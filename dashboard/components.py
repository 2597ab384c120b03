"""Small building blocks every page uses: status badges with their explanation, chips, tables, sections.

A badge is a button (keyboard-reachable) in the status colour; clicking it opens a popover with the
engine's explanation of the status, so "why is this red?" is always one click away.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html
from dash.development.base_component import Component

from app.errors import DomainError
from dashboard import ids
from dashboard.formats import MISSING
from dashboard.i18n import Lang, t
from dashboard.status import STATUS_ORDER, status_label, status_style


def data_attributes(**values: str) -> Any:
    """`data-*`/`aria-*` attributes for a component (`data_status="x"` → `data-status="x"`).

    Typed Any because Dash accepts these keyword names at run time but its stubs cannot name them.
    """
    return {key.replace("_", "-", 1): value for key, value in values.items()}


Column = tuple[str, str]  # (key in the row, header text)
Formatter = Callable[[Any], Any]


def status_badge(status: str | None, lang: Lang, *, badge_id: str | None = None) -> Component:
    """A badge in the status colour; with an id it is a button that a popover can attach to."""
    style = status_style(status)
    css = {"backgroundColor": style.fill, "color": style.text}
    label = status_label(status, lang)
    if badge_id is None:
        return html.Span(
            label, className="status-badge", style=css, **data_attributes(data_status=str(status))
        )
    return html.Button(
        label,
        id=badge_id,
        className="status-badge status-badge-button",
        style=css,
        title=t("why", lang),
        n_clicks=0,
        **data_attributes(data_status=str(status), aria_haspopup="dialog"),
    )


def explained_badge(row: Mapping[str, Any], lang: Lang, *, scope: str = "") -> list[Component]:
    """A target's status badge and the popover with its explanation (opened by a click)."""
    target_id = str(row["target_id"])
    badge_id = ids.status_badge(target_id, scope)
    explanation = row.get("explanation_en" if lang == "en" else "explanation_zh") or MISSING
    return [
        status_badge(row.get("status"), lang, badge_id=badge_id),
        dbc.Popover(
            [dbc.PopoverHeader(t("explanation", lang)), dbc.PopoverBody(explanation, className="why-text")],
            id=ids.status_popover(target_id, scope),
            target=badge_id,
            trigger="legacy",
            placement="bottom",
        ),
    ]


def status_chips(
    statuses: Sequence[str], lang: Lang, *, chip_id: str | None = None, compact: bool = False
) -> Component:
    """How many targets are in each status, in the fixed order, zero counts included."""
    counts = pd.Series(list(statuses), dtype=object).value_counts()
    chips = []
    for status in STATUS_ORDER:
        n = int(counts.get(status, 0))
        count_props: dict[str, Any] = {"id": ids.status_count(chip_id, str(status))} if chip_id else {}
        style = status_style(status)
        chips.append(
            html.Span(
                [
                    html.Span(status_label(status, lang), className="chip-label"),
                    html.B(str(n), **count_props),
                ],
                className="status-chip" + (" status-chip-zero" if n == 0 else ""),
                style={"borderColor": style.fill, "--chip-fill": style.fill},
                **data_attributes(data_status=str(status), data_count=str(n)),
            )
        )
    css = "status-chips compact" if compact else "status-chips"
    props: dict[str, Any] = {"id": chip_id} if chip_id else {}
    return html.Div(chips, className=css, **props)


def section(title: str, children: Any, *, section_id: str | None = None, extra: Any = None) -> Component:
    """A titled card; `extra` sits at the right of the title (a selector, a note)."""
    header = html.Div([html.H2(title, className="section-title"), extra], className="section-header")
    body = dbc.CardBody(children)
    if section_id:
        return dbc.Card([header, body], className="section", id=section_id)
    return dbc.Card([header, body], className="section")


def table(
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    *,
    table_id: str | None = None,
    formatters: Mapping[str, Formatter] | None = None,
    numeric: Sequence[str] = (),
    nowrap: Sequence[str] = (),
    empty: str = MISSING,
) -> Component:
    """A plain striped table; numeric columns right-aligned, values formatted per column."""
    formatters = formatters or {}

    def css(key: str) -> str | None:
        classes = " ".join(c for c, keys in (("num", numeric), ("nowrap", nowrap)) if key in keys)
        return classes or None

    header = html.Thead(html.Tr([html.Th(label, className=css(key)) for key, label in columns]))
    body_rows = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            shown = formatters[key](value) if key in formatters else (MISSING if value is None else value)
            cells.append(html.Td(shown, className=css(key)))
        body_rows.append(html.Tr(cells))
    if not body_rows:
        body_rows = [html.Tr(html.Td(empty, colSpan=len(columns), className="empty"))]
    props: dict[str, Any] = {"id": table_id} if table_id else {}
    body_props: dict[str, Any] = {"id": ids.table_body(table_id)} if table_id else {}
    return dbc.Table(
        [header, html.Tbody(body_rows, **body_props)],
        striped=True,
        hover=True,
        size="sm",
        responsive=True,
        className="data-table",
        **props,
    )


def field(label: str, value: Any) -> Component:
    """A label above a value, for cards and metadata."""
    return html.Div([html.Div(label, className="field-label"), html.Div(value, className="field-value")])


def notice(text: str, *, color: str = "secondary", notice_id: str | None = None) -> Component:
    props: dict[str, Any] = {"id": notice_id} if notice_id else {}
    return dbc.Alert(text, color=color, className="notice", **props)


def refusal(error: DomainError, lang: Lang, *, alert_id: str | None = None) -> Component:
    """A service's refusal (any `DomainError`: the role matrix, a closed period, a file too large) as
    the page shows it: the service's own message, in Chinese unless the page is in English."""
    extra = {"id": alert_id} if alert_id else {}
    return dbc.Alert(error.message(lang), color="danger", **extra)
