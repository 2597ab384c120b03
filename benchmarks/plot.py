"""`python -m benchmarks.plot RESULTS.json OUT.png`: ingest cost against size, ours and the peers, log-log."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main() -> None:
    figures = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["figures"]
    series: dict[str, list[tuple[int, float]]] = {}
    for f in figures:
        if f["group"] != "ingest" or f["unit"] != "s":
            continue
        size = int(re.match(r"([\d,]+) values", f["name"]).group(1).replace(",", ""))  # type: ignore[union-attr]
        label = "ours, PostgreSQL" if "PostgreSQL" in f["name"] else "ours, DuckDB"
        if "vs COPY" in f["name"]:
            series.setdefault("peer: PostgreSQL COPY", []).append((size, f["peer"]))
            continue
        stopped = bool((f.get("extra") or {}).get("timed_out"))
        if not stopped:  # a run stopped by the time limit or refused published nothing to plot
            series.setdefault(label, []).append((size, f["ours"]))
        if label == "ours, DuckDB":
            series.setdefault("peer: DuckDB read_csv", []).append((size, f["peer"]))
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, points in series.items():
        xs, ys = zip(*sorted(set(points)), strict=True)
        ax.plot(xs, ys, marker="o", label=label, linestyle="--" if label.startswith("peer") else "-")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("values in the file")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Ingest: long CSV → published")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
