"""What every benchmark shares: a figure with its peer and goal, medians, the machine, the table, JSON.

A figure is one timing of ours next to a peer measured in the same run (so the ratio holds on a
loaded machine: two cores shared by several people) and a goal. Goals are of three kinds:
- `max`: ours must be below the value (seconds, or ms for web figures);
- `ratio_max`: ours / peer must be at most the value (ingest ≤ 2× DuckDB's own load);
- `speedup_min`: peer / ours must be at least the value (progress ≥ 10× the pandas version).
Every figure records the load average when it was taken.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
T = TypeVar("T")


@dataclass
class Figure:
    """One measured figure: ours, the peer in the same run, and the goal it is held to."""

    group: str
    name: str
    ours: float
    unit: str = "s"
    peer: float | None = None
    peer_name: str = ""
    goal_kind: str = ""  # "max" | "ratio_max" | "speedup_min" | "" (no goal: context only)
    goal: float | None = None
    repetitions: int = 1
    load_average: float = field(default_factory=lambda: round(os.getloadavg()[0], 2))
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """ours / peer: how many times the peer's cost ours is."""
        if self.peer is None or self.peer <= 0:
            return None
        return self.ours / self.peer

    @property
    def met(self) -> bool | None:
        if self.goal is None or not self.goal_kind:
            return None
        if self.goal_kind == "max":
            return self.ours < self.goal
        ratio = self.ratio
        if ratio is None:
            return None
        if self.goal_kind == "ratio_max":
            return ratio <= self.goal
        return ratio > 0 and 1 / ratio >= self.goal

    def goal_text(self) -> str:
        if self.goal is None:
            return "—"
        if self.goal_kind == "max":
            return f"< {self.goal:g} {self.unit}"
        if self.goal_kind == "ratio_max":
            return f"≤ {self.goal:g}× peer"
        return f"≥ {self.goal:g}× faster"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": self.ratio, "met": self.met, "goal_text": self.goal_text()}


def median_time(run: Callable[[], T], repetitions: int) -> tuple[float, T]:
    """The median wall time of `repetitions` runs, and the last run's result."""
    times = []
    result: T
    for _ in range(max(1, repetitions)):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import duckdb
    import pandas as pd
    import sqlalchemy as sa

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "sqlalchemy": sa.__version__,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def say(text: str = "") -> None:
    """Benchmarks report on standard output; the rest of the code base never prints."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return f"{text} {unit}".strip()


def table(figures: list[Figure]) -> str:
    """The figures as a fixed-width table: ours, the peer, the ratio, the goal, met or not, load."""
    head = f"{'figure':<58}{'ours':>11}{'peer':>11}{'ratio':>8}  {'goal':<16}{'met':<5}{'load':>5}  peer is"
    lines = [head, "-" * len(head)]
    group = None
    for f in figures:
        if f.group != group:
            group = f.group
            lines.append(f"[{group}]")
        ratio = f"{f.ratio:.2f}×" if f.ratio is not None else "—"
        met = {True: "yes", False: "NO", None: ""}[f.met]
        lines.append(
            f"  {f.name:<56}{_number(f.ours, f.unit):>11}{_number(f.peer, f.unit):>11}{ratio:>8}  "
            f"{f.goal_text():<16}{met:<5}{f.load_average:>5.2f}  {f.peer_name}"
        )
    return "\n".join(lines)


def write_json(path: Path, figures: list[Figure], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"machine": machine(), **meta, "figures": [f.as_dict() for f in figures]}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def markdown(figures: list[dict[str, Any]]) -> str:
    """Saved figures (as in the JSON) as a Markdown table, for docs/performance.md."""
    lines = [
        "| group | figure | ours | peer | ratio | goal | met | load | peer is |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        ratio = f"{f['ratio']:.2f}×" if f.get("ratio") is not None else "—"
        met = {True: "yes", False: "**no**", None: ""}[f.get("met")]
        lines.append(
            f"| {f['group']} | {f['name']} | {_number(f['ours'], f['unit'])} "
            f"| {_number(f.get('peer'), f['unit'])} "
            f"| {ratio} | {f['goal_text']} | {met} | {f['load_average']:.1f} | {f.get('peer_name', '')} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    # `python -m benchmarks.harness FILE.json`: the saved figures as a Markdown table
    say(markdown(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["figures"]))
