"""The city figures: the schematic tile map of the province and the ranking bars, in one colour scale.

Built like every figure here (see `dashboard.figures`): dicts in, one `go.Figure` out, CJK font.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboard.figures import layout
from dashboard.formats import is_missing, number, percent, shared_decimals
from dashboard.i18n import Lang, t
from dashboard.tilemap import TilePosition

SEQUENTIAL = "Blues"
NO_VALUE = "#e9ecef"
TILE_SIZE = 0.92  # share of a grid cell a tile fills, leaving a gap between tiles
DARK_TILE = 0.55  # above this colour intensity, tile text is white
PALEST = 0.15  # the smallest value still gets this much colour


def _intensity(values: pd.Series, lower_is_better: bool) -> np.ndarray:
    """Each value's place between the smallest and largest, 0.15–1 (the palest tile still shows)."""
    x = values.to_numpy(dtype=float)
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return np.full(len(x), np.nan)
    low, high = finite.min(), finite.max()
    scaled = (x - low) / (high - low) if high > low else np.full(len(x), 1.0)
    if lower_is_better:
        scaled = 1 - scaled
    return PALEST + (1 - PALEST) * scaled


def _colors(intensity: np.ndarray) -> list[str]:
    return [
        NO_VALUE if np.isnan(level) else sample_colorscale(SEQUENTIAL, [float(level)])[0]
        for level in intensity
    ]


def tile_map_figure(
    cities: pd.DataFrame,
    positions: Mapping[str, TilePosition],
    *,
    unit: str,
    lang: Lang,
    lower_is_better: bool = False,
    height: int = 560,
) -> go.Figure:
    """Cities as tiles placed like the province, coloured by value; click a tile for the city.

    `cities`: `region, name, value, share, rank` (a city breakdown). Tiles without a value are grey.
    Each point's customdata starts with the region code, which the click callback reads.
    """
    frame = cities[cities["region"].isin(list(positions))].reset_index(drop=True)
    intensity = _intensity(frame["value"], lower_is_better)
    half = TILE_SIZE / 2
    xs = [positions[code][0] for code in frame["region"]]
    ys = [-positions[code][1] for code in frame["region"]]
    shapes = [
        {
            "type": "rect",
            "x0": x - half,
            "x1": x + half,
            "y0": y - half,
            "y1": y + half,
            "fillcolor": color,
            "line": {"color": "#ffffff", "width": 2},
            "layer": "below",
        }  # fmt: skip
        for x, y, color in zip(xs, ys, _colors(intensity), strict=True)
    ]
    places = shared_decimals(frame["value"])
    values = [number(v, unit, decimals=places) for v in frame["value"]]
    points = {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "mode": "markers+text",
        "text": [f"<b>{name}</b><br>{value}" for name, value in zip(frame["name"], values, strict=True)],
        "textfont": {
            "color": ["#ffffff" if level > DARK_TILE else "#1d1d1d" for level in np.nan_to_num(intensity)],
            "size": 13,
        },
        "marker": {"size": 64, "symbol": "square", "color": "rgba(0,0,0,0)"},
        "customdata": [[code] for code in frame["region"]],
        "hovertext": [
            f"{name}<br>{value}<br>{t('share', lang)} {percent(s)}<br>{t('rank', lang)} {_rank(r)}"
            for name, value, s, r in zip(frame["name"], values, frame["share"], frame["rank"], strict=True)
        ],
        "hoverinfo": "text",
        "showlegend": False,
    }
    return go.Figure(
        data=[points],
        layout=layout(
            height=height,
            shapes=shapes,
            xaxis={"visible": False, "range": [-0.6, 2.6], "fixedrange": True},
            yaxis={"visible": False, "range": [-5.6, 0.6], "scaleanchor": "x", "fixedrange": True},
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            dragmode=False,
        ),
    )


def _rank(rank: Any) -> str:
    return "—" if is_missing(rank) else str(int(rank))


def ranking_figure(
    cities: pd.DataFrame, *, unit: str, lang: Lang, lower_is_better: bool = False, height: int = 420
) -> go.Figure:
    """Horizontal bars, best city on top, value labels in the unit; same colours as the tile map."""
    frame = cities.dropna(subset=["value"]).sort_values("rank", ascending=False)
    places = shared_decimals(frame["value"])
    bars = {
        "type": "bar",
        "x": frame["value"].tolist(),
        "y": frame["name"].tolist(),
        "orientation": "h",
        "marker": {"color": _colors(_intensity(frame["value"], lower_is_better))},
        "text": [number(v, unit, decimals=places) for v in frame["value"]],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [[code] for code in frame["region"]],
        "hovertemplate": "%{y}: %{text}<extra></extra>",
    }
    top = float(frame["value"].max()) if not frame.empty else 1.0
    return go.Figure(
        data=[bars],
        layout=layout(
            height=height,
            xaxis={"title": {"text": unit}, "tickformat": ",~r", "range": [0, top * 1.22]},
            yaxis={"automargin": True},
            margin={"l": 8, "r": 16, "t": 10, "b": 8},
        ),
    )
