"""Figure builders: a DataFrame in, a plotly Figure out. No data access, no Dash, no request.

Every figure uses the CJK font (Noto Sans CJK SC, from fonts-noto-cjk) so Chinese renders in the
browser and in exported images alike, the status colours of `dashboard.status`, and the number
formats of `dashboard.formats`, so a chart label reads like the card beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.formats import is_missing, number, period_label
from dashboard.i18n import Lang, t
from dashboard.status import COMPLETENESS_COLORS
from indicators.periods import MONTHS_PER_YEAR, Period

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"
ACTUAL_COLOR = "#1f5fa8"
PATH_COLOR = "#8a8f98"
TARGET_COLOR = "#b3261e"
PROJECTION_COLOR = "#c2410c"
AS_OF_COLOR = "#5b6270"
QUALITATIVE = (
    "#1f5fa8",
    "#d9580d",
    "#1b7f3b",
    "#b3261e",
    "#6f42c1",
    "#8c564b",
    "#d63384",
    "#5b6270",
    "#a0a617",
    "#0f7d74",
    "#f2b01e",
    "#17becf",
)
AXIS_PAD_MONTHS = 3  # room left and right of the first and last point


TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": list(QUALITATIVE),
        "xaxis": {"gridcolor": "#f1f3f5", "zeroline": False, "automargin": True, "ticks": ""},
        "yaxis": {"gridcolor": "#e9ecef", "zeroline": False, "automargin": True, "ticks": ""},
    }
)
"""A small template of our own: plotly's `plotly_white` styles every trace type and costs ~15 ms a
figure to apply, which on a page of seven charts is most of the page's time."""


