"""地区 Regions: the eleven cities on a schematic tile map, ranked, with their share and contribution.

A tile or a bar opens the city's own page (`/regions/<code>`). The map is schematic on purpose:
boundaries need licensed geometry and map approval (see dashboard.tilemap).
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, ctx, dcc, html
from dash.development.base_component import Component

from app.services import periods as period_service
from app.services import progress as progress_service
from dashboard import ids
from dashboard.callbacks import clientside
from dashboard.city_figures import ranking_figure, tile_map_figure
from dashboard.components import notice, section, table
from dashboard.context import app_context, current_user
from dashboard.formats import number, percent, period_label, shared_decimals
from dashboard.i18n import Lang, lang_of, name_of, t
from dashboard.layout import control, frame, page_header
from dashboard.memo import figure_dict, remembered
from dashboard.pages.overview import resolve_period
from dashboard.selectors import choice_dropdown, period_dropdown
from dashboard.tilemap import tile_positions
from dashboard.urls import browser_function, href, query_of
from indicators.model import Indicator, Plan, Polarity, RegionLevel

dash.register_page(__name__, path="/regions", title="地区 · 数字经济监测", name="地区", order=1)

PATH = "/regions"


def city_indicators(plan: Plan) -> list[str]:
    """Indicators the cities report (province-only ones have nothing to map)."""
    return [i.code for i in plan.indicators if RegionLevel.CITY in i.levels]


def resolve_indicator(requested: str | None, allowed: list[str]) -> str:
    return requested if requested in allowed else allowed[0]


def city_link(code: str, name: str, lang: Lang, as_of: str | None) -> Component:
    return dcc.Link(name, href=href(f"{PATH}/{code}", lang, as_of=as_of))


def breakdown_table(frame_: pd.DataFrame, unit: str, lang: Lang, as_of: str | None) -> Component:
    rows = [
        {**row, "city": city_link(str(row["region"]), str(row["name"]), lang, as_of)}
        for row in frame_.to_dict("records")
    ]
    columns = [
        ("rank", t("rank", lang)),
        ("city", t("region", lang)),
        ("value", t("value", lang)),
        ("share", t("share", lang)),
        ("change", t("change_since_base", lang)),
        ("contribution", t("contribution", lang)),
        ("yoy", t("yoy", lang)),
    ]
    places = shared_decimals(frame_["value"])
    return table(
        columns,
        rows,
        table_id=ids.CITY_TABLE,
        numeric=["rank", "value", "share", "change", "contribution", "yoy"],
        formatters={
            "rank": lambda v: "—" if pd.isna(v) else str(int(v)),
            "value": lambda v: number(v, unit, decimals=places),
            "share": percent,
            "change": lambda v: number(v, unit, decimals=places),
            "contribution": percent,
            "yoy": lambda v: percent(v, signed=True),
        },
    )


def body(query: dict[str, Any], lang: Lang) -> list[Component]:
    context = app_context()
    plan = context.plan
    periods = period_service.as_of_options(engine=context.engine, plan=plan)
    as_of = resolve_period(query.get("as_of"), periods)
    allowed = city_indicators(plan)
    indicator = plan.indicator(resolve_indicator(query.get("indicator"), allowed))
    options = [(code, name_of(plan.indicator(code), lang)) for code in allowed]
    header = page_header(
        t("nav_regions", lang),
        control(t("indicator", lang), choice_dropdown(ids.INDICATOR, options, indicator.code)),
        control(t("as_of", lang), period_dropdown(periods, as_of, lang)),
    )
    if as_of is None:
        return [header, notice(t("no_data", lang))]
    cities, tile_figure, ranking_chart = remembered(
        ("regions", indicator.code, as_of, lang), lambda: _drawn(plan, indicator, as_of, lang)
    )
    period = cities["period"].iloc[0] if len(cities) else None
    baseline = cities["baseline_period"].iloc[0] if len(cities) else None
    subtitle = f"{name_of(indicator, lang)} · {period_label(period, lang)}"
    if baseline:
        subtitle += f" · {t('baseline', lang)} {period_label(baseline, lang)}"
    tile = dcc.Graph(id=ids.TILE_MAP, figure=tile_figure, config={"displayModeBar": False})
    ranking = dcc.Graph(id=ids.RANKING, figure=ranking_chart, config={"displayModeBar": False})
    notes = html.Div(
        [html.Div(t("schematic_note", lang)), html.Div(t("zone_note", lang))], className="text-muted small"
    )
    return [
        header,
        html.Div(subtitle, className="page-subtitle mb-2"),
        dbc.Row(
            [
                dbc.Col(section(t("city_map", lang), [tile, notes]), xs=12, lg=5, xxl=4),
                dbc.Col(
                    [
                        section(t("ranking", lang), ranking),
                        section(t("city_detail", lang), breakdown_table(cities, indicator.unit, lang, as_of)),
                    ],
                    xs=12,
                    lg=7,
                    xxl=8,
                ),
            ],
            className="g-3",
        ),
    ]


def _drawn(
    plan: Plan, indicator: Indicator, as_of: str, lang: Lang
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """The cities' breakdown and its two charts (kept per data version by the caller)."""
    cities = progress_service.city_breakdown(
        engine=app_context().engine, plan=plan, indicator=indicator.code, as_of=as_of
    )
    lower = indicator.polarity is Polarity.LOWER
    positions = tile_positions([str(code) for code in cities["region"]])
    tile = tile_map_figure(cities, positions, unit=indicator.unit, lang=lang, lower_is_better=lower)
    ranking = ranking_figure(cities, unit=indicator.unit, lang=lang, lower_is_better=lower)
    return cities, figure_dict(tile), figure_dict(ranking)


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "regions",
        body(query, lang),
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="regions-page",
    )


