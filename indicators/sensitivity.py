"""How much the composite index's city ranking depends on its weights (OECD/JRC Handbook step 7).

The stated weights (the plan file's pillars and indicators) are a judgement; the check recomputes
the index with equal weights (every pillar the same, every indicator the same within its pillar) and
reports how each city's rank moves. Small moves mean the ranking does not hinge on the weights.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from indicators.changes import peer_rank
from indicators.composite import TOTAL, composite_index
from indicators.model import CompositeIndex, Plan, RegionLevel

SENSITIVITY_COLUMNS = ("region", "value", "rank", "value_equal", "rank_equal", "shift")
"""Columns of `rank_sensitivity`: stated-weight value and rank, equal-weight value and rank, shift."""


def equal_weights(index: CompositeIndex) -> CompositeIndex:
    """The same index with equal pillar weights and equal indicator weights within each pillar."""
    dims = tuple(
        replace(
            d,
            weight=1.0 / len(index.dimensions),
            components=tuple(replace(c, weight=1.0 / len(d.components)) for c in d.components),
        )
        for d in index.dimensions
    )
    return replace(index, dimensions=dims)


def rank_sensitivity(*, plan: Plan, observations: pd.DataFrame, period: str) -> pd.DataFrame:
    """Cities' total index and rank (1 = highest) under the stated and under equal weights."""
    cities = [r.code for r in plan.regions if r.level is RegionLevel.CITY]
    stated = _totals(plan, observations, period, cities)
    equal = _totals(replace(plan, index=equal_weights(plan.index)), observations, period, cities)
    out = pd.DataFrame({"region": cities})
    one_group, higher = np.zeros(len(cities), dtype=np.int64), np.zeros(len(cities), dtype=bool)
    out["value"] = out["region"].map(stated).astype(float)
    out["rank"] = peer_rank(out["value"].to_numpy(), one_group, lower_is_better=higher)
    out["value_equal"] = out["region"].map(equal).astype(float)
    out["rank_equal"] = peer_rank(out["value_equal"].to_numpy(), one_group, lower_is_better=higher)
    out["shift"] = out["rank"] - out["rank_equal"]  # > 0: the city ranks higher with equal weights
    out = out.dropna(subset=["value", "value_equal"])
    for column in ("rank", "rank_equal", "shift"):
        out[column] = out[column].astype(np.int64)
    return out.sort_values("rank", kind="stable").reset_index(drop=True)[list(SENSITIVITY_COLUMNS)]


def _totals(plan: Plan, observations: pd.DataFrame, period: str, regions: list[str]) -> pd.Series:
    frame = composite_index(plan=plan, observations=observations, periods=[period], regions=regions)
    total = frame[(frame["dimension"] == TOTAL) & frame["published"]]
    return total.set_index("region")["value"]
