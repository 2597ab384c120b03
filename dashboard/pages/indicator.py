"""指标 Indicator: one indicator's series for the province and every city, its metadata, and where
each value came from (upload, file, time, user) with its revisions.

`?indicator=…&region=…&period=…`: the region picks whose provenance is listed, the period whose
revision history is opened.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from app.context import AppContext
from app.services import locks as lock_service
from app.services import observations as obs_service
from app.services import progress as progress_service
from app.services import series as series_service
from dashboard import ids
from dashboard.components import field, notice, section, table
from dashboard.context import app_context, current_user
from dashboard.figures import series_figure, titled, trajectory_figure
from dashboard.formats import beijing_time, number, period_label, shared_decimals
from dashboard.i18n import FREQUENCY_LABELS, MEASURE_LABELS, Lang, lang_of, name_of, pick, t
from dashboard.layout import control, frame, page_header
from dashboard.memo import figure_dict, remembered
from dashboard.selectors import choice_dropdown
from dashboard.urls import href
from indicators.model import Indicator, Plan, RegionLevel

dash.register_page(__name__, path="/indicator", title="指标 · 数字经济监测", name="指标", order=4)

PATH = "/indicator"
RECENT_PERIODS = 6
PROVENANCE_ROWS = 12


def metadata(indicator: Indicator, plan: Plan, lang: Lang) -> Component:
    tasks = [plan.task(code) for code in indicator.tasks if code in {t_.code for t_ in plan.tasks}]
    clauses = sorted({target.clause for target in plan.targets if target.indicator == indicator.code})
    task_items = [html.Li(f"{task.clause} {name_of(task, lang)}") for task in tasks]
    return html.Div(
        [
            field(t("definition", lang), indicator.definition or "—"),
            dbc.Row(
                [
                    dbc.Col(field(t("unit", lang), indicator.unit)),
                    dbc.Col(
                        field(t("frequency", lang), pick(FREQUENCY_LABELS[str(indicator.frequency)], lang))
                    ),
                    dbc.Col(field(t("measure", lang), pick(MEASURE_LABELS[str(indicator.measure)], lang))),
                ],
                className="g-2 my-2",
            ),
            field(t("reporting_department", lang), name_of(plan.department(indicator.department), lang)),
            field(t("source", lang), indicator.source or "—"),
            field(t("policy_clause", lang), "；".join(clauses) if clauses else "—"),
            field(
                t("linked_tasks", lang), html.Ul(task_items, className="compact-list") if task_items else "—"
            ),
        ],
        id=ids.METADATA,
        className="metadata",
    )


def recent_table(
    series: pd.DataFrame, plan: Plan, indicator: Indicator, lang: Lang, *, region: str | None = None
) -> Component:
    """Regions down, the last few periods across, formatted in the unit.

    Counties are left out but for the one chosen (`region`): at national scale they are 2,900 rows,
    which no reader scans; the region selector and the provenance list reach any of them.
    """
    periods = list(dict.fromkeys(series.sort_values("ordinal")["period"]))[-RECENT_PERIODS:]
    counties = {r.code for r in plan.regions if r.level is RegionLevel.COUNTY} - {region}
    listed = series[~series["region"].isin(counties) & series["period"].isin(periods)]
    grid = listed.pivot_table(index="region", columns="period", values="value", aggfunc="last")
    places = shared_decimals(grid.to_numpy().ravel())
    rows = []
    for shown in plan.regions:
        if shown.level not in indicator.levels or shown.code not in grid.index:
            continue
        row: dict[str, Any] = {
            "region": dcc.Link(
                name_of(shown, lang), href=href(PATH, lang, indicator=indicator.code, region=shown.code)
            )
        }
        row |= {p: number(grid.at[shown.code, p], indicator.unit, decimals=places) for p in periods}
        rows.append(row)
    columns = [("region", t("region", lang)), *[(p, period_label(p, lang)) for p in periods]]
    return table(columns, rows, table_id=ids.VALUE_TABLE, numeric=periods)


def provenance_table(context: AppContext, indicator: Indicator, region: str, lang: Lang) -> Component:
    records = obs_service.provenance(engine=context.engine, indicator=indicator.code, region=region)
    records = sorted(records, key=lambda r: r["period_ordinal"], reverse=True)[:PROVENANCE_ROWS]
    rows = [
        {
            "period": dcc.Link(
                period_label(r["period"], lang),
                href=href(PATH, lang, indicator=indicator.code, region=region, period=r["period"]),
            ),
            "value": number(r["value"], indicator.unit),
            "upload": f"#{r['upload_id']}",
            "file": r["file_name"],
            "by": r["uploaded_by"],
            "at": beijing_time(r["published_at"], lang),
        }
        for r in records
    ]
    columns = [
        ("period", t("period", lang)),
        ("value", t("value", lang)),
        ("upload", t("upload", lang)),
        ("file", t("file", lang)),
        ("by", t("uploaded_by", lang)),
        ("at", t("published_at", lang)),
    ]
    return table(columns, rows, table_id=ids.PROVENANCE, numeric=["value"])


def history_table(
    context: AppContext, indicator: Indicator, region: str, period: str, lang: Lang
) -> Component:
    revisions = obs_service.value_history(
        engine=context.engine, indicator=indicator.code, region=region, period=period
    )
    rows = [
        {
            "at": beijing_time(r["published_at"], lang),
            "value": number(r["value"], indicator.unit),
            "action": t(f"obs_action_{r['action']}", lang),
            # the reason belongs to the publication that wrote the row, not to a restored one
            "reason": (r.get("reason") or "—") if r["action"] == "publish" else "—",
            "upload": f"#{r['upload_id']}",
            "file": r["file_name"],
            "by": r["published_by"] or r["uploaded_by"],
        }
        for r in revisions
    ]
    columns = [
        ("at", t("time", lang)),
        ("value", t("value", lang)),
        ("action", t("action", lang)),
        ("reason", t("revision_reason", lang)),
        ("upload", t("upload", lang)),
        ("file", t("file", lang)),
        ("by", t("uploaded_by", lang)),
    ]
    history = table(columns, rows, table_id=ids.HISTORY, numeric=["value"])
    lock = next((x for x in lock_service.list_locks(engine=context.engine) if x["period"] == period), None)
    if lock is None:
        return history
    banner = notice(
        t("period_locked_note", lang, period=period_label(period, lang), by=lock["locked_by"]),
        color="secondary",
    )
    return html.Div([html.Div(banner, id="history-lock"), history])


def _drawn(
    context: AppContext, indicator: Indicator, lang: Lang
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any] | None]:
    """The indicator's series at its own frequency, and its two charts (kept per data version)."""
    plan, engine = context.plan, context.engine
    series = series_service.native_frequency(
        series_service.indicator_series(engine=engine, plan=plan, indicators=[indicator.code]), plan
    )
    names = {r.code: name_of(r, lang) for r in plan.regions}
    province = series[series["region"] == plan.province.code]
    cities = series[series["region"].isin([r.code for r in plan.regions if r.level is RegionLevel.CITY])]
    targets = progress_service.progress(
        engine=engine,
        plan=plan,
        query=progress_service.ProgressQuery(indicator=indicator.code),
        cache=context.cache,
    )
    province_chart = trajectory_figure(
        province,
        targets,
        series_service.expected_paths(targets),
        unit=indicator.unit,
        lang=lang,
        title=titled(t("series_province", lang), indicator.unit, lang),
        height=320,
    )
    if cities.empty:
        return series, figure_dict(province_chart), None
    cities_chart = series_figure(
        cities.assign(name=cities["region"].map(names)),
        unit=indicator.unit,
        lang=lang,
        title=titled(t("series_cities", lang), indicator.unit, lang),
    )
    return series, figure_dict(province_chart), figure_dict(cities_chart)


