"""Region totals: a region's value is what it reported, else the sum of the regions under it.

The statistics bureau publishes a province figure of its own for most indicators; cities report
theirs. When the province has no figure of its own and the indicator adds up (`aggregation = "sum"`),
its value is the sum of its cities; when both exist and differ by more than `thresholds.inconsistency`
(1 %) of the reported figure, the reported figure stands and the row is flagged `inconsistent`, so the
monitoring office can ask the bureau why. Zones (综改示范区) overlap cities and are never summed. The
same rule runs bottom-up for every level, so counties add up to cities where cities report nothing.

The work is done on integer codes (indicator × region × period in one int64 key) with numpy: a sort,
a bincount and a searchsorted per level, whatever the number of rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.model import Aggregation, Plan, RegionLevel
from indicators.series import OBSERVATION_COLUMNS, IntArray, check_observations

REPORTED = "reported"
"""`source` of a value the region reported itself."""

AGGREGATED_COLUMNS = (*OBSERVATION_COLUMNS, "source", "children_sum", "inconsistent", "partial")
"""Columns of `aggregate_regions`' result."""


def sum_source(level: RegionLevel) -> str:
    """`source` of a value summed from regions of `level` (`city_sum`, `county_sum`)."""
    return f"{level.value}_sum"


def aggregate_regions(*, plan: Plan, observations: pd.DataFrame) -> pd.DataFrame:
    """Add each parent region's value where it reported none, and flag reported totals that disagree.

    Input: `indicator, region, period, value` (current published values; rows without a value are
    dropped). Output: those rows, then one row per (indicator, parent, period) that only its children
    carry, with columns `source` (`reported` | `city_sum` | `county_sum`), `children_sum` (what the
    children add up to; NaN when none reports), `inconsistent` (reported and children_sum differ by
    more than the plan's threshold) and `partial` (a sum that misses some children, so it understates
    the total). `indicator`, `region`, `period` and `source` are categoricals (cheap at 12M rows).
    """
    check_observations(observations)
    obs = observations[observations["value"].notna()]
    ind, indicators = pd.factorize(obs["indicator"].astype(str))
    per, periods = pd.factorize(obs["period"].astype(str))
    reg_local, reg_seen = pd.factorize(obs["region"].astype(str))
    region_index = pd.Index(sorted({*reg_seen, *(r.code for r in plan.regions)}))
    reg = region_index.get_indexer(reg_seen)[reg_local].astype(np.int64)
    rows = _Rows(ind.astype(np.int64), reg, per.astype(np.int64), obs["value"].to_numpy(dtype=float))
    n_reg, n_per = len(region_index), max(len(periods), 1)
    parent, depth, level_of = _tree(plan, region_index)
    by_code = {i.code: i for i in plan.indicators}
    summable = np.array(
        [c in by_code and by_code[c].aggregation is Aggregation.SUM for c in indicators], dtype=bool
    )
    expected = np.bincount(parent[parent >= 0], minlength=n_reg)
    sources = [REPORTED]
    for level in range(int(depth.max(initial=0)), 0, -1):
        child = (depth[rows.reg] == level) & summable[rows.ind] & (parent[rows.reg] >= 0)
        if not child.any():
            continue
        child_levels = level_of[rows.reg[child]]
        sources.append(sum_source(RegionLevel(child_levels[0])))
        rows.roll_up(child, parent, n_reg, n_per, expected, len(sources) - 1, plan.thresholds.inconsistency)
    return pd.DataFrame(
        {
            "indicator": pd.Categorical.from_codes(rows.ind, categories=indicators),
            "region": pd.Categorical.from_codes(rows.reg, categories=region_index),
            "period": pd.Categorical.from_codes(rows.per, categories=periods),
            "value": rows.value,
            "source": pd.Categorical.from_codes(rows.source, categories=sources),
            "children_sum": rows.children_sum,
            "inconsistent": rows.inconsistent,
            "partial": rows.partial,
        }
    )


TREE_COLUMNS = ("code", "parent", "depth", "level", "children")
"""Columns of `region_tree`."""


def region_tree(plan: Plan) -> pd.DataFrame:
    """The plan's regions as `aggregate_regions` rolls them up, for a database to do the same sums.

    One row per region: `parent` (None for the province and for zones, which are never summed),
    `depth` (0 province, 1 city, 2 county), `level` and `children` (how many regions sum into it).
    """
    codes = pd.Index(sorted(r.code for r in plan.regions))
    parent, depth, level = _tree(plan, codes)
    children = np.bincount(parent[parent >= 0], minlength=len(codes))
    return pd.DataFrame(
        {
            "code": codes.to_numpy(dtype=object),
            "parent": np.where(parent >= 0, codes.to_numpy(dtype=object)[np.maximum(parent, 0)], None),
            "depth": depth,
            "level": level,
            "children": children,
        },
        columns=list(TREE_COLUMNS),
    )


