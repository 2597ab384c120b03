"""Benchmark: the composite 数字经济发展指数 through the service, on the sample data.

Times `app.services.composite.composite_index` (every region, every period: read the index
indicators' current values, normalise, weight, rank) against its own first step, the read of the
same current values (`progress.fetch_observations`), so the ratio is the price of the computation.

Run alone: `.venv/bin/python -m benchmarks.bench_index`
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.services import composite as composite_service
from app.services import progress as progress_service
from app.services.samples import load_samples
from app.services.setup import init_database
from app.store.engine import make_engine
from benchmarks.harness import REPO, Figure, median_time, say, table
from indicators.plan import DEFAULT_PLAN, load_plan


def figures(*, repetitions: int = 5) -> list[Figure]:
    """The whole index against the read of its inputs."""
    plan = load_plan(DEFAULT_PLAN)
    codes = sorted({c.indicator for d in plan.index.dimensions for c in d.components})
    with tempfile.TemporaryDirectory(prefix="bench-index-") as folder:
        engine = make_engine(f"duckdb:///{Path(folder) / 'dem.duckdb'}")
        init_database(engine=engine, plan_path=DEFAULT_PLAN)
        load_samples(engine=engine, plan=plan, sample_dir=REPO / "data" / "sample")
        ours, frame = median_time(
            lambda: composite_service.composite_index(engine=engine, plan=plan), repetitions
        )
        peer, _ = median_time(
            lambda: progress_service.fetch_observations(engine, indicators=codes), repetitions
        )
        engine.dispose()
    return [
        Figure(
            "composite index", f"index, every region and period ({len(frame):,} rows), sample data", ours,
            peer=peer, peer_name="read of its inputs' current values", goal_kind="max", goal=0.3,
            repetitions=repetitions,
        )
    ]  # fmt: skip


if __name__ == "__main__":
    say(table(figures()))
