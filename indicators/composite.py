"""The composite 数字经济发展指数: weighted indicators normalised to the province's base-year level.

保障措施(五) asks for an 指标体系 and 评估方法; the plan file's `[index]` holds the dimensions
(数字基础设施, 数字产业化, 产业数字化, 数字化转型生态), their weights and their indicators' weights.

- Normalisation: each indicator is divided by the PROVINCE's value in the base year (its last
  period; for a YTD flow the same period of the base year, so Q1 is compared with Q1) and × 100.
  The province in the base year is therefore 100 on every indicator, and a city's sub-index says how
  large the city is against the province's base level (太原 ≈ 30 means three tenths of the
  province's 2020 level): compare cities by level or by the growth of their index, both are
  meaningful. Lower-is-better indicators are inverted (100 × base / value).
- Which value at period P: the value of the latest period of the indicator's own frequency that
  ends at or before P (a quarterly index uses last year's value of an annual indicator); while that
  annual value is not yet published (it comes months after its year), the year before is used, so
  the indicator does not drop out and re-weight its dimension; YTD flows use P itself.
- Missing data: an indicator without a value (or without a usable base) is left out and the
  remaining indicators of its dimension are re-weighted to sum to 1; a dimension without any is
  left out and the remaining dimensions are re-weighted. `coverage` reports the share of the
  weight that had data, so a thin index can be recognised.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.aggregate import aggregate_regions
from indicators.catalog import Measure, Plan, Polarity
from indicators.periods import Period
from indicators.series import SeriesIndex, check_observations, frequency_months, parse_periods

TOTAL = "total"
"""`dimension` of the overall index rows."""

INDEX_BASE = 100.0

COMPOSITE_COLUMNS = ("region", "period", "dimension", "value", "coverage")
"""Columns of `composite_index`'s result."""

_MONTHS_PER_YEAR = 12


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
    end_month = (lookup - 1) % _MONTHS_PER_YEAR + 1
    base_ord = plan.index.base_year * _MONTHS_PER_YEAR + np.where(flow, end_month, _MONTHS_PER_YEAR)
    keys = index.codes(np.array(codes)[c], np.array(region_list, dtype=object)[r])
    value = index.values(index.at(keys, lookup))
    # an annual value is published months after its year: until it is, keep the year before
    lagged = np.isnan(value) & (native == _MONTHS_PER_YEAR) & (period_ord % _MONTHS_PER_YEAR != 0)
    if lagged.any():
        value = np.where(lagged, index.values(index.at(keys, lookup - _MONTHS_PER_YEAR)), value)
    province = np.full(len(c), plan.province.code, dtype=object)
    base = index.values(index.at(index.codes(np.array(codes)[c], province), base_ord))
    with np.errstate(divide="ignore", invalid="ignore"):
        normalised = INDEX_BASE * np.where(lower, base / value, value / base)
    valid = np.isfinite(normalised) & (base > 0)
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
    return _frame(region_list, period_list, dims, dim_value, w_sum, total, coverage)


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
