"""The city view of one indicator: each city's value, share of the total, contribution to growth, rank.

Most targets are set for the province only, so a city's part in them is read from the breakdown: how
much of the province it carries (share), how much of the province's growth since the baseline it
produced (contribution = city Δ / Σ city Δ), how fast it grew (YoY), and where it ranks. Cities with
targets of their own get progress from `compute_progress` like the province.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.aggregate import aggregate_regions
from indicators.changes import peer_rank, peer_share, ratio_change
from indicators.model import Aggregation, Measure, Plan, Polarity
from indicators.periods import MONTHS_PER_YEAR, Period
from indicators.series import MISSING, SeriesIndex, check_observations, frequency_months, period_labels

CITY_COLUMNS = (
    "indicator", "region", "name", "period", "value", "source", "share", "baseline_period",
    "baseline", "change", "contribution", "yoy", "rank",
)  # fmt: skip
"""Columns of `city_breakdown`'s result."""

_NO_LIMIT = 10_000 * MONTHS_PER_YEAR  # an as-of later than any period


def city_breakdown(
    *,
    plan: Plan,
    observations: pd.DataFrame,
    indicator: str,
    as_of: str | Period | None = None,
    parent: str | None = None,
) -> pd.DataFrame:
    """Each city's value of `indicator` at the latest period <= as_of, its share, contribution and rank.

    `parent` defaults to the province (its cities; zones are left out as they overlap cities).
    The period is the latest at or before `as_of` (default: the latest) for which any city reported,
    so all cities are compared at one period. Share and contribution are fractions of the cities'
    own sum (so they add up to 1) and only exist for indicators that add up. The baseline is the
    last period of the plan's baseline year; for flows the same period of that year (a Q3 YTD value
    is compared with the Q3 YTD value of 2020). Rank 1 is the best (highest, or lowest where lower
    is better); cities without a value are not ranked. Sorted by rank.
    """
    check_observations(observations)
    ind = plan.indicator(indicator)
    frame = (
        observations
        if "source" in observations.columns
        else aggregate_regions(plan=plan, observations=observations)
    )
    parent_code = parent or plan.province.code
    cities = [r for r in plan.children(parent_code) if r.summable]
    index = SeriesIndex(frame, plan=plan)
    series = index.codes([indicator] * len(cities), [r.code for r in cities])
    limit = _NO_LIMIT if as_of is None else Period.of(as_of).ordinal
    latest = index.ordinals(index.latest(series, np.full(len(cities), limit, dtype=np.int64)))
    period_ord = int(latest.max(initial=MISSING))
    at_period = np.full(len(cities), period_ord, dtype=np.int64)
    pos = index.at(series, at_period)
    value = index.values(pos)
    months = frequency_months(ind.frequency)
    end_month = (period_ord - 1) % MONTHS_PER_YEAR + 1
    base_ord = plan.baseline_year * MONTHS_PER_YEAR + (
        end_month if ind.measure is Measure.FLOW else MONTHS_PER_YEAR
    )
    base = index.values(index.at(series, np.full(len(cities), base_ord, dtype=np.int64)))
    last_year = index.values(index.at(series, at_period - MONTHS_PER_YEAR))
    summable = ind.aggregation is Aggregation.SUM
    change = value - base
    one_group = np.zeros(len(cities), dtype=np.int64)
    share = peer_share(value, one_group) if summable else np.full(len(cities), np.nan)
    # contribution to growth: the share of the cities' total change (only cities with both values)
    contribution = peer_share(change, one_group) if summable else np.full(len(cities), np.nan)
    lower = np.full(len(cities), ind.polarity is Polarity.LOWER)
    ranks = peer_rank(value, one_group, lower_is_better=lower)
    label = period_labels(np.array([period_ord]), np.array([months]))[0] if period_ord > 0 else None
    out = pd.DataFrame(
        {
            "indicator": indicator,
            "region": [r.code for r in cities],
            "name": [r.short_name for r in cities],
            "period": label,
            "value": value,
            "source": index.column("source", pos, None),
            "share": share,
            "baseline_period": period_labels(np.array([base_ord]), np.array([months]))[0],
            "baseline": base,
            "change": change,
            "contribution": contribution,
            "yoy": ratio_change(value, last_year),
            "rank": pd.array(ranks, dtype="Int64"),
        },
        columns=list(CITY_COLUMNS),
    )
    return out.sort_values(["rank", "region"], na_position="last", kind="stable").reset_index(drop=True)
