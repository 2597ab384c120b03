"""City detail (`/regions/<code>`): every indicator of one city with YoY, QoQ, rank and share.

The plan sets its numeric targets for the province; a city's own targets (a later plan may have
some) are shown with their statuses when they exist.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from app.services import periods as period_service
from app.services import progress as progress_service
from app.services import series as series_service
from app.services.cache import cached
from dashboard import ids
from dashboard.brief_export import export_panel, present
from dashboard.cards import target_card
from dashboard.components import notice, section, table
from dashboard.context import app_context, current_user
from dashboard.figures import series_figure, titled
from dashboard.formats import number, percent, period_label
from dashboard.i18n import Lang, lang_of, name_of, t
from dashboard.layout import control, frame, page_header
from dashboard.pages.overview import resolve_period
from dashboard.pages.regions import city_indicators, resolve_indicator
from dashboard.selectors import choice_dropdown, period_dropdown
from dashboard.urls import href
from indicators.model import Plan, RegionLevel

dash.register_page(
    __name__, path_template="/regions/<region>", title="城市详情 · 数字经济监测", name="城市详情", order=2
)


def indicator_link(code: str, label: str, region: str, lang: Lang) -> Component:
    return dcc.Link(label, href=href("/indicator", lang, indicator=code, region=region))


def indicators_table(frame_: pd.DataFrame, region: str, lang: Lang) -> Component:
    rows = []
    for row in frame_.to_dict("records"):
        label = row["name_en"] if lang == "en" and row["name_en"] else row["name"]
        rows.append(
            {
                **row,
                "label": indicator_link(str(row["indicator"]), str(label), region, lang),
                "shown": number(row["value"], row["unit"]),
                "rank": "—" if pd.isna(row["rank"]) else f"{int(row['rank'])} / {int(row['peers'])}",
            }
        )
    columns = [
        ("label", t("indicator", lang)),
        ("period", t("period", lang)),
        ("shown", t("value", lang)),
        ("yoy", t("yoy", lang)),
        ("qoq", t("qoq", lang)),
        ("rank", t("rank", lang)),
        ("share", t("share", lang)),
    ]
    return table(
        columns,
        rows,
        table_id=ids.CITY_INDICATORS,
        numeric=["shown", "yoy", "qoq", "rank", "share"],
        formatters={
            "period": lambda p: period_label(p, lang),
            "yoy": lambda v: percent(v, signed=True),
            "qoq": lambda v: percent(v, signed=True),
            "share": percent,
        },
    )


def other_cities(plan: Plan, region: str, lang: Lang, as_of: str | None) -> Component:
    links = [
        dcc.Link(name_of(r, lang), href=href(f"/regions/{r.code}", lang, as_of=as_of), className="city-link")
        for r in plan.regions
        if r.level is RegionLevel.CITY and r.code != region
    ]
    return html.Div(
        [dcc.Link(t("back_to_regions", lang), href=href("/regions", lang, as_of=as_of)), *links],
        className="city-links",
    )


def body(region: str, query: dict[str, Any], lang: Lang) -> list[Component]:
    context = app_context()
    plan, engine = context.plan, context.engine
    if region not in {r.code for r in plan.regions}:
        return [notice(f"{t('region', lang)} {region}?", color="warning")]
    place = plan.region(region)
    periods = period_service.as_of_options(engine=engine, plan=plan)
    as_of = resolve_period(query.get("as_of"), periods)
    allowed = city_indicators(plan)
    chosen = plan.indicator(resolve_indicator(query.get("indicator"), allowed))
    header = page_header(
        name_of(place, lang) if lang == "en" else place.name,
        control(
            t("indicator", lang),
            choice_dropdown(
                ids.INDICATOR, [(c, name_of(plan.indicator(c), lang)) for c in allowed], chosen.code
            ),
        ),
        control(t("as_of", lang), period_dropdown(periods, as_of, lang)),
        subtitle=other_cities(plan, region, lang, as_of),
    )
    if as_of is None:
        return [header, notice(t("no_data", lang))]
    indicators = cached(
        context.cache,
        engine=engine,
        key=("region_indicators", region, as_of),
        compute=lambda: series_service.region_indicators(
            engine=engine, plan=plan, region=region, as_of=as_of
        ),
    )
    targets = progress_service.progress(
        engine=engine,
        plan=plan,
        query=progress_service.ProgressQuery(as_of=as_of, region=region),
        explain=True,
        cache=context.cache,
    )
    own = series_service.region_series(engine=engine, plan=plan, region=region, indicators=[chosen.code])
    series = series_service.up_to(series_service.native_frequency(own, plan), as_of)
    chart = series_figure(
        series.assign(name=name_of(place, lang)),
        unit=chosen.unit,
        lang=lang,
        title=titled(name_of(chosen, lang), chosen.unit, lang),
    )
    cards: Component = (
        dbc.Row(
            [dbc.Col(target_card(r, lang), xs=12, md=6, xl=4) for r in targets.to_dict("records")],
            className="g-3",
        )
        if len(targets)
        else html.P(t("no_city_targets", lang), className="text-muted")
    )
    return [
        header,
        dbc.Row(
            [
                dbc.Col(
                    section(t("all_indicators", lang), indicators_table(indicators, region, lang)),
                    xs=12,
                    xl=7,
                ),
                dbc.Col(
                    [
                        section(t("city_targets", lang), cards),
                        section(
                            t("trajectories", lang),
                            dcc.Graph(id=ids.CITY_SERIES, figure=chart, config={"displayModeBar": False}),
                        ),
                        *present(export_panel(f"region:{region}", as_of, lang=lang, user=current_user())),
                    ],
                    xs=12,
                    xl=5,
                ),
            ],
            className="g-3",
        ),
    ]


def layout(region: str = "", **query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "regions",
        body(region, query, lang),
        lang=lang,
        user=current_user(),
        path=f"/regions/{region}",
        query=query,
        page_id="city-page",
    )
