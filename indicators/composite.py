"""The composite 数字经济发展指数: distance to fixed reference values, capped, with stated weights.

保障措施(五) asks for an 指标体系 and 评估方法; the method follows the OECD/JRC *Handbook on
Constructing Composite Indicators* (2008): normalise, weight, aggregate, with the choices stated.
The plan file's `[index]` holds the four pillars (数字基础设施, 数字产业化, 产业数字化, 数字化转型生态),
their weights, each indicator's weight and reference value, the cap and the coverage rule.

- Normalisation, distance to a reference (Handbook § 5.2): score = 100 × value / reference (lower is
  better: 100 × reference / value), capped to [0, cap]. The reference is fixed in the plan file, so a
  score does not move when other regions or later periods are published, and the cap keeps a fast
  grower (千兆宽带 grew ~38× from 2020) from dominating its pillar. A YTD flow is compared with the
  part of its annual reference due by its month (Q1 25 %, Q3 75 %), so the index does not fall
  every first quarter.
- A city's reference is the province's divided by the number of cities (an average city's share
  of the goal) for indicators that add up; rates and prices keep the province's reference.
- Which value at period P: the latest period of the indicator's own frequency that ends at or
  before P; while an annual value is not yet published, the year before.
- Missing data: an indicator without a value is left out and its pillar re-weighted; `coverage` is
  the share of the weight that had data, and below `min_coverage` the value is not published
  (`published` False, `value` NaN): a thin index is not shown as if it were whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.aggregate import aggregate_regions
from indicators.model import Aggregation, Measure, Plan, Polarity
from indicators.periods import MONTHS_PER_YEAR, Period
from indicators.series import SeriesIndex, check_observations, frequency_months, parse_periods

TOTAL = "total"
"""`dimension` of the overall index rows."""

INDEX_BASE = 100.0

COMPOSITE_COLUMNS = ("region", "period", "dimension", "value", "coverage", "published")
"""Columns of `composite_index`'s result."""


def composite_index(
    *,
    plan: Plan,
    observations: pd.DataFrame,
    periods: list[str] | None = None,
    regions: list[str] | None = None,
) -> pd.DataFrame:
    """Index per region, period and dimension (plus `total`), long format, sorted.

    `periods` default: every period, at the finest frequency among the index's indicators, for which
    any of them has data. `regions` default: every region with data on any index indicator.
    `coverage`: the share of the weight that had data (dimension rows: within the dimension).
    """
    check_observations(observations)
    frame = (
        observations
        if "source" in observations.columns
        else aggregate_regions(plan=plan, observations=observations)
    )
    components = [
        (d.code, d.weight, c.indicator, c.weight) for d in plan.index.dimensions for c in d.components
    ]
    if not components:
        return pd.DataFrame(columns=list(COMPOSITE_COLUMNS))
    codes = [c[2] for c in components]
    relevant = frame[frame["indicator"].astype(str).isin(codes)]
    region_list = regions if regions is not None else sorted(relevant["region"].astype(str).unique())
    period_list = periods if periods is not None else _default_periods(plan, relevant, codes)
    if not region_list or not period_list:
        return pd.DataFrame(columns=list(COMPOSITE_COLUMNS))
    index = SeriesIndex(frame, plan=plan)
    n_r, n_p, n_c = len(region_list), len(period_list), len(components)
    # the grid: region × period × component, flattened in that order
    r = np.repeat(np.arange(n_r), n_p * n_c)
    p = np.tile(np.repeat(np.arange(n_p), n_c), n_r)
    c = np.tile(np.arange(n_c), n_r * n_p)
    period_ord = np.array([Period.parse(x).ordinal for x in period_list], dtype=np.int64)[p]
    indicators = [plan.indicator(code) for code in codes]
    native = np.array([frequency_months(i.frequency) for i in indicators], dtype=np.int64)[c]
    flow = np.array([i.measure is Measure.FLOW for i in indicators], dtype=bool)[c]
    lower = np.array([i.polarity is Polarity.LOWER for i in indicators], dtype=bool)[c]
    lookup = period_ord - period_ord % native
    end_month = (lookup - 1) % MONTHS_PER_YEAR + 1
    keys = index.codes(np.array(codes)[c], np.array(region_list, dtype=object)[r])
    value = index.values(index.at(keys, lookup))
    # an annual value is published months after its year: until it is, keep the year before
    lagged = np.isnan(value) & (native == MONTHS_PER_YEAR) & (period_ord % MONTHS_PER_YEAR != 0)
    if lagged.any():
        value = np.where(lagged, index.values(index.at(keys, lookup - MONTHS_PER_YEAR)), value)
    reference = _references(plan, components, region_list)[r * n_c + c]
    # a YTD flow at month m of its year is compared with m/12 of its annual reference
    due = np.where(flow & (native < MONTHS_PER_YEAR), end_month / MONTHS_PER_YEAR, 1.0)
    reference = reference * due
    with np.errstate(divide="ignore", invalid="ignore"):
        score = INDEX_BASE * np.where(lower, reference / value, value / reference)
    valid = np.isfinite(score) & (value >= 0)
    normalised = np.clip(np.where(valid, score, 0.0), 0.0, plan.index.cap)
    weight = np.array([x[3] for x in components])[c] * valid
    dims = list(dict.fromkeys(x[0] for x in components))
    dim_weight = {d.code: d.weight for d in plan.index.dimensions}
    d = np.array([dims.index(x[0]) for x in components], dtype=np.int64)[c]
    cell = (r * n_p + p) * len(dims) + d
    n_cells = n_r * n_p * len(dims)
    w_sum = np.bincount(cell, weights=weight, minlength=n_cells)
    wv_sum = np.bincount(cell, weights=np.where(valid, normalised, 0.0) * weight, minlength=n_cells)
    with np.errstate(divide="ignore", invalid="ignore"):
        dim_value = np.where(w_sum > 0, wv_sum / w_sum, np.nan)
    cell_dim = np.tile(np.arange(len(dims)), n_r * n_p)
    dim_w = np.array([dim_weight[x] for x in dims])[cell_dim] * (w_sum > 0)
    group = np.repeat(np.arange(n_r * n_p), len(dims))
    total_w = np.bincount(group, weights=dim_w, minlength=n_r * n_p)
    total_v = np.bincount(group, weights=np.nan_to_num(dim_value) * dim_w, minlength=n_r * n_p)
    coverage = np.bincount(group, weights=np.array([dim_weight[x] for x in dims])[cell_dim] * w_sum)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.where(total_w > 0, total_v / total_w, np.nan)
    out = _frame(region_list, period_list, dims, dim_value, w_sum, total, coverage)
    published = out["coverage"].to_numpy() >= plan.index.min_coverage - 1e-9
    out["published"] = published
    out["value"] = np.where(published, out["value"].to_numpy(dtype=float), np.nan)
    return out


