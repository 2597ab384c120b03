"""Charts of a brief as PNG bytes, with matplotlib and a CJK font (Noto Sans CJK SC).

matplotlib renders a chart in a few hundred milliseconds in-process (kaleido starts a browser per
image); `Figure` is used directly, without pyplot, so nothing global is touched and no display is
needed. A trajectory chart draws one small panel per key target in a single figure.
"""

from __future__ import annotations

import io
import math
from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from app.briefs.content import Chart, ChartKind, Panel

CJK_FONTS = ["Noto Sans CJK SC", "Noto Sans CJK JP", "AR PL UKai CN", "DejaVu Sans"]
RC: dict[str, Any] = {
    "font.sans-serif": CJK_FONTS,
    "font.family": "sans-serif",
    "axes.unicode_minus": False,
    "font.size": 9,
    "axes.titlesize": 10,
}
DPI = 120
WIDTH_IN = 6.2  # the text block is 156 mm ≈ 6.1 in
ACCENT, BASE, TARGET = "#c0392b", "#2e5c8a", "#7f8c8d"
STATUS_COLOURS = {
    "已完成": "#1e8449",
    "超前": "#27ae60",
    "正常": "#2e86c1",
    "滞后": "#f39c12",
    "严重滞后": "#c0392b",
    "未完成": "#922b21",
    "无数据": "#aab7b8",
}
MAX_TICKS = 6


def render_chart(chart: Chart) -> bytes:
    """The chart as a PNG."""
    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        if chart.kind is ChartKind.TRAJECTORY:
            figure = _trajectory(chart)
        elif chart.kind is ChartKind.RANKING:
            figure = _ranking(chart.panels[0])
        else:
            figure = _status(chart.panels[0])
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _trajectory(chart: Chart) -> Figure:
    n = len(chart.panels)
    cols = 2 if n > 1 else 1
    rows = math.ceil(n / cols)
    height = 2.2 * rows + 0.3
    figure = Figure(figsize=(WIDTH_IN, height))
    # fixed margins: constrained layout and a "tight" bounding box each cost another full draw
    figure.subplots_adjust(
        left=0.09, right=0.98, top=1 - 0.55 / height, bottom=0.45 / height, hspace=0.6, wspace=0.22
    )
    axes = figure.subplots(rows, cols, squeeze=False)
    for i, panel in enumerate(chart.panels):
        ax = axes[i // cols][i % cols]
        order = sorted({x for s in panel.series for x in s.x})
        position = {x: k for k, x in enumerate(order)}
        for s in panel.series:
            points = [(position[x], y) for x, y in zip(s.x, s.y, strict=True) if y is not None]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            if s.dashed:
                ax.plot(xs, ys, linestyle="--", color=TARGET, linewidth=1, marker="o", markersize=3)
            else:
                ax.plot(xs, ys, color=BASE, linewidth=1.6)
        step = max(1, math.ceil(len(order) / MAX_TICKS))
        ticks = list(range(0, len(order), step))
        ax.set_xticks(ticks, [order[k] for k in ticks], fontsize=7)
        ax.set_title(f"{panel.title}（{panel.unit}）", fontsize=9)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(alpha=0.3)
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    # one legend for every panel: a legend per panel is the costliest text to lay out
    handles = [
        Line2D([], [], color=BASE, linewidth=1.6),
        Line2D([], [], color=TARGET, linestyle="--", marker="o"),
    ]
    figure.legend(
        handles, ["实际值", "目标路径（基期→序时进度→目标值）"], loc="upper center", ncols=2, fontsize=8
    )
    return figure


def _ranking(panel: Panel) -> Figure:
    series = panel.series[0]
    n = len(series.x)
    height = 0.3 * n + 0.8
    figure = Figure(figsize=(WIDTH_IN, height))
    figure.subplots_adjust(left=0.1, right=0.95, top=1 - 0.1 / height, bottom=0.55 / height)
    ax = figure.subplots()
    values = [y or 0.0 for y in series.y]
    colours = [ACCENT if x == panel.highlight else BASE for x in series.x]
    ax.barh(range(n), values, color=colours)
    ax.set_yticks(range(n), series.x)
    ax.invert_yaxis()
    for k, v in enumerate(values):
        ax.text(v, k, f" {_label(v)}", va="center", fontsize=7)
    ax.set_xlabel(panel.unit)
    ax.margins(x=0.15)
    ax.grid(axis="x", alpha=0.3)
    return figure


def _status(panel: Panel) -> Figure:
    series = panel.series[0]
    figure = Figure(figsize=(WIDTH_IN, 2.2))
    figure.subplots_adjust(left=0.08, right=0.98, top=0.95, bottom=0.15)
    ax = figure.subplots()
    counts = [y or 0.0 for y in series.y]
    ax.bar(series.x, counts, color=[STATUS_COLOURS.get(x, TARGET) for x in series.x])
    for k, c in enumerate(counts):
        ax.text(k, c, f"{c:.0f}", ha="center", va="bottom")
    ax.set_ylabel(panel.unit)
    ax.set_ylim(0, max(counts, default=1) * 1.25 + 0.5)
    ax.grid(axis="y", alpha=0.3)
    return figure


def _label(value: float) -> str:
    """A bar's value as a reader writes it: 24,200 · 602.7 · 0.33."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
