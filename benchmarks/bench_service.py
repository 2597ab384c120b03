"""Progress end to end through the service: database → current values → engine, at national scale.

Loads the synthetic set of bench_progress (1,000 regions × 50 indicators × 24 quarters, ~1.2M
values, 50,000 targets) into a DuckDB file and a PostgreSQL schema as published observations, then
times `app.services.progress.progress` (fetch + compute, no explanations) and compares it with the
named peer: the database's own query of the current values from the history into pandas
(DuckDB `QUALIFY row_number() … = 1`, PostgreSQL `DISTINCT ON`), what reading them without the
maintained table costs at the least.

Run alone: `.venv/bin/python -m benchmarks.bench_service`
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from app.services import progress as progress_service
from app.services.cache import DataCache
from app.services.synthetic import SyntheticSpec
from app.store import migrate, schema
from app.store.bulk import insert_frame
from app.store.engine import make_engine
from benchmarks.bench_progress import AS_OF, SPEC, synthetic
from benchmarks.harness import Figure, median_time, say, table
from indicators.periods import Period

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PUBLISHED = dt.datetime(2025, 8, 1)
RUNS = 3


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


QUALIFY = (
    "SELECT indicator, region, period, value FROM observations "
    "QUALIFY row_number() OVER (PARTITION BY indicator, region, period "
    "ORDER BY published_at DESC, id DESC) = 1"
)
DISTINCT_ON = (
    "SELECT DISTINCT ON (indicator, region, period) indicator, region, period, value FROM observations "
    "ORDER BY indicator, region, period, published_at DESC, id DESC"
)


def figures(
    *, spec: SyntheticSpec = SPEC, repetitions: int = 3, postgres: str = POSTGRES_URL
) -> list[Figure]:
    """Service progress on DuckDB and PostgreSQL against each database's own current-values query."""
    plan, observations = synthetic(spec)
    size = f"{len(observations):,} values / {len(plan.numeric_targets):,} targets"
    query = progress_service.ProgressQuery(as_of=AS_OF)
    out = []
    with tempfile.TemporaryDirectory() as folder:
        duck = make_engine(f"duckdb:///{Path(folder) / 'bench.duckdb'}")
        load(duck, observations)
        ours, _ = median_time(
            lambda: progress_service.progress(engine=duck, plan=plan, query=query), repetitions
        )
        raw = duck.raw_connection().driver_connection  # type: ignore[attr-defined]
        peer, _ = median_time(lambda: raw.execute(QUALIFY).df(), repetitions)
        out.append(
            Figure(
                "progress service", f"DuckDB, {size}", ours, peer=peer,
                peer_name="DuckDB QUALIFY current values → pandas", goal_kind="max", goal=0.3,
                repetitions=repetitions,
            )
        )  # fmt: skip
        cache = DataCache()
        progress_service.progress(engine=duck, plan=plan, query=query, cache=cache)
        warm, _ = median_time(
            lambda: progress_service.progress(engine=duck, plan=plan, query=query, cache=cache), repetitions
        )
        out.append(
            Figure(
                "progress service", f"DuckDB, {size}, cached (same data version)", warm, peer=peer,
                peer_name="DuckDB QUALIFY current values → pandas", goal_kind="max", goal=0.3,
                repetitions=repetitions, extra={"hits": cache.hits},
            )
        )  # fmt: skip
        duck.dispose()
    if not postgres:
        return out
    schema_name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema_name}"'))
    try:
        pg = make_engine(f"{postgres}?options=-csearch_path%3D{schema_name}")
        load(pg, observations)
        ours_pg, _ = median_time(
            lambda: progress_service.progress(engine=pg, plan=plan, query=query), repetitions
        )

        def distinct_on() -> pd.DataFrame:
            raw_pg = pg.raw_connection()
            try:
                with raw_pg.cursor() as cursor:
                    cursor.execute(DISTINCT_ON)
                    return pd.DataFrame(cursor.fetchall(), columns=["indicator", "region", "period", "value"])
            finally:
                raw_pg.close()

        peer_pg, _ = median_time(distinct_on, repetitions)
        out.append(
            Figure(
                "progress service", f"PostgreSQL, {size}", ours_pg, peer=peer_pg,
                peer_name="PostgreSQL DISTINCT ON current values → pandas", goal_kind="max", goal=1.0,
                repetitions=repetitions,
            )
        )  # fmt: skip
        cache = DataCache()
        progress_service.progress(engine=pg, plan=plan, query=query, cache=cache)
        warm_pg, _ = median_time(
            lambda: progress_service.progress(engine=pg, plan=plan, query=query, cache=cache), repetitions
        )
        out.append(
            Figure(
                "progress service", f"PostgreSQL, {size}, cached (same data version)", warm_pg, peer=peer_pg,
                peer_name="PostgreSQL DISTINCT ON current values → pandas", goal_kind="max", goal=1.0,
                repetitions=repetitions,
            )
        )  # fmt: skip
        pg.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema_name}" CASCADE'))
        admin.dispose()
    return out


def main() -> None:
    say(table(figures()))


if __name__ == "__main__":
    main()