def body(query: dict[str, Any], lang: Lang) -> list[Component]:
    context = app_context()
    plan = context.plan
    codes = [i.code for i in plan.indicators]
    indicator = plan.indicator(query["indicator"] if query.get("indicator") in codes else codes[0])
    regions = [r for r in plan.regions if r.level in indicator.levels]
    requested = str(query.get("region") or "")
    region = requested if requested in {r.code for r in regions} else plan.province.code
    header = page_header(
        name_of(indicator, lang),
        control(
            t("indicator", lang),
            choice_dropdown(
                ids.INDICATOR, [(i.code, name_of(i, lang)) for i in plan.indicators], indicator.code
            ),
        ),
        control(
            t("region", lang),
            choice_dropdown(ids.REGION, [(r.code, name_of(r, lang)) for r in regions], region),
        ),
        subtitle=indicator.code,
    )
    series, province_chart, cities_chart = remembered(
        ("indicator", indicator.code, lang), lambda: _drawn(context, indicator, lang)
    )
    names = {r.code: name_of(r, lang) for r in plan.regions}
    history: list[Component] = []
    period = query.get("period")
    if period:
        history = [
            section(
                f"{t('history', lang)} · {names.get(region, region)} · {period_label(period, lang)}",
                history_table(context, indicator, region, period, lang),
            )
        ]
    charts = [dcc.Graph(id=ids.SERIES_PROVINCE, figure=province_chart, config={"displayModeBar": False})]
    if cities_chart is not None:
        charts.append(dcc.Graph(id=ids.SERIES_CITIES, figure=cities_chart, config={"displayModeBar": False}))
    return [
        header,
        dbc.Row(
            [
                dbc.Col(section(t("trajectories", lang), charts), xs=12, xl=8),
                dbc.Col(section(t("metadata", lang), metadata(indicator, plan, lang)), xs=12, xl=4),
            ],
            className="g-3",
        ),
        section(t("recent_values", lang), recent_table(series, plan, indicator, lang, region=region)),
        dbc.Row(
            [
                dbc.Col(
                    section(
                        f"{t('provenance', lang)} · {names.get(region, region)}",
                        [
                            html.P(t("history_hint", lang), className="text-muted small"),
                            provenance_table(context, indicator, region, lang),
                        ],
                    ),
                    xs=12,
                    xl=7,
                ),
                dbc.Col(history, xs=12, xl=5),
            ],
            className="g-3",
        ),
    ]


def layout(**query: str) -> Component:
    lang = lang_of(query.get("lang"))
    return frame(
        "indicator",
        body(query, lang),
        lang=lang,
        user=current_user(),
        path=PATH,
        query=query,
        page_id="indicator-page",
    )
