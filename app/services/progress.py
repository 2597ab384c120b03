"""Progress against the plan's targets, for a scope and a data vintage, from the published values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from indicators.progress import compute_progress

from app.store import observations as obs_store
from indicators.catalog import Plan, Target


class ScopeError(ValueError):
    """A region, department or period that the plan does not know."""


@dataclass(frozen=True)
class ProgressQuery:
    as_of: str | None = None
    region: str | None = None
    department: str | None = None
    year: int | None = None
    published_on: dt.date | None = None


def vintage_cutoff(published_on: dt.date | None) -> dt.datetime | None:
    """Values published on or before the given day: everything before the next midnight."""
    if published_on is None:
        return None
    return dt.datetime.combine(published_on + dt.timedelta(days=1), dt.time())


def scoped_targets(plan: Plan, query: ProgressQuery) -> list[Target]:
    """Numeric targets within the query's region, department and year."""
    targets = list(plan.numeric_targets)
    if query.region is not None:
        if query.region not in {r.code for r in plan.regions}:
            raise ScopeError(f"未知地区 unknown region: {query.region}")
        targets = [t for t in targets if t.region == query.region]
    if query.department is not None:
        if query.department not in {d.code for d in plan.departments}:
            raise ScopeError(f"未知部门 unknown department: {query.department}")
        scope = {i.code for i in plan.department_indicators(query.department)}
        targets = [t for t in targets if t.indicator in scope]
    if query.year is not None:
        targets = [t for t in targets if t.year == query.year]
    return targets


def fetch_observations(engine: sa.Engine, *, published_on: dt.date | None = None) -> pd.DataFrame:
    """Current values (or those of a past vintage) in the shape the progress engine takes."""
    with engine.connect() as conn:
        frame = obs_store.fetch_current_values(conn, published_before=vintage_cutoff(published_on))
    return frame[["indicator", "region", "period", "value"]]


def progress(*, engine: sa.Engine, plan: Plan, query: ProgressQuery = ProgressQuery()) -> pd.DataFrame:
    """One row per target in scope, computed set-wise over all values in one pass."""
    targets = scoped_targets(plan, query)
    observations = fetch_observations(engine, published_on=query.published_on)
    return compute_progress(plan=plan, observations=observations, as_of=query.as_of, targets=targets)