def clicked_region(click: dict[str, Any] | None) -> str | None:
    """The region code a tile or bar click carries (first item of the point's customdata)."""
    points = (click or {}).get("points") or []
    if not points:
        return None
    data = points[0].get("customdata")
    return str(data[0]) if data else None


def open_city(tile_click: dict | None, bar_click: dict | None, search: str | None) -> tuple[Any, Any]:
    """A click on a tile or a bar opens that city's page, keeping language and period.

    What `OPEN_CITY_JS` does in the browser (the graphs report a click on mount: no round trip).
    """
    click = bar_click if ctx.triggered_id == ids.RANKING else tile_click
    code = clicked_region(click)
    if code is None:
        return dash.no_update, dash.no_update
    return city_location(code, search)


OPEN_CITY_JS = """
function(tileClick, barClick, search) {
    const fired = window.dash_clientside.callback_context.triggered.map(function(t) { return t.prop_id; });
    const click = fired.indexOf("RANKING_ID.clickData") >= 0 ? barClick : tileClick;
    const points = (click && click.points) || [];
    const data = points.length ? points[0].customdata : null;
    if (!data || !data.length) {
        return [window.dash_clientside.no_update, window.dash_clientside.no_update];
    }
    const query = demQueryOf(search);
    const lang = String(query.lang || "").toLowerCase().indexOf("en") === 0 ? "en" : "zh";
    return ["PAGE_PATH/" + String(data[0]), demEncode({as_of: query.as_of, lang: lang})];
}
""".replace("RANKING_ID", ids.RANKING).replace("PAGE_PATH", PATH)

clientside(
    browser_function(OPEN_CITY_JS),
    Output(ids.URL, "pathname", allow_duplicate=True),
    Output(ids.URL, "search", allow_duplicate=True),
    Input(ids.TILE_MAP, "clickData"),
    Input(ids.RANKING, "clickData"),
    State(ids.URL, "search"),
    prevent_initial_call=True,
)


def city_location(code: str, search: str | None) -> tuple[str, str]:
    """Path and search of a city's page, keeping the language and the as-of period."""
    query = query_of(search)
    target = href(f"{PATH}/{code}", lang_of(query.get("lang")), as_of=query.get("as_of"))
    path, _, rest = target.partition("?")
    return path, ("?" + rest) if rest else ""