def _references(
    plan: Plan, components: list[tuple[str, float, str, float]], regions: list[str]
) -> np.ndarray:
    """Reference value of each (region, component), flattened region-major.

    The province's reference from the plan file; a region below it gets the province's divided by
    the number of regions of its level (cities: 11 in Shanxi; a zone counts as a city) when the
    indicator adds up, the province's own when it does not (a price is a price in every city).
    """
    reference = {comp.indicator: comp.reference for dim in plan.index.dimensions for comp in dim.components}
    counts = pd.Series([str(r.level) for r in plan.regions]).value_counts()
    level = {r.code: str(r.level) for r in plan.regions}
    cities = int(counts.get("city", 1))

    def divisor(code: str) -> float:
        lvl = level.get(code, "city")
        if lvl == "province":
            return 1.0
        return float(cities if lvl in ("city", "zone") else max(int(counts.get(lvl, 1)), 1))

    divisors = np.array([divisor(code) for code in regions], dtype=float)
    summed = np.array([plan.indicator(x[2]).aggregation is Aggregation.SUM for x in components], dtype=bool)
    base = np.array([reference[x[2]] for x in components], dtype=float)
    per_region = np.where(summed[None, :], base[None, :] / divisors[:, None], base[None, :])
    return per_region.reshape(-1)


def _default_periods(plan: Plan, relevant: pd.DataFrame, codes: list[str]) -> list[str]:
    """Distinct periods at the finest frequency among the index's indicators."""
    finest = min(frequency_months(plan.indicator(code).frequency) for code in codes)
    distinct = pd.Series(relevant["period"].astype(str).unique())
    if distinct.empty:
        return []
    ordinal, months = parse_periods(distinct)
    keep = months == finest
    return [str(x) for x in distinct[keep].to_numpy()[np.argsort(ordinal[keep], kind="stable")]]


def _frame(
    regions: list[str],
    periods: list[str],
    dims: list[str],
    dim_value: np.ndarray,
    dim_coverage: np.ndarray,
    total: np.ndarray,
    coverage: np.ndarray,
) -> pd.DataFrame:
    n_r, n_p, n_d = len(regions), len(periods), len(dims)
    region = np.array(regions, dtype=object)
    period = np.array(periods, dtype=object)
    by_dim = pd.DataFrame(
        {
            "region": np.repeat(region, n_p * n_d),
            "period": np.tile(np.repeat(period, n_d), n_r),
            "dimension": np.tile(np.array(dims, dtype=object), n_r * n_p),
            "value": dim_value,
            "coverage": dim_coverage,
        }
    )
    overall = pd.DataFrame(
        {
            "region": np.repeat(region, n_p),
            "period": np.tile(period, n_r),
            "dimension": TOTAL,
            "value": total,
            "coverage": coverage,
        }
    )
    out = pd.concat([overall, by_dim], ignore_index=True)
    out = out[out["coverage"] > 0]
    order = {code: i for i, code in enumerate([TOTAL, *dims])}
    rank = out["dimension"].map(order)
    period_rank = out["period"].map({x: i for i, x in enumerate(periods)})
    out = out.assign(_r=rank, _p=period_rank).sort_values(["region", "_p", "_r"], kind="stable")
    return out.drop(columns=["_r", "_p"]).reset_index(drop=True)
