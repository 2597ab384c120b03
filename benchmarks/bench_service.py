"""Progress end to end through the service: database → current values → engine, at national scale.

Loads the synthetic set of bench_progress (1,000 regions × 50 indicators × 24 quarters, ~1.2M
values, 50,000 targets) into a DuckDB file and a PostgreSQL schema as published observations, then
times `app.services.progress.progress` (fetch of the maintained current values + compute, no
explanations) and compares it with the named peer: DuckDB's own `SELECT … QUALIFY row_number() … = 1`
of the current values from the history into pandas, what reading them without the maintained table
costs at the least.

    .venv/bin/python benchmarks/bench_service.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services import progress as progress_service  # noqa: E402
from app.store import migrate, schema  # noqa: E402
from app.store.bulk import insert_frame  # noqa: E402
from app.store.engine import make_engine  # noqa: E402
from benchmarks.bench_progress import AS_OF, SEED, synthetic  # noqa: E402
from indicators.periods import Period  # noqa: E402

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PUBLISHED = dt.datetime(2025, 8, 1)
RUNS = 3


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def load(engine: sa.Engine, observations: pd.DataFrame) -> None:
    migrate.upgrade(engine)
    frame = observations[["indicator", "region", "period", "value"]].copy()
    frame["period_ordinal"] = frame["period"].map(
        {p: Period.parse(p).ordinal for p in frame["period"].unique()}
    )
    frame["upload_id"] = 1
    frame["action"] = "publish"
    frame["published_at"] = PUBLISHED
    with engine.begin() as conn:
        insert_frame(conn, table=schema.observations, frame=frame)
        # one publication of every value: the current values are the same rows
        current = frame.drop(columns=["action"])
        insert_frame(conn, table=schema.current_values, frame=current)


def best_of(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    plan, observations = synthetic(np.random.default_rng(SEED))
    targets = len(plan.numeric_targets)
    say(
        f"synthetic set: {len(plan.regions)} regions, {len(plan.indicators)} indicators, "
        f"{len(observations):,} values, {targets:,} targets; as of {AS_OF}"
    )
    query = progress_service.ProgressQuery(as_of=AS_OF)
    with tempfile.TemporaryDirectory() as folder:
        duck = make_engine(f"duckdb:///{Path(folder) / 'bench.duckdb'}")
        start = time.perf_counter()
        load(duck, observations)
        say(f"load into DuckDB: {time.perf_counter() - start:.1f} s")
        ours = best_of(lambda: progress_service.progress(engine=duck, plan=plan, query=query))
        raw = duck.raw_connection().driver_connection  # type: ignore[attr-defined]
        peer_sql = (
            "SELECT indicator, region, period, value FROM observations "
            "QUALIFY row_number() OVER (PARTITION BY indicator, region, period "
            "ORDER BY published_at DESC, id DESC) = 1"
        )
        peer = best_of(lambda: raw.execute(peer_sql).df())
        say(f"DuckDB  service progress (fetch + engine): {ours:.2f} s")
        say(f"DuckDB  peer: current values only via QUALIFY → pandas: {peer:.2f} s; ratio {ours / peer:.1f}×")
        duck.dispose()

    schema_name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema_name}"'))
    try:
        pg = make_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema_name}")
        start = time.perf_counter()
        load(pg, observations)
        say(f"load into PostgreSQL: {time.perf_counter() - start:.1f} s")
        ours_pg = best_of(lambda: progress_service.progress(engine=pg, plan=plan, query=query), runs=2)
        say(f"PostgreSQL service progress (fetch + engine): {ours_pg:.2f} s")
        pg.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema_name}" CASCADE'))


if __name__ == "__main__":
    main()
