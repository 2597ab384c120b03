"""A headline target as a card: value, target, completion against 序时进度, status and its reason.

Built from one row of the progress frame (`app.services.progress.progress`), so a card shows exactly
what the API and the brief say about the target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import html
from dash.development.base_component import Component

from dashboard import ids
from dashboard.components import explained_badge, field
from dashboard.formats import (
    comparator_text,
    is_missing,
    number,
    percent,
    period_label,
    schedule_gap,
    shared_decimals,
)
from dashboard.i18n import Lang, pick, t
from dashboard.status import provisional_text, status_style, trend_label, verdict_text
from indicators.progress import FLAG_LABELS

FULL_BAR = 100.0
SETTLED = (
    "achieved",
    "missed",
    "no_data",
    "awaiting_final",
)  # statuses where a projection has nothing left to say


def target_title(row: Mapping[str, Any], lang: Lang) -> str:
    name = row.get("name_en") if lang == "en" and row.get("name_en") else row.get("name")
    return f"{name} · {t('target_year', lang, year=row['year'])}"


def target_text(row: Mapping[str, Any], lang: Lang) -> str:
    """`> 5,000 亿元（2022年底）`."""
    value = number(row["target"], row.get("unit"))
    deadline = t("deadline", lang, year=row["year"])
    bracket = f" ({deadline})" if lang == "en" else f"（{deadline}）"
    return f"{comparator_text(str(row['comparator']))} {value}{bracket}"


def completion_bar(row: Mapping[str, Any]) -> Component:
    """Completion as a bar, with a tick where 序时进度 says it should be by now."""
    done = 0.0 if is_missing(row.get("completion")) else min(float(row["completion"]), 1.0) * FULL_BAR
    due = None if is_missing(row.get("expected_completion")) else min(float(row["expected_completion"]), 1.0)
    style = status_style(row.get("status"))
    children: list[Component] = [
        html.Div(className="bar-fill", style={"width": f"{done:.1f}%", "backgroundColor": style.fill})
    ]
    if due is not None:
        children.append(html.Div(className="bar-due", style={"left": f"{due * FULL_BAR:.1f}%"}))
    return html.Div(children, className="completion-bar", role="img")


def projection_text(row: Mapping[str, Any], lang: Lang) -> str | None:
    if row.get("status") in SETTLED or is_missing(row.get("projected")):
        return None
    # a projection is no more precise than the numbers it comes from: 94 个, not 94.34 个
    places = shared_decimals([row.get("target"), row.get("current")])
    value = number(row["projected"], row.get("unit"), decimals=places)
    parts = [t("projected_at", lang, year=row["year"], value=value)]
    if not is_missing(row.get("projected_year")):
        parts.append(t("reached_in", lang, year=int(row["projected_year"])))
    if not is_missing(row.get("growth_needed_per_quarter")):
        parts.append(t("growth_needed", lang, rate=percent(row["growth_needed_per_quarter"])))
    return ("; " if lang == "en" else "；").join(parts)


def _outlook(row: Mapping[str, Any], lang: Lang) -> Component:
    """The trend, or after the deadline the verdict (差0.8%未完成), or the provisional status."""
    verdict = verdict_text(row, lang)
    if verdict:
        return field(t("verdict", lang), verdict)
    provisional = provisional_text(row, lang)
    if provisional:
        return field(t("provisional", lang), provisional.removeprefix(t("provisional", lang)).strip())
    return field(t("trend", lang), trend_label(row.get("trend"), lang))


def target_card(row: Mapping[str, Any], lang: Lang) -> Component:
    """One card per numeric target; its status badge opens the explanation."""
    unit = row.get("unit")
    flags = [pick(FLAG_LABELS[f], lang) for f in row.get("flags") or [] if f in FLAG_LABELS]
    projection = projection_text(row, lang)
    body = [
        html.Div(
            [
                html.Span(number(row.get("current"), unit), className="card-value"),
                html.Span(period_label(row.get("current_period"), lang), className="card-period"),
            ],
            className="card-current",
        ),
        html.Div([t("target", lang), " ", html.B(target_text(row, lang))], className="card-target"),
        completion_bar(row),
        html.Div(
            [
                field(t("completion", lang), percent(row.get("completion"))),
                field(t("expected_completion", lang), percent(row.get("expected_completion"))),
                _outlook(row, lang),
            ],
            className="card-fields",
        ),
        html.Div(
            [
                html.Span(t("schedule_gap", lang) + " ", className="field-label"),
                schedule_gap(row.get("schedule_gap_pp"), lang),
            ],
            className="card-gap",
        ),
    ]
    if projection:
        body.append(html.Div(projection, className="card-projection"))
    if row.get("status") == "awaiting_final" and row.get("deadline_period"):
        body.append(html.Div(t("awaiting_note", lang, period=row["deadline_period"]), className="card-note"))
    if flags:
        body.append(html.Ul([html.Li(flag) for flag in flags], className="card-flags"))
    header = html.Div(
        [html.H3(target_title(row, lang), className="card-name"), html.Div(explained_badge(row, lang))],
        className="target-card-header",
    )
    return dbc.Card(
        [header, dbc.CardBody(body)],
        className="target-card",
        id=ids.target_card(str(row["target_id"])),
        style={"borderTopColor": status_style(row.get("status")).fill},
    )
