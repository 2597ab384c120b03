"""A generated data set published straight into a store, for tests that need many values fast.

The upload path would validate every value first; these tests are about what is read back, so the
values go in as one publication by bulk insert (the observations history and the current values).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from app.services import setup
from app.services.synthetic import SyntheticSpec, plan_toml, synthetic_plan, synthetic_values
from app.store import schema
from app.store.bulk import insert_frame
from indicators.model import Plan
from indicators.periods import Period

PUBLISHED_AT = dt.datetime(2026, 1, 15)
"""When the one publication happened (naive UTC, as the store keeps times)."""


def load_synthetic(
    engine: sa.Engine, folder: Path, spec: SyntheticSpec, values: pd.DataFrame | None = None
) -> Plan:
    """Initialise the database with the spec's plan and publish its values (or `values` instead)."""
    data, _ = synthetic_plan(spec)
    plan_path = folder / "plan.toml"
    plan_path.write_text(plan_toml(data), encoding="utf-8")
    setup.init_database(engine=engine, plan_path=plan_path)
    plan, generated = synthetic_values(spec)
    chosen = generated if values is None else values
    frame = chosen.assign(
        period_ordinal=chosen["period"].map({p: Period.parse(p).ordinal for p in chosen["period"].unique()}),
        upload_id=1,
        published_at=PUBLISHED_AT,
    )
    with engine.begin() as conn:
        insert_frame(conn, table=schema.observations, frame=frame.assign(action="publish"))
        insert_frame(conn, table=schema.current_values, frame=frame)
    return plan