def layout(*, height: int, title: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The common look as a layout dict: CJK font, white background, tight margins, legend below.

    Figures are built from dicts in one `go.Figure(data, layout)` call: plotly validates once,
    instead of once per `update_*`/`add_*` call (which made a page of charts slow).
    """
    base: dict[str, Any] = {
        "height": height,
        "font": {"family": FONT_FAMILY, "size": 12, "color": "#1d1d1d"},
        "template": TEMPLATE,
        "margin": {"l": 8, "r": 8, "t": 36 if title else 10, "b": 8},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},  # below the tick labels
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "separators": ".,",
    }
    if title:
        base["title"] = {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}}
    return base | overrides


def ordinal_date(ordinal: int) -> str:
    """The last day of the month a period ends in: 24309 (2025Q3) → `2025-09-30`."""
    year, month0 = divmod(int(ordinal) - 1, MONTHS_PER_YEAR)
    return Period.month(year, month0 + 1).end_date.isoformat()


def year_axis(ordinals: list[int]) -> dict[str, Any]:
    """A date axis with a tick at each year's end, labelled with that year.

    Values sit at their period's end (2022Q4 and the 2022 target both at 2022-12-31), so a tick at
    the year's end puts them right above their year's label; a tick at 1 January would label a
    2022 value `2023`.
    """
    axis: dict[str, Any] = {"type": "date", "gridcolor": "#f1f3f5"}
    if not ordinals:
        return axis
    first, last = min(ordinals), max(ordinals)
    years = range((first - 1) // MONTHS_PER_YEAR, (last - 1) // MONTHS_PER_YEAR + 1)  # year-ends in range
    return axis | {
        "tickvals": [f"{year}-12-31" for year in years],
        "ticktext": [str(year) for year in years],
        "range": [ordinal_date(first - AXIS_PAD_MONTHS), ordinal_date(last + AXIS_PAD_MONTHS)],
    }


TITLE_LIMITS = {"zh": 22, "en": 44}  # characters that fit a chart a quarter of a laptop screen wide


def titled(name: str, unit: str | None, lang: Lang) -> str:
    """`5G基站数（个）`: the unit beside the title, since a rotated CJK axis title reads badly.

    Plotly does not wrap titles, so a long name is shortened with an ellipsis, the unit kept.
    """
    limit = TITLE_LIMITS[lang]
    short = name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
    if not unit:
        return short
    return f"{short} ({unit})" if lang == "en" else f"{short}（{unit}）"


def _deadline(target: Mapping[str, Any]) -> int:
    return Period.annual(int(target["year"])).ordinal  # a target is due at the end of its year


def _hover(periods: Iterable[Any], values: Iterable[Any], unit: str, lang: Lang) -> list[list[str]]:
    return [[period_label(p, lang), number(v, unit)] for p, v in zip(periods, values, strict=True)]


TARGET_COLUMNS = (
    "target_id",
    "year",
    "comparator",
    "target",
    "current",
    "current_period",
    "projected",
    "status",
)
"""The columns of a progress row that `trajectory_figure` draws."""


def trajectory_figure(
    actual: pd.DataFrame,
    targets: pd.DataFrame,
    paths: pd.DataFrame,
    *,
    unit: str,
    lang: Lang,
    title: str | None = None,
    as_of: str | None = None,
    height: int = 280,
) -> go.Figure:
    """Actual series, each target's expected path from its baseline, the target, and the projection.

    `actual`: `ordinal, period, value` (the province series at the indicator's own frequency, up to
    the as-of period); `targets`: the progress rows of this indicator (one per target year);
    `paths`: their expected paths (`target_id, ordinal, value`, from `app.services.series.expected_paths`,
    the engine's E), drawn as they come.
    """
    traces: list[dict[str, Any]] = []
    if not actual.empty:
        traces.append(
            {
                "type": "scatter",
                "x": [ordinal_date(o) for o in actual["ordinal"]],
                "y": actual["value"].tolist(),
                "mode": "lines+markers",
                "name": t("actual", lang),
                "line": {"color": ACTUAL_COLOR, "width": 2.5},
                "marker": {"size": 5},
                "customdata": _hover(actual["period"], actual["value"], unit, lang),
                "hovertemplate": "%{customdata[0]}: %{customdata[1]}<extra></extra>",
            }
        )
    legend: set[str] = set()  # legend groups already shown: each once, whichever target draws it first
    # only the columns drawn: a progress frame has dozens, and turning them all into dicts per chart
    # was most of a page of charts' time
    rows = targets[[c for c in TARGET_COLUMNS if c in targets.columns]].to_dict("records")
    for row in rows:
        path = paths[paths["target_id"] == row["target_id"]] if "target_id" in row else paths.iloc[:0]
        traces += _target_traces(row, path, unit=unit, lang=lang, legend=legend)
    shapes, annotations = _as_of_marker(Period.parse(as_of).ordinal, lang) if as_of else ([], [])
    ordinals = [int(o) for o in actual.get("ordinal", [])] + [_deadline(r) for r in rows]
    return go.Figure(
        data=traces,
        layout=layout(
            height=height,
            title=title,
            xaxis=year_axis(ordinals),
            yaxis={"rangemode": "tozero", "tickformat": ",~r"},
            shapes=shapes,
            annotations=annotations,
        ),
    )


def _once(legend: set[str], group: str) -> bool:
    shown = group not in legend
    legend.add(group)
    return shown


def _target_traces(
    row: Mapping[str, Any], path: pd.DataFrame, *, unit: str, lang: Lang, legend: set[str]
) -> list[dict[str, Any]]:
    traces: list[dict[str, Any]] = []
    deadline = _deadline(row)
    if not path.empty:
        traces.append(
            {
                "type": "scatter",
                "x": [ordinal_date(o) for o in path["ordinal"]],
                "y": path["value"].tolist(),
                "mode": "lines",
                "name": t("expected_path", lang),
                "legendgroup": "path",
                "showlegend": _once(legend, "path"),
                "line": {"color": PATH_COLOR, "dash": "dash", "width": 1.5},
                "hoverinfo": "skip",
            }
        )
    label = f"{t('target_year', lang, year=row['year'])} {row['comparator']} {number(row['target'], unit)}"
    traces.append(
        {
            "type": "scatter",
            "x": [ordinal_date(deadline)],
            "y": [row["target"]],
            "mode": "markers",
            "name": t("target", lang),
            "legendgroup": "target",
            "showlegend": _once(legend, "target"),
            "marker": {"symbol": "star", "size": 14, "color": TARGET_COLOR},
            "hovertext": [label],
            "hoverinfo": "text",
        }
    )
    current_period = row.get("current_period")
    if is_missing(row.get("projected")) or is_missing(row.get("current")) or current_period is None:
        return traces
    start = Period.parse(str(current_period)).ordinal
    if start >= deadline or row.get("status") in ("achieved", "missed"):
        return traces
    traces.append(
        {
            "type": "scatter",
            "x": [ordinal_date(start), ordinal_date(deadline)],
            "y": [row["current"], row["projected"]],
            "mode": "lines+markers",
            "name": t("projected", lang),
            "legendgroup": "projection",
            "showlegend": _once(legend, "projection"),
            "line": {"color": PROJECTION_COLOR, "dash": "dot", "width": 2},
            "marker": {"size": [0, 8], "color": PROJECTION_COLOR},
            "hovertext": ["", f"{t('projected', lang)} {row['year']}: {number(row['projected'], unit)}"],
            "hoverinfo": "text",
        }
    )
    return traces


def _as_of_marker(ordinal: int, lang: Lang) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A dotted vertical line at the as-of period, labelled."""
    when = ordinal_date(ordinal)
    line = {
        "type": "line", "x0": when, "x1": when, "yref": "paper", "y0": 0, "y1": 1,
        "line": {"color": AS_OF_COLOR, "width": 1, "dash": "dot"},
    }  # fmt: skip
    label = {
        "x": when, "yref": "paper", "y": 1, "text": t("as_of", lang), "showarrow": False,
        "xanchor": "right", "yanchor": "top", "font": {"size": 10, "color": AS_OF_COLOR},
    }  # fmt: skip
    return [line], [label]


def series_figure(
    series: pd.DataFrame, *, unit: str, lang: Lang, title: str | None = None, height: int = 320
) -> go.Figure:
    """One line per region: `name, ordinal, period, value` rows (regions in the order given)."""
    traces = [
        {
            "type": "scatter",
            "x": [ordinal_date(o) for o in rows["ordinal"]],
            "y": rows["value"].tolist(),
            "mode": "lines+markers" if len(rows) < 8 else "lines",
            "name": str(name),
            "line": {"color": QUALITATIVE[i % len(QUALITATIVE)], "width": 2},
            "customdata": _hover(rows["period"], rows["value"], unit, lang),
            "hovertemplate": f"{name} %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
        }
        for i, (name, rows) in enumerate(series.groupby("name", sort=False))
    ]
    return go.Figure(
        data=traces,
        layout=layout(
            height=height,
            title=title,
            xaxis=year_axis([int(o) for o in series.get("ordinal", [])]),
            yaxis={"tickformat": ",~r"},
            legend={"orientation": "v", "y": 1, "x": 1.01, "yanchor": "top"},
        ),
    )


COMPLETENESS_CODES = {"not_expected": 0, "received": 1, "missing": 2, "late": 3}


def completeness_figure(frame: pd.DataFrame, *, lang: Lang, height: int = 460) -> go.Figure:
    """Region × indicator grid coloured received / missing / late (blank: not expected).

    `frame`: `indicator_name, region_name, status` in the order rows and columns should appear.
    """
    columns = list(dict.fromkeys(frame["indicator_name"]))
    rows = list(dict.fromkeys(frame["region_name"]))
    coded = frame.assign(code=frame["status"].map(COMPLETENESS_CODES))
    grid = coded.pivot_table(
        index="region_name", columns="indicator_name", values="code", aggfunc="max", sort=False
    ).reindex(index=rows, columns=columns)
    codes = grid.fillna(COMPLETENESS_CODES["not_expected"]).to_numpy(dtype=float)
    names = {code: t(status, lang) for status, code in COMPLETENESS_CODES.items()}
    text = [[names[int(c)] for c in row] for row in codes]
    order = sorted(COMPLETENESS_CODES, key=COMPLETENESS_CODES.__getitem__)
    steps = len(order)
    scale = []
    for i, status in enumerate(order):
        scale += [[i / steps, COMPLETENESS_COLORS[status]], [(i + 1) / steps, COMPLETENESS_COLORS[status]]]
    heatmap = {
        "type": "heatmap", "z": codes, "x": columns, "y": rows, "zmin": -0.5, "zmax": steps - 0.5,
        "colorscale": scale, "showscale": False, "xgap": 2, "ygap": 2, "customdata": text,
        "hovertemplate": "%{y} · %{x}: %{customdata}<extra></extra>",
    }  # fmt: skip
    return go.Figure(
        data=[heatmap],
        layout=layout(
            height=height,
            xaxis={"side": "top", "tickangle": -45, "automargin": True, "showgrid": False},
            yaxis={"autorange": "reversed", "automargin": True, "showgrid": False},
        ),
    )
