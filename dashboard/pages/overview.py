"""总览 Overview: every headline target at a glance, as of a chosen quarter.

Progress is computed once for the page (one `progress` call, explanations included: nine rows);
cards, counts and trajectories are all drawn from that one frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from app.context import AppContext
from app.services import periods as period_service
from app.services import progress as progress_service
from app.services import series as series_service
from app.services.cache import cached
from dashboard import ids
from dashboard.brief_export import export_panel, present
from dashboard.cards import target_card
from dashboard.components import notice, section, status_chips
from dashboard.context import app_context, current_user
from dashboard.figures import titled, trajectory_figure
from dashboard.formats import beijing_time, period_label
from dashboard.i18n import Lang, lang_of, monitor_name, t
from dashboard.layout import control, frame, page_header
from dashboard.memo import figure_dict, remembered
from dashboard.selectors import period_dropdown
from dashboard.urls import href
from indicators.model import Measure, Plan
from indicators.periods import MONTHS_PER_YEAR

dash.register_page(__name__, path="/", title="总览 · 数字经济监测", name="总览", order=0)

PATH = "/"
MAX_TRAJECTORIES = 24
"""Charts drawn on the overview: a national plan has 100 headline indicators, and 100 charts took the
browser seconds to draw; the cards still show every target, the indicator page every trajectory."""


@dataclass(frozen=True)
class OverviewData:
    as_of: str | None
    periods: list[str]
    progress: pd.DataFrame
    series: pd.DataFrame
    freshness: progress_service.DataFreshness


def resolve_period(requested: str | None, periods: list[str]) -> str | None:
    """The as-of period asked for if it is one of the options, else the latest."""
    if requested and requested.upper() in periods:
        return requested.upper()
    return periods[0] if periods else None


def load(context: AppContext, *, as_of: str | None) -> OverviewData:
    """Everything the page shows, in one progress computation and one series read."""
    engine, plan = context.engine, context.plan
    cache = context.cache
    periods = cached(
        cache,
        engine=engine,
        key=("as_of_options",),
        compute=lambda: period_service.as_of_options(engine=engine, plan=plan),
    )
    chosen = resolve_period(as_of, periods)
    frame_ = progress_service.progress(
        engine=engine,
        plan=plan,
        query=progress_service.ProgressQuery(as_of=chosen),
        explain=True,
        cache=context.cache,
    )
    indicators = list(dict.fromkeys(frame_["indicator"]))
    series = cached(  # the charts show the province only: read its series, not every region's
        cache,
        engine=engine,
        key=("region_series", plan.province.code, tuple(indicators)),
        compute=lambda: series_service.region_series(
            engine=engine, plan=plan, region=plan.province.code, indicators=indicators
        ),
    )
    freshness = cached(
        cache,
        engine=engine,
        key=("data_freshness",),
        compute=lambda: progress_service.data_freshness(engine=engine, plan=plan),
    )
    return OverviewData(chosen, periods, frame_, series, freshness)


def province_series(series: pd.DataFrame, plan: Plan, indicator: str, as_of: str | None) -> pd.DataFrame:
    """The province's values of one indicator up to as-of; flows as full-year totals only."""
    rows = series[(series["indicator"] == indicator) & (series["region"] == plan.province.code)]
    return _shown(series_service.native_frequency(rows, plan), plan, indicator, as_of)


def _shown(rows: pd.DataFrame, plan: Plan, indicator: str, as_of: str | None) -> pd.DataFrame:
    if plan.indicator(indicator).measure is Measure.FLOW:
        rows = rows[rows["ordinal"] % MONTHS_PER_YEAR == 0]
    return series_service.up_to(rows, as_of)


def trajectories(data: OverviewData, plan: Plan, lang: Lang) -> Component:
    """One chart per indicator with headline targets; drawn once per data version, period and language."""
    figures = remembered(
        ("overview-trajectories", data.as_of, lang),
        lambda: trajectory_figures(data, plan, lang, limit=MAX_TRAJECTORIES),
    )
    charts: list[Component] = [
        dbc.Col(
            dcc.Graph(figure=figure, id=f"trajectory-{code}", config={"displayModeBar": False}),
            xs=12,
            md=6,
            xl=4,
            xxl=3,
        )
        for code, figure in figures[:MAX_TRAJECTORIES]
    ]
    if len(figures) > MAX_TRAJECTORIES:
        more = t("more_trajectories", lang, n=len(figures) - MAX_TRAJECTORIES)
        charts.append(
            dbc.Col(dcc.Link(more + " →", href=href("/indicator", lang)), xs=12, id="more-trajectories")
        )
    return dbc.Row(charts, className="g-3", id=ids.TRAJECTORIES)


