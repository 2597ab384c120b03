"""指数 Index: the 数字经济发展指数 of the province and the ranking of the cities, pillar by pillar.

Every number comes from `app.services.composite.composite_index` (the same table as `dem index` and
the API); a value below the coverage rule is not published and the page says so instead of showing it.
"""

from __future__ import annotations

from typing import Any

import dash
import pandas as pd
from dash import html
from dash.development.base_component import Component

from app.services import composite as composite_service
from app.services.cache import cached
from dashboard import ids
from dashboard.components import notice, section, table
from dashboard.context import app_context, current_user
from dashboard.formats import percent, period_label
from dashboard.i18n import Lang, lang_of, pick, t
from dashboard.layout import frame, page_header
from dashboard.urls import href
from indicators.composite import TOTAL
from indicators.model import Plan, RegionLevel

dash.register_page(__name__, path="/index", title="指数 · 数字经济监测", name="指数", order=5)

PATH = "/index"


def latest_published_period(frame_: pd.DataFrame) -> str | None:
    """The latest period whose province total is published (the table is in period order)."""
    totals = frame_[(frame_["dimension"] == TOTAL) & frame_["published"].astype(bool)]
    return str(totals["period"].iloc[-1]) if len(totals) else None


def _score(value: Any, published: Any, lang: Lang) -> str:
    if not bool(published) or value is None or value != value:
        return t("index_withheld", lang)
    return f"{float(value):.1f}"


def province_table(rows: pd.DataFrame, plan: Plan, lang: Lang) -> Component:
    """The province's total and pillars, each with its coverage."""
    names = {TOTAL: t("index_total", lang)} | {
        d.code: pick((d.name, d.name_en), lang) for d in plan.index.dimensions
    }
    weights = {TOTAL: 1.0} | {d.code: d.weight for d in plan.index.dimensions}
    records = [
        {
            "name": names.get(str(r.dimension), str(r.dimension)),
            "weight": percent(weights.get(str(r.dimension))),
            "value": _score(r.value, r.published, lang),
            "coverage": percent(r.coverage),
        }
        for r in rows.itertuples()
    ]
    columns = [
        ("name", t("index_pillar", lang)),
        ("weight", t("index_weight", lang)),
        ("value", t("index_value", lang)),
        ("coverage", t("index_coverage", lang)),
    ]
    return html.Div(table(columns, records, numeric=["weight", "value", "coverage"]), id=ids.INDEX_PROVINCE)


def ranking_table(rows: pd.DataFrame, plan: Plan, lang: Lang) -> Component:
    """Cities by their total index (unpublished ones last), with each pillar and the coverage."""
    cities = {
        r.code: pick((r.short_name, r.name_en), lang) for r in plan.regions if r.level is RegionLevel.CITY
    }
    city_rows = rows[rows["region"].isin(cities)]
    wide = city_rows.pivot(index="region", columns="dimension", values="value")
    total = city_rows[city_rows["dimension"] == TOTAL].set_index("region")
    order = total.sort_values(["rank", "region"], na_position="last").index
    dims = [d.code for d in plan.index.dimensions]
    records = []
    for code in order:
        row = total.loc[code]
        record = {
            "rank": "—" if pd.isna(row["rank"]) else str(int(row["rank"])),
            "city": cities[code],
            "total": _score(row["value"], row["published"], lang),
            "coverage": percent(row["coverage"]),
        }
        for d in dims:
            value = wide.loc[code].get(d) if d in wide.columns else None
            record[d] = "—" if value is None or value != value else f"{float(value):.1f}"
        records.append(record)
    columns = [("rank", t("rank", lang)), ("city", t("index_city", lang)), ("total", t("index_total", lang))]
    columns += [(d.code, pick((d.name, d.name_en), lang)) for d in plan.index.dimensions]
    columns += [("coverage", t("index_coverage", lang))]
    numeric = ["rank", "total", "coverage", *dims]
    return html.Div(table(columns, records, numeric=numeric), id=ids.INDEX_RANKING)


def body(lang: Lang) -> list[Component]:
    context = app_context()
    plan = context.plan
    everything = cached(
        context.cache,
        engine=context.engine,
        key=("composite_index",),
        compute=lambda: composite_service.composite_index(engine=context.engine, plan=plan),
    )
    period = latest_published_period(everything)
    header = page_header(t("nav_index", lang), subtitle=t("index_subtitle", lang))
    if period is None:
        return [header, notice(t("index_none", lang), color="info")]
    rows = everything[everything["period"] == period]
    province = rows[rows["region"] == plan.province.code]
    method = html.P(
        [
            t("index_method", lang, cap=f"{plan.index.cap:.0f}", coverage=percent(plan.index.min_coverage)),
            " ",
            html.A(t("index_method_link", lang), href=href("/methodology", lang, doc="technical")),
        ],
        className="section-note",
    )
    title = f"{t('index_province', lang)} · {period_label(period, lang)}"
    return [
        header,
        section(title, [province_table(province, plan, lang), method]),
        section(t("index_ranking", lang), ranking_table(rows, plan, lang)),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "index",
        body(lang),
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="index-page",
    )
