"""Trend judgement and projection: is the observed growth fast enough to reach the target in time?

The method is open-sdg's, from Statistics Canada: compare the compound growth observed since the
baseline with the compound growth the target requires, R = d · r_obs / |r_req|, and cut R at fixed
thresholds. It needs only two data points, works for any frequency (time in years, a quarter is
0.25) and does not depend on the trajectory chosen for the schedule, which is why it complements ρ:
ρ asks "are we where the schedule says?", R asks "at this pace, will we get there?".
The functions take and return numpy arrays, one element per target; `add_trend` applies them to the
targets frame of `indicators.progress`.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from indicators.catalog import Thresholds
from indicators.schedule import MONTHS_PER_YEAR, year_of
from indicators.series import MISSING, BoolArray, FloatArray

ZERO_REPLACEMENT = 0.001
"""open-sdg replaces zero values by this before taking ratios, so growth from zero is defined."""

PROJECTION_HORIZON_YEARS = 50.0
"""A target further away than this at the observed pace is reported as never reached."""

MONTHS_PER_QUARTER = 3


class Trend(StrEnum):
    ACHIEVED = "achieved"
    SUBSTANTIAL = "substantial"
    MODERATE = "moderate"
    LIMITED = "limited"
    DETERIORATION = "deterioration"


TREND_LABELS: dict[str, tuple[str, str]] = {
    Trend.ACHIEVED: ("已达标", "Target achieved"),
    Trend.SUBSTANTIAL: ("进展显著", "Substantial progress"),
    Trend.MODERATE: ("有进展但需加快", "Moderate progress, acceleration needed"),
    Trend.LIMITED: ("进展有限", "Limited progress"),
    Trend.DETERIORATION: ("趋势恶化", "Deterioration"),
}
"""Trend code → (Chinese, English) label."""


def _nonzero(values: FloatArray) -> FloatArray:
    return np.where(values == 0, ZERO_REPLACEMENT, values)


def compound_growth(start: FloatArray, end: FloatArray, years: FloatArray) -> FloatArray:
    """Annual compound growth from `start` to `end` over `years` (NaN where years <= 0 or signs differ)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = _nonzero(end) / _nonzero(start)
        growth = np.power(ratio, 1.0 / years) - 1.0
    return np.where((years > 0) & (ratio > 0), growth, np.nan)


def trend_ratio(
    *,
    base: FloatArray,
    t_base: FloatArray,
    current: FloatArray,
    t_current: FloatArray,
    target: FloatArray,
    t_target: FloatArray,
    direction: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Observed growth r_obs, required growth r_req and R = direction · r_obs / |r_req|.

    Times are in years (`periods.time_in_years`). R is ±inf when no growth is required (T = C0)
    and NaN when either growth is undefined (fewer than two points in time).
    """
    observed = compound_growth(base, current, t_current - t_base)
    required = compound_growth(base, target, t_target - t_base)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = direction * observed / np.abs(required)
    return observed, required, ratio


def classify_trend(ratio: FloatArray, met: BoolArray, thresholds: Thresholds) -> np.ndarray:
    """Trend code per target: `achieved` when met, else by R's thresholds; None when R is undefined."""
    r = np.round(ratio, 9)  # so a ratio computed as 0.9499999999 from exact inputs counts as 0.95
    codes = np.select(
        [met, np.isnan(r), r >= thresholds.trend_substantial, r >= thresholds.trend_moderate],
        [Trend.ACHIEVED.value, "", Trend.SUBSTANTIAL.value, Trend.MODERATE.value],
        default=Trend.DETERIORATION.value,
    ).astype(object)
    limited = ~met & ~np.isnan(r) & (r < thresholds.trend_moderate) & (r >= thresholds.trend_limited)
    codes[limited] = Trend.LIMITED.value
    codes[codes == ""] = None
    return codes


def project(
    *,
    current: FloatArray,
    t_current: FloatArray,
    growth: FloatArray,
    target: FloatArray,
    t_target: FloatArray,
    direction: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Value at the deadline if the observed growth continues, and the time (in years) T is reached.

    The time is NaN when the pace never reaches T (no growth, growth away from T, or beyond
    PROJECTION_HORIZON_YEARS); it is `t_current` when T is already met.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = _nonzero(current) * np.power(1.0 + growth, t_target - t_current)
        years = np.log(_nonzero(target) / _nonzero(current)) / np.log1p(growth)
    already = direction * (current - target) >= 0
    reachable = (years >= 0) & (years <= PROJECTION_HORIZON_YEARS) & np.isfinite(years)
    when = np.where(already, t_current, np.where(reachable, t_current + years, np.nan))
    return value, when


def year_reached(time: FloatArray) -> FloatArray:
    """Calendar year in which a point on the year axis falls (2022.0 is the end of 2021 → 2021)."""
    return np.ceil(np.round(time, 9)) - 1


def growth_needed_per_quarter(
    *, current: FloatArray, t_current: FloatArray, target: FloatArray, t_target: FloatArray
) -> FloatArray:
    """Compound growth per quarter that takes `current` to `target` by the deadline (NaN at/after it)."""
    quarters = (t_target - t_current) * MONTHS_PER_YEAR / MONTHS_PER_QUARTER
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.power(_nonzero(target) / _nonzero(current), 1.0 / quarters) - 1.0
    return np.where(quarters > 0, growth, np.nan)


def add_trend(t: pd.DataFrame, thresholds: Thresholds) -> None:
    """open-sdg ratio R, trend code and projection, on the level series (full years for flows)."""
    is_flow = t["is_flow"].to_numpy()
    pos = np.where(is_flow, t["pos_full"].to_numpy(), t["pos"].to_numpy())
    level = np.where(is_flow, t["full_value"].to_numpy(dtype=float), t["current"].to_numpy(dtype=float))
    months = np.where(is_flow, t["full_ord"].to_numpy(), t["current_ord"].to_numpy())
    t_level = np.where(pos == MISSING, np.nan, months / MONTHS_PER_YEAR)  # years, as periods.time_in_years
    t_target = t["deadline"].to_numpy() / MONTHS_PER_YEAR
    target = t["target"].to_numpy(dtype=float)
    direction = t["direction"].to_numpy()
    met = t["met"].to_numpy()
    observed, required, ratio = trend_ratio(
        base=t["plan_baseline"].to_numpy(dtype=float),
        t_base=t["plan_baseline_ord"].to_numpy() / MONTHS_PER_YEAR,
        current=level,
        t_current=t_level,
        target=target,
        t_target=t_target,
        direction=direction,
    )
    codes = classify_trend(ratio, met, thresholds)
    codes[np.isnan(t["current"].to_numpy(dtype=float))] = None
    projected, when = project(
        current=level,
        t_current=t_level,
        growth=observed,
        target=target,
        t_target=t_target,
        direction=direction,
    )
    current_year = year_of(t["current_ord"].to_numpy()).astype(float)
    year = np.where(met, current_year, year_reached(when))
    t["trend"] = codes
    t["trend_ratio"] = np.where(np.isfinite(ratio), ratio, np.nan)
    t["observed_growth"] = observed
    t["required_growth"] = required
    t["projected"] = projected
    t["projected_year"] = pd.array(year, dtype="Int64")
    t["growth_needed_per_quarter"] = growth_needed_per_quarter(
        current=level, t_current=t_level, target=target, t_target=t_target
    )
