"""Change over time and standing among peers: YoY, QoQ (环比), rank and share of the total.

The one implementation behind the progress records (`schedule.changes`), the city breakdown
(`cities.city_breakdown`) and a region's indicator table (`app.services.series.region_indicators`),
so the same value shows the same change and the same rank wherever it appears. Everything works on
whole arrays: one call for every target, city or indicator at once.

- YoY compares a value with the same period a year earlier: C / C(−12 months) − 1.
- QoQ compares single periods. For a year-to-date flow (累计值) a period's own value is its YTD value
  minus the previous one, except in the first period of the year, whose YTD value is its own; a stock
  or a rate compares the values themselves. Annual values have no QoQ.
- Rank 1 is the best value of its group (the highest, or the lowest where lower is better); equal
  values share the lowest rank (`min`), missing values are not ranked.
- Share is a value's part of its group's total; NaN where the total is zero or missing.
A ratio with a zero or missing denominator is NaN, never ±inf.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.periods import MONTHS_PER_YEAR
from indicators.series import MISSING, BoolArray, FloatArray, IntArray, SeriesIndex


def ratio_change(current: FloatArray, before: FloatArray) -> FloatArray:
    """current / before − 1, NaN where `before` is zero or either is missing."""
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.asarray(current, dtype=float) / np.asarray(before, dtype=float) - 1
    return np.where(np.isfinite(change), change, np.nan)


def period_changes(
    index: SeriesIndex,
    *,
    series: IntArray,
    ordinal: IntArray,
    months: IntArray,
    is_flow: BoolArray,
    current: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """YoY and QoQ of each `current` value of `series` at `ordinal` (a period `months` long).

    `ordinal` is MISSING where there is no current value; both changes are then NaN.
    """
    valid = ordinal != MISSING

    def at(offset: IntArray) -> FloatArray:
        return index.values(index.at(series, np.where(valid, ordinal - offset, MISSING)))

    return changes_from_values(
        ordinal=ordinal,
        months=months,
        is_flow=is_flow,
        current=current,
        last_year=at(np.full(len(series), MONTHS_PER_YEAR, dtype=np.int64)),
        prev=at(months),
        prev2=at(2 * months),
    )


def changes_from_values(
    *,
    ordinal: IntArray,
    months: IntArray,
    is_flow: BoolArray,
    current: FloatArray,
    last_year: FloatArray,
    prev: FloatArray,
    prev2: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """YoY and QoQ from the values 12, `months` and 2·`months` months before each current one.

    A flow is year-to-date: its QoQ compares single periods (the YTD less the previous YTD), and
    the first period of a year is its own single period.
    """
    end_month = (ordinal - 1) % MONTHS_PER_YEAR + 1
    single = np.where(end_month == months, current, current - prev)  # first period of a year: YTD = itself
    single_prev = np.where(end_month - months == months, prev, prev - prev2)
    qoq = np.where(is_flow, ratio_change(single, single_prev), ratio_change(current, prev))
    return ratio_change(current, last_year), np.where(months < MONTHS_PER_YEAR, qoq, np.nan)


def peer_rank(values: FloatArray, groups: npt.ArrayLike, *, lower_is_better: BoolArray) -> FloatArray:
    """Rank of each value within its group, 1 the best; NaN for a missing value.

    `lower_is_better` is per row (constant within a group): the values are negated where higher is
    better, so one ascending `min` rank serves both directions and keeps ties tied.
    """
    signed = np.where(lower_is_better, values, -np.asarray(values, dtype=float))
    ranks = pd.Series(signed).groupby(np.asarray(groups)).rank(method="min", ascending=True, na_option="keep")
    return ranks.to_numpy(dtype=float)


def peer_share(values: FloatArray, groups: npt.ArrayLike) -> FloatArray:
    """Each value's part of its group's total (missing values count as nothing); NaN if the total is 0."""
    total = pd.Series(values, dtype=float).groupby(np.asarray(groups)).transform("sum").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.asarray(values, dtype=float) / total
    return np.where((total != 0) & np.isfinite(share), share, np.nan)


def peer_count(values: FloatArray, groups: npt.ArrayLike) -> IntArray:
    """How many values of each row's group are present (the `peers` a rank is out of)."""
    present = pd.Series(~np.isnan(np.asarray(values, dtype=float)))
    return present.groupby(np.asarray(groups)).transform("sum").to_numpy(dtype=np.int64)