def sum_sources(tree: pd.DataFrame) -> dict[int, str]:
    """The `source` of the sums made from each depth (deepest first), as `aggregate_regions` names them.

    The level of the first region (by code) at that depth names the sum (`county_sum`, `city_sum`).
    """
    summed = tree[tree["parent"].notna()].sort_values("code", kind="stable")
    firsts = summed.groupby("depth", sort=True)["level"].first()
    return {int(d): sum_source(RegionLevel(firsts[d])) for d in sorted(firsts.index, reverse=True)}


def _tree(plan: Plan, regions: pd.Index) -> tuple[IntArray, IntArray, np.ndarray]:
    """Parent position, depth (province 0, city 1, county 2) and level of each region; zones have none."""
    by_code = {r.code: r for r in plan.regions}
    parent = np.full(len(regions), -1, dtype=np.int64)
    depth = np.zeros(len(regions), dtype=np.int64)
    level = np.array([by_code[c].level.value if c in by_code else "" for c in regions], dtype=object)
    for i, code in enumerate(regions):
        region = by_code.get(code)
        if region is None or not region.summable or region.parent is None:
            continue
        parent[i] = regions.get_loc(region.parent)
        steps = 0
        above: str | None = region.parent
        while above is not None and steps <= len(by_code):  # the bound guards against a cycle
            steps, above = steps + 1, by_code[above].parent if above in by_code else None
        depth[i] = steps
    return parent, depth, level


class _Rows:
    """The growing set of rows as parallel arrays (reported rows first, sums appended)."""

    def __init__(self, ind: IntArray, reg: IntArray, per: IntArray, value: np.ndarray) -> None:
        n = len(value)
        self.ind, self.reg, self.per, self.value = ind, reg, per, value
        self.source = np.zeros(n, dtype=np.int64)
        self.children_sum = np.full(n, np.nan)
        self.inconsistent = np.zeros(n, dtype=bool)
        self.partial = np.zeros(n, dtype=bool)

    def roll_up(
        self,
        child: np.ndarray,
        parent: IntArray,
        n_reg: int,
        n_per: int,
        expected: IntArray,
        source: int,
        tolerance: float,
    ) -> None:
        """Sum the `child` rows into their parents: check reported parents, append the missing ones."""
        parent_key = (self.ind[child] * n_reg + parent[self.reg[child]]) * n_per + self.per[child]
        own_key = (self.ind * n_reg + self.reg) * n_per + self.per
        space = (int(self.ind.max(initial=0)) + 1) * n_reg * n_per
        if space <= _DENSE_KEYS:
            keys, sums, counts, hit, found, new = _sum_dense(parent_key, self.value[child], own_key, space)
        else:
            keys, sums, counts, hit, found, new = _sum_sorted(parent_key, self.value[child], own_key)
        reported = self.value[hit]
        self.children_sum[hit] = found
        self.inconsistent[hit] |= np.abs(found - reported) > tolerance * np.abs(reported)
        rest, per = np.divmod(keys[new], n_per)
        ind, reg = np.divmod(rest, n_reg)
        n = int(new.sum())
        self.ind = np.concatenate([self.ind, ind])
        self.reg = np.concatenate([self.reg, reg])
        self.per = np.concatenate([self.per, per])
        self.value = np.concatenate([self.value, sums[new]])
        self.source = np.concatenate([self.source, np.full(n, source, dtype=np.int64)])
        self.children_sum = np.concatenate([self.children_sum, sums[new]])
        self.inconsistent = np.concatenate([self.inconsistent, np.zeros(n, dtype=bool)])
        self.partial = np.concatenate([self.partial, counts[new] < expected[reg]])


_DENSE_KEYS = 1 << 25
"""Up to this many possible (indicator, region, period) keys, sums go into a dense array (no sort)."""

_Sums = tuple[IntArray, np.ndarray, IntArray, np.ndarray, np.ndarray, np.ndarray]


def _sum_dense(parent_key: IntArray, values: np.ndarray, own_key: IntArray, space: int) -> _Sums:
    """Sums per parent key by `bincount` over the whole key space: each bin adds in row order."""
    counts_all = np.bincount(parent_key, minlength=space)
    sums_all = np.bincount(parent_key, weights=values, minlength=space)
    keys = np.flatnonzero(counts_all)
    hit = counts_all[own_key] > 0
    reported = np.zeros(space, dtype=bool)
    reported[own_key[hit]] = True
    return keys, sums_all[keys], counts_all[keys], hit, sums_all[own_key[hit]], ~reported[keys]


def _sum_sorted(parent_key: IntArray, values: np.ndarray, own_key: IntArray) -> _Sums:
    """The same by sorting the keys, for key spaces too large for a dense array."""
    keys, inverse = np.unique(parent_key, return_inverse=True)
    sums = np.bincount(inverse, weights=values)
    counts = np.bincount(inverse)
    pos = np.minimum(np.searchsorted(keys, own_key), len(keys) - 1)
    hit = keys[pos] == own_key
    new = np.ones(len(keys), dtype=bool)
    new[pos[hit]] = False
    return keys, sums, counts, hit, sums[pos[hit]], new