def trajectory_figures(
    data: OverviewData, plan: Plan, lang: Lang, *, limit: int | None = None
) -> list[tuple[str, dict[str, Any] | None]]:
    """(indicator, figure) for each indicator of the progress rows, in their order; past `limit`
    the figure is None (not drawn)."""
    province = data.series[data.series["region"] == plan.province.code]
    by_indicator = dict(
        tuple(series_service.native_frequency(province, plan).groupby("indicator", sort=False))
    )
    empty = province.iloc[:0]
    out: list[tuple[str, dict[str, Any] | None]] = []
    for indicator, rows in data.progress.groupby("indicator", sort=False):
        code = str(indicator)
        if limit is not None and len(out) >= limit:
            out.append((code, None))
            continue
        first = rows.iloc[0]
        title = str(first["name_en"] if lang == "en" else first["name"])
        figure = trajectory_figure(
            _shown(by_indicator.get(code, empty), plan, code, data.as_of),
            rows,
            series_service.expected_paths(rows),
            unit=str(first["unit"]),
            lang=lang,
            title=titled(title, str(first["unit"]), lang),
            as_of=data.as_of,
        )
        out.append((code, figure_dict(figure)))
    return out


def freshness_line(freshness: progress_service.DataFreshness, lang: Lang) -> Component:
    never = [f.name for f in freshness.indicators if f.latest_period is None]
    parts: list[Component | str] = [
        html.Span(
            [
                t("latest_period", lang),
                "：" if lang == "zh" else ": ",
                html.B(period_label(freshness.latest_period, lang)),
            ]
        ),
        html.Span(
            [
                t("last_publication", lang),
                "：" if lang == "zh" else ": ",
                html.B(beijing_time(freshness.last_published_at, lang)),
            ]
        ),
    ]
    if never:
        parts.append(html.Span(f"{t('never_reported', lang)}：{'、'.join(never)}", className="text-muted"))
    return html.Div(parts, id=ids.FRESHNESS, className="freshness")


def milestones(plan: Plan, lang: Lang) -> Component:
    items = [
        html.Li(
            [
                html.Span(f"{m.year}", className="milestone-year"),
                (m.name_en if lang == "en" and m.name_en else m.name) or m.subject,
                html.Span(m.clause, className="milestone-clause"),
            ],
            title=m.text,
        )
        for m in plan.targets
        if m.is_milestone
    ]
    link = dcc.Link(t("nav_tasks", lang) + " →", href=href("/tasks", lang))
    return section(t("milestones", lang), [html.Ul(items, className="milestones"), link])


def body(data: OverviewData, plan: Plan, lang: Lang) -> list[Component]:
    if data.as_of is None:
        return [page_header(t("nav_overview", lang)), notice(t("no_data", lang))]
    header = page_header(
        monitor_name(plan, lang),
        control(t("as_of", lang), period_dropdown(data.periods, data.as_of, lang)),
        subtitle=freshness_line(data.freshness, lang),
    )
    rows = data.progress.to_dict("records")
    cards = dbc.Row(
        [dbc.Col(target_card(row, lang), xs=12, md=6, xl=4, xxl=3) for row in rows],
        className="g-3",
        id=ids.TARGET_CARDS,
    )
    return [
        header,
        section(
            t("status_counts", lang),
            status_chips(data.progress["status"].tolist(), lang, chip_id=ids.STATUS_COUNTS),
        ),
        section(t("targets", lang), cards),
        section(t("trajectories", lang), trajectories(data, plan, lang)),
        milestones(plan, lang),
        *present(export_panel("province", data.as_of, lang=lang, user=current_user())),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    context = app_context()
    data = load(context, as_of=query.get("as_of"))
    return frame(
        "overview",
        body(data, context.plan, lang),
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="overview-page",
    )
