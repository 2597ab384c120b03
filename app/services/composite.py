"""The composite 数字经济发展指数 per region and period, from the published values (or a past vintage).

A thin shell over `indicators.composite.composite_index` (the method is in docs/methodology.md § 十三):
it checks the scope against the plan, reads the values in one SELECT and names what the engine leaves
as codes, so the API, the dashboard and `dem index` print the same table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.services.progress import ScopeError, fetch_observations, parse_as_of
from indicators.changes import peer_rank
from indicators.composite import COMPOSITE_COLUMNS, TOTAL
from indicators.composite import composite_index as compute_composite_index
from indicators.model import Plan, RegionLevel
from indicators.sensitivity import rank_sensitivity

INDEX_NAME = ("数字经济发展指数", "Digital economy development index")
"""Name of the `total` rows (the dimensions are named by the plan file)."""

COMPOSITE_RECORD_COLUMNS = (
    *COMPOSITE_COLUMNS, "region_name", "dimension_name", "dimension_name_en", "rank",
)  # fmt: skip
"""Columns of `composite_index`' result."""


def composite_index(
    *,
    engine: sa.Engine,
    plan: Plan,
    region: str | None = None,
    period: str | None = None,
    published_on: dt.date | None = None,
) -> pd.DataFrame:
    """Index per region, period and dimension (`total` first), long format, with names.

    `region` None: every region with data on an index indicator; `period` None: every period at the
    finest frequency of the index's indicators. Rows without any data (coverage 0) are left out.
    """
    if region is not None and region not in {r.code for r in plan.regions}:
        raise ScopeError(f"未知地区：{region}", f"unknown region: {region}")
    periods = [str(parse_as_of(period))] if period is not None else None
    codes = sorted({c.indicator for d in plan.index.dimensions for c in d.components})
    # normalisation divides by the province's base-year value, which the fetch includes: no region filter
    observations = fetch_observations(engine, published_on=published_on, indicators=codes)
    frame = compute_composite_index(
        plan=plan,
        observations=observations,
        periods=periods,
        regions=[region] if region is not None else None,
    )
    return _with_names(frame, plan)


def sensitivity(
    *, engine: sa.Engine, plan: Plan, period: str, published_on: dt.date | None = None
) -> pd.DataFrame:
    """Cities' rank under the plan's weights and under equal weights (docs/methodology.md § 十三)."""
    codes = sorted({c.indicator for d in plan.index.dimensions for c in d.components})
    observations = fetch_observations(engine, published_on=published_on, indicators=codes)
    out = rank_sensitivity(plan=plan, observations=observations, period=str(parse_as_of(period)))
    out.insert(1, "region_name", out["region"].map({r.code: r.short_name for r in plan.regions}))
    return out


def _with_names(frame: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    out = frame.copy()
    regions = {r.code: r.short_name for r in plan.regions}
    zh = {TOTAL: INDEX_NAME[0]} | {d.code: d.name for d in plan.index.dimensions}
    en = {TOTAL: INDEX_NAME[1]} | {d.code: d.name_en for d in plan.index.dimensions}
    out["region"] = out["region"].astype(object)
    out["period"] = out["period"].astype(object)
    out["dimension"] = out["dimension"].astype(object)
    out["region_name"] = out["region"].map(regions)
    out["dimension_name"] = out["dimension"].map(zh)
    out["dimension_name_en"] = out["dimension"].map(en)
    # rank among the cities of the same period and dimension (1 = highest), published values only
    cities = {r.code for r in plan.regions if r.level is RegionLevel.CITY}
    ranked = out[out["region"].isin(cities) & out["published"].astype(bool)]
    groups, _ = pd.factorize(pd.MultiIndex.from_arrays([ranked["period"], ranked["dimension"]]))
    values = ranked["value"].to_numpy(dtype=float)
    rank = peer_rank(values, groups, lower_is_better=np.zeros(len(ranked), dtype=bool))
    out["rank"] = pd.array(pd.Series(rank, index=ranked.index).reindex(out.index), dtype="Int64")
    return out[list(COMPOSITE_RECORD_COLUMNS)].reset_index(drop=True)
