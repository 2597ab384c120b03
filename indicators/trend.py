"""Trend judgement and projection: is the observed growth fast enough to reach the target in time?

The method is open-sdg's, from Statistics Canada: compare the compound growth observed since the
baseline with the compound growth the target requires, R = d · r_obs / |r_req|, and cut R at fixed
thresholds. It needs only two data points, works for any frequency (time in years, a quarter is
0.25) and does not depend on the trajectory chosen for the schedule, which is why it complements ρ:
ρ asks "are we where the schedule says?", R asks "at this pace, will we get there?".
The functions take and return numpy arrays, one element per target; `add_trend` applies them to the
targets frame of `indicators.progress`.

Compound growth means something only between positive values well away from zero. open-sdg replaces
a zero target by 0.001; applied to a zero baseline that replacement explodes (0 → 1 reads as 100,000 %
a year). So where B, C or T is ≤ 0, or B is near zero (|B| < NEAR_ZERO_SHARE of max(|C|, |T|)), the
trend is `linear`: R = d · v_obs / |v_req| with v = change per year (observed since the baseline,
required from the baseline to the target), which keeps its sign for negative values too; and the
projection continues the change of the last year (`recent change`), not a growth rate.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from indicators.model import Thresholds
from indicators.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR
from indicators.schedule import year_of
from indicators.series import MISSING, BoolArray, FloatArray

NEAR_ZERO_SHARE = 0.01
"""A baseline smaller than this share of max(|C|, |T|) is "near zero": growth from it is not used."""

PROJECTION_HORIZON_YEARS = 50.0
"""A target further away than this at the observed pace is reported as never reached."""


class TrendMethod(StrEnum):
    GROWTH = "growth"  # open-sdg: compound growth observed vs required
    LINEAR = "linear"  # change per year observed vs required (zero, near-zero or negative values)


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


def compound_growth(start: FloatArray, end: FloatArray, years: FloatArray) -> FloatArray:
    """Annual compound growth from `start` to `end` over `years` (NaN unless both > 0 and years > 0)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.power(end / start, 1.0 / years) - 1.0
    return np.where((years > 0) & (start > 0) & (end > 0), growth, np.nan)


