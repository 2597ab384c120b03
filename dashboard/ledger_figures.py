"""Figures of the 政策兑现 page: approved and paid amounts per policy item (万元)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go

from dashboard.figures import ACTUAL_COLOR, layout

PAID_COLOR = "#1b7f3b"
REQUESTED_COLOR = "#c9d3df"


def amounts_by_item(rows: Sequence[Mapping[str, Any]], *, labels: Mapping[str, str]) -> go.Figure:
    """Grouped bars per item: requested, approved (incl. paid) and paid, in 万元."""
    names = [f"第{int(r['key'])}条" for r in rows]
    series = (
        ("requested", REQUESTED_COLOR),
        ("approved", ACTUAL_COLOR),
        ("paid", PAID_COLOR),
    )
    data = [
        go.Bar(
            x=names,
            y=[float(r[key]) for r in rows],
            name=labels[key],
            marker={"color": color},
            hovertemplate="%{x}<br>%{y:,.2f} 万元<extra>" + labels[key] + "</extra>",
        )
        for key, color in series
    ]
    return go.Figure(data, layout(height=320, barmode="group", yaxis={"title": {"text": labels["unit"]}}))