def change_per_year(start: FloatArray, end: FloatArray, years: FloatArray) -> FloatArray:
    """Linear change per year from `start` to `end` over `years` (NaN where years <= 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(years > 0, (end - start) / years, np.nan)


def growth_is_meaningful(base: FloatArray, current: FloatArray, target: FloatArray) -> BoolArray:
    """Whether compound growth can judge the trend: all values positive and B not near zero."""
    scale = np.maximum(np.abs(current), np.abs(target))
    with np.errstate(invalid="ignore"):
        return (base > 0) & (current > 0) & (target > 0) & (base >= NEAR_ZERO_SHARE * scale)


def trend_ratio(
    *,
    base: FloatArray,
    t_base: FloatArray,
    current: FloatArray,
    t_current: FloatArray,
    target: FloatArray,
    t_target: FloatArray,
    direction: FloatArray,
    linear: BoolArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Observed rate, required rate and R = direction · observed / |required|.

    The rates are compound growth (open-sdg), or change per year where `linear`. Times are in years
    (a period ends at ordinal / MONTHS_PER_YEAR: 2021Q2 → 2021.5). R is ±inf when nothing is
    required (T = C0) and NaN when a rate is undefined (fewer than two points in time, or no
    growth between non-positive values).
    """
    linear = np.zeros(len(base), dtype=bool) if linear is None else linear
    observed = np.where(
        linear,
        change_per_year(base, current, t_current - t_base),
        compound_growth(base, current, t_current - t_base),
    )
    required = np.where(
        linear,
        change_per_year(base, target, t_target - t_base),
        compound_growth(base, target, t_target - t_base),
    )
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
    change: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Value at the deadline if the observed pace continues, and the time (in years) T is reached.

    The pace is `growth` (compound), or where `change` (per year) is given and finite, that linear
    change. The time is NaN when the pace never reaches T (no change, change away from T, or beyond
    PROJECTION_HORIZON_YEARS); it is `t_current` when T is already met.
    """
    change = np.full(len(current), np.nan) if change is None else change
    linear = np.isfinite(change)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = np.where(
            linear,
            current + change * (t_target - t_current),
            current * np.power(1.0 + growth, t_target - t_current),
        )
        years = np.where(linear, (target - current) / change, np.log(target / current) / np.log1p(growth))
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
    """Compound growth per quarter that takes `current` to `target` by the deadline.

    NaN at/after the deadline and where growth is undefined (a value ≤ 0: no rate takes 0 anywhere).
    """
    quarters = (t_target - t_current) * MONTHS_PER_YEAR / MONTHS_PER_QUARTER
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        growth = np.power(target / current, 1.0 / quarters) - 1.0
    return np.where((quarters > 0) & (current > 0) & (target > 0), growth, np.nan)


def add_trend(t: pd.DataFrame, thresholds: Thresholds) -> None:
    """Trend ratio R, trend code and projection, on the level series (full years for flows)."""
    is_flow = t["is_flow"].to_numpy()
    level = np.where(is_flow, t["full_value"].to_numpy(dtype=float), t["current"].to_numpy(dtype=float))
    months = np.where(is_flow, t["full_ord"].to_numpy(), t["current_ord"].to_numpy())
    t_level = np.where(months == MISSING, np.nan, months / MONTHS_PER_YEAR)  # years since year 0
    t_target = t["deadline"].to_numpy() / MONTHS_PER_YEAR
    target = t["target"].to_numpy(dtype=float)
    direction = t["direction"].to_numpy()
    met = t["met"].to_numpy()
    base = t["plan_baseline"].to_numpy(dtype=float)
    t_base = t["plan_baseline_ord"].to_numpy() / MONTHS_PER_YEAR
    linear = ~growth_is_meaningful(base, level, target)
    observed, required, ratio = trend_ratio(
        base=base,
        t_base=t_base,
        current=level,
        t_current=t_level,
        target=target,
        t_target=t_target,
        direction=direction,
        linear=linear,
    )
    codes = classify_trend(ratio, met, thresholds)
    codes[np.isnan(t["current"].to_numpy(dtype=float))] = None
    # linear: project the change of the last year (the recent pace), the whole span if no value then
    year_ago = np.where(is_flow, t["full_m12"].to_numpy(dtype=float), t["current_m12"].to_numpy(dtype=float))
    recent = np.where(np.isfinite(year_ago), level - year_ago, observed)
    projected, when = project(
        current=level,
        t_current=t_level,
        growth=np.where(linear, np.nan, observed),
        target=target,
        t_target=t_target,
        direction=direction,
        change=np.where(linear, recent, np.nan),
    )
    current_year = year_of(t["current_ord"].to_numpy()).astype(float)
    year = np.where(met, current_year, year_reached(when))
    has = ~np.isnan(t["current"].to_numpy(dtype=float))
    t["trend"] = codes
    method = np.where(linear, TrendMethod.LINEAR.value, TrendMethod.GROWTH.value).astype(object)
    method[~has] = None
    t["trend_method"] = method
    t["trend_ratio"] = np.where(np.isfinite(ratio), ratio, np.nan)
    t["observed_growth"] = np.where(linear, np.nan, observed)
    t["required_growth"] = np.where(linear, np.nan, required)
    t["observed_change"] = np.where(linear, observed, np.nan)
    t["required_change"] = np.where(linear, required, np.nan)
    t["projected"] = projected
    t["projected_year"] = pd.array(year, dtype="Int64")
    t["growth_needed_per_quarter"] = growth_needed_per_quarter(
        current=level, t_current=t_level, target=target, t_target=t_target
    )
