"""Where each target stands against its schedule: current value, baseline, elapsed share, expected value.

The rules are DESIGN.md's "Progress methodology"; docs/methodology.md explains them to users. Each
function takes the targets frame (one row per numeric target) and adds columns computed on whole
numpy arrays, so 50,000 targets cost the same handful of array operations as one.

How a value is compared with its target depends on the measure (the `basis` column):

- `level` (stock or rate): the latest value, against a path from the baseline to the target.
- `annual` (flow, i.e. a year-to-date 累计值, compared on full years): the latest full-year total
  (the annual value, or the Q4 / December YTD value) against the path from the baseline year's total
  to the target. This is how 数字经济规模 (annual) and any quarterly flow are judged before the
  target year starts: a Q3 YTD value cannot be compared with an annual path.
- `ytd` (a sub-annual flow inside its target year): the YTD value against the annual target with
  B = 0 at the start of the year, so linear E is the classic 序时进度 (Q1 25 %, Q2 50 %, Q3 75 %).
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from indicators.changes import changes_from_values
from indicators.model import Comparator, Measure, Plan, Trajectory
from indicators.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR, Period
from indicators.series import (
    MISSING,
    BoolArray,
    FloatArray,
    IntArray,
    frequency_months,
    parse_periods,
    period_labels,
)

_REL_TOL = 1e-9  # values closer than this (relative) are equal: float noise, not a difference


class BaselineRule(StrEnum):
    """Where a target's baseline B came from (the `baseline_rule` column; None: no baseline)."""

    PLAN = "plan"  # fixed in the plan file
    DATA = "data"  # the published value of the baseline period
    FIRST_AFTER = "first_after"  # none for the baseline period: the first value after it, flagged
    YEAR_START = "year_start"  # a YTD flow inside its target year: B = 0 at the start of the year


class Basis(StrEnum):
    LEVEL = "level"
    ANNUAL = "annual"
    YTD = "ytd"


def year_end(year: IntArray) -> IntArray:
    """End-month ordinal of the end of `year` (the deadline of a target for that year)."""
    return year * MONTHS_PER_YEAR + MONTHS_PER_YEAR


def year_of(ordinal: IntArray) -> IntArray:
    """Calendar year in which each end-month ordinal falls (MISSING stays negative)."""
    return np.where(ordinal > 0, (ordinal - 1) // MONTHS_PER_YEAR, MISSING)


def add_indicator_attributes(t: pd.DataFrame, plan: Plan) -> None:
    """Native period length in months, flow-ness and direction of each target's indicator."""
    months = {i.code: frequency_months(i.frequency) for i in plan.indicators}
    flow = {i.code: i.measure is Measure.FLOW for i in plan.indicators}
    t["months"] = t["indicator"].map(months).fillna(MONTHS_PER_YEAR).to_numpy(dtype=np.int64)
    t["is_flow"] = t["indicator"].map(flow).fillna(False).to_numpy(dtype=bool)
    lower = [str(c) for c in Comparator if c.lower_is_better]
    t["lower"] = t["comparator"].isin(lower).to_numpy()
    t["direction"] = np.where(t["lower"].to_numpy(), -1.0, 1.0)


def request(t: pd.DataFrame, *, as_of: int, plan: Plan) -> pd.DataFrame:
    """The facts request of each target (`indicators.facts`): its series, cut-off and baseline period.

    After its deadline a target is judged on the deadline's data: later growth does not turn a
    missed 2022 target into an achieved one (the `met_after_deadline` flag tells that story).
    """
    year = t["year"].to_numpy(dtype=np.int64)
    deadline = year_end(year)
    op, bound = met_bounds(t["target"].to_numpy(dtype=float), t["comparator"].to_numpy(dtype=object))
    return pd.DataFrame(
        {
            "indicator": t["indicator"].to_numpy(dtype=object),
            "region": t["region"].to_numpy(dtype=object),
            "cutoff": np.minimum(as_of, deadline),
            "baseline_ord": _planned_baseline_ord(t, plan),
            "year_end_only": t["is_flow"].to_numpy(dtype=bool),
            "months": t["months"].to_numpy(dtype=np.int64),
            "prev_year_end": year_end(year - 1),
            "as_of": np.full(len(t), as_of, dtype=np.int64),
            "met_op": op,
            "met_bound": bound,
        },
        index=t.index,
    )


def _planned_baseline_ord(t: pd.DataFrame, plan: Plan) -> IntArray:
    """The baseline period's end month: the target's own, else the end of the plan's baseline year."""
    b_ord = np.full(len(t), plan.baseline_year * MONTHS_PER_YEAR + MONTHS_PER_YEAR, dtype=np.int64)
    given_period = t["baseline_period_given"]
    has_period = given_period.notna().to_numpy()
    if has_period.any():
        parsed = {p: Period.parse(p).ordinal for p in given_period[has_period].unique()}
        b_ord[has_period] = given_period[has_period].map(parsed).to_numpy(dtype=np.int64)
    return b_ord


def locate(t: pd.DataFrame, *, plan: Plan) -> None:
    """Pick each target's current value (basis, period, source) and its baseline, from its facts."""
    year = t["year"].to_numpy(dtype=np.int64)
    months = t["months"].to_numpy()
    is_flow = t["is_flow"].to_numpy()
    cutoff = t["cutoff"].to_numpy()
    ord_any = t["any_ord"].to_numpy(dtype=np.int64)
    ytd = is_flow & (months < MONTHS_PER_YEAR) & (year_of(ord_any) == year)
    full_year = is_flow & ~ytd
    t["deadline"] = year_end(year)
    t["basis"] = np.where(ytd, Basis.YTD.value, np.where(is_flow, Basis.ANNUAL.value, Basis.LEVEL.value))
    t["full_year"] = full_year
    t["current"] = _pick(full_year, t, "value")
    t["current_ord"] = _pick(full_year, t, "ord")
    t["current_period"] = _pick(full_year, t, "period")
    t["source"] = _pick(full_year, t, "source")
    t["inconsistent"] = _pick(full_year, t, "inconsistent").astype(bool)
    t["partial"] = _pick(full_year, t, "partial").astype(bool)
    for back in ("m12", "m1p", "m2p"):
        t[f"current_{back}"] = _pick(full_year, t, back)
    # stale: a later period of the indicator's own frequency has ended by the cut-off but has no value
    t["stale"] = (ord_any != MISSING) & (ord_any < cutoff - cutoff % months)
    _baseline(t, plan=plan, ytd=ytd)


def _pick(full_year: BoolArray, t: pd.DataFrame, fact: str) -> np.ndarray:
    """The fact of the full-year value where the target is judged on full years, else of the latest."""
    return np.where(full_year, t[f"full_{fact}"].to_numpy(), t[f"any_{fact}"].to_numpy())


def _baseline(t: pd.DataFrame, *, plan: Plan, ytd: BoolArray) -> None:
    """Plan baseline (fixed in the plan, else read from data) and the effective one for the schedule."""
    months = t["months"].to_numpy()
    given_period = t["baseline_period_given"]
    has_period = given_period.notna().to_numpy()
    b_ord = t["baseline_ord"].to_numpy(dtype=np.int64).copy()
    fixed = t["baseline_given"].notna().to_numpy()
    t["baseline_period_planned"] = np.where(
        has_period, given_period.to_numpy(dtype=object), period_labels(b_ord, months)
    )
    at_value = t["base_at_value"].to_numpy(dtype=float)
    base = np.where(fixed, t["baseline_given"].to_numpy(dtype=float), at_value)
    label = np.full(len(t), None, dtype=object)
    label[has_period] = given_period[has_period].to_numpy(dtype=object)
    from_data = ~has_period & ~fixed & t["base_at_period"].notna().to_numpy()
    label[from_data] = t["base_at_period"].to_numpy(dtype=object)[from_data]
    # No baseline in the data: start from the series' first value AFTER the baseline period (a full
    # year for flows) that the judgement can see, flagged; a value from before the plan's baseline
    # says nothing about progress since it (open-sdg also takes the first value after the baseline).
    after_ord = t["after_ord"].to_numpy(dtype=np.int64)
    fallback = np.isnan(base) & (t["current_ord"].to_numpy() != MISSING)
    fallback &= (after_ord != MISSING) & (after_ord <= t["current_ord"].to_numpy())
    base = np.where(fallback, t["after_value"].to_numpy(dtype=float), base)
    b_ord = np.where(fallback, after_ord, b_ord)
    label[fallback] = t["after_period"].to_numpy(dtype=object)[fallback]
    missing_label = pd.isna(label)
    if missing_label.any():
        label[missing_label] = period_labels(b_ord[missing_label], months[missing_label])
    t["baseline_fallback"] = fallback
    rule = np.select(
        [ytd, fixed, fallback, np.isnan(base)],
        [BaselineRule.YEAR_START.value, BaselineRule.PLAN.value, BaselineRule.FIRST_AFTER.value, ""],
        default=BaselineRule.DATA.value,
    ).astype(object)
    rule[rule == ""] = None
    t["baseline_rule"] = rule
    t["plan_baseline"] = base
    t["plan_baseline_ord"] = b_ord
    start = year_end(t["year"].to_numpy(dtype=np.int64) - 1)
    t["baseline"] = np.where(ytd, 0.0, base)
    t["baseline_ord"] = np.where(ytd, start, b_ord)
    t["baseline_period"] = np.where(ytd, period_labels(start, months), label)
    t["deadline_period"] = period_labels(year_end(t["year"].to_numpy(dtype=np.int64)), months)


def expected(t: pd.DataFrame) -> None:
    """Elapsed share e and expected value E by the target's trajectory (序时进度)."""
    base = t["baseline"].to_numpy(dtype=float)
    target = t["target"].to_numpy(dtype=float)
    b_ord = t["baseline_ord"].to_numpy()
    cur_ord = t["current_ord"].to_numpy()
    span = t["deadline"].to_numpy() - b_ord
    with np.errstate(divide="ignore", invalid="ignore"):
        elapsed = np.where(span > 0, np.clip((cur_ord - b_ord) / span, 0.0, 1.0), 1.0)
    elapsed = np.where(cur_ord == MISSING, np.nan, elapsed)
    trajectory = t["trajectory"].to_numpy()
    ytd = t["basis"].to_numpy() == Basis.YTD.value
    has = cur_ord != MISSING
    geometric_wanted = (trajectory == Trajectory.GEOMETRIC.value) & ~ytd  # no geometric path from B = 0
    geometric_ok = geometric_wanted & (base > 0) & (target > 0)
    on_path = path_value(base, target, elapsed, geometric=geometric_wanted)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        share = _seasonal_share(t)
    seasonal_wanted = trajectory == Trajectory.SEASONAL.value
    seasonal_ok = seasonal_wanted & ytd & np.isfinite(share)
    t["elapsed"] = elapsed
    t["expected"] = np.where(seasonal_ok, target * share, on_path)
    t["linear_fallback"] = has & geometric_wanted & ~geometric_ok
    # Before its target year a flow's path runs between full years, where seasons do not apply:
    # linear by rule, not a fallback. Otherwise a seasonal target without last year's shape is.
    t["seasonal_fallback"] = has & seasonal_wanted & ~seasonal_ok & (ytd | ~t["is_flow"].to_numpy())


def path_value(
    base: FloatArray, target: FloatArray, elapsed: FloatArray, *, geometric: BoolArray
) -> FloatArray:
    """E at elapsed share e: linear B + (T − B)·e, or geometric B·(T/B)^e where asked and B, T > 0.

    A geometric path needs both ends positive (a ratio of a zero or negative baseline has no power);
    there the path is linear, as the `linear_fallback` flag of a progress row says.
    """
    geometric_ok = geometric & (base > 0) & (target > 0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        grown = base * np.power(target / base, elapsed)
    return np.where(geometric_ok, grown, base + (target - base) * elapsed)


PATH_COLUMNS = ("target_id", "ordinal", "value")
"""Columns of `expected_path`: one row per target and quarter on its path."""


def expected_path(targets: pd.DataFrame, *, step: int = MONTHS_PER_QUARTER) -> pd.DataFrame:
    """The 序时路径 of progress rows: E every `step` months from the baseline period to the deadline.

    `targets`: progress rows (`target_id, baseline, baseline_period, year, target, trajectory`).
    The path is linear or geometric as the trajectory says (by `path_value`); a seasonal target is
    drawn linear, since its seasons only move the points inside a year. A row without a baseline
    has no path. Unclipped: a deadline before the baseline gives one point at the deadline.
    """
    has = (targets["baseline"].notna() & targets["baseline_period"].notna()).to_numpy()
    rows = targets[has]
    if rows.empty:
        return pd.DataFrame({"target_id": [], "ordinal": [], "value": []}, columns=list(PATH_COLUMNS))
    start = parse_periods(rows["baseline_period"].astype(str))[0]
    deadline = year_end(rows["year"].to_numpy(dtype=np.int64))
    counts = np.where(deadline > start, (deadline - start) // step + 1, 1)
    row = np.repeat(np.arange(len(rows)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    s, d = start[row], deadline[row]
    ordinal = np.where(d > s, s + k * step, d)
    elapsed = (ordinal - s) / np.maximum(d - s, 1)
    value = path_value(
        rows["baseline"].to_numpy(dtype=float)[row],
        rows["target"].to_numpy(dtype=float)[row],
        elapsed,
        geometric=rows["trajectory"].to_numpy(dtype=object)[row] == Trajectory.GEOMETRIC.value,
    )
    return pd.DataFrame(
        {"target_id": rows["target_id"].to_numpy(dtype=object)[row], "ordinal": ordinal, "value": value},
        columns=list(PATH_COLUMNS),
    )


def _seasonal_share(t: pd.DataFrame) -> FloatArray:
    """Share of last year's annual total that the same period's YTD value carried (NaN if unknown)."""
    same = t["current_m12"].to_numpy(dtype=float)
    total = t["prev_total"].to_numpy(dtype=float)
    share = same / np.where(total > 0, total, 1.0)
    # a share outside [0, 1] (a revised YTD above last year's total) would put E beyond T or below B
    return np.where(total > 0, np.clip(share, 0.0, 1.0), np.nan)


def met_bounds(target: FloatArray, comparator: np.ndarray) -> tuple[np.ndarray, FloatArray]:
    """`met` as (op, bound) pairs: a value meets its target iff it compares with the bound by the op.

    The form a database can evaluate (`indicators.facts`); the tolerance is `met`'s own.
    """
    tol = _REL_TOL * np.maximum(np.abs(target), 1.0)
    op = np.select(
        [
            comparator == Comparator.GE.value,
            comparator == Comparator.GT.value,
            comparator == Comparator.LE.value,
        ],
        ["ge", "gt", "le"],
        default="lt",
    ).astype(object)
    bound = np.where((op == "gt") | (op == "le"), target + tol, target - tol)
    return op, bound


def met(value: FloatArray, target: FloatArray, comparator: np.ndarray) -> BoolArray:
    """Whether each value meets its target by its comparator (strict `>`: equal is not enough)."""
    tol = _REL_TOL * np.maximum(np.abs(target), 1.0)
    with np.errstate(invalid="ignore"):
        return np.select(
            [
                comparator == Comparator.GE.value,
                comparator == Comparator.GT.value,
                comparator == Comparator.LE.value,
            ],
            [value >= target - tol, value > target + tol, value <= target + tol],
            default=value < target - tol,
        ) & ~np.isnan(value)


def ratios(t: pd.DataFrame) -> None:
    """Completion, expected completion, 序时差, gap closed and progress ratio ρ."""
    c = t["current"].to_numpy(dtype=float)
    b = t["baseline"].to_numpy(dtype=float)
    e = t["expected"].to_numpy(dtype=float)
    target = t["target"].to_numpy(dtype=float)
    lower = t["lower"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        completion = np.where(lower, target / c, c / target)
        expected_completion = np.where(lower, target / e, e / target)
        gap_closed = (c - b) / (target - b)
        rho = (c - b) / (e - b)
    t["completion"] = _finite(completion)
    t["expected_completion"] = _finite(expected_completion)
    t["schedule_gap_pp"] = (t["completion"] - t["expected_completion"]) * 100
    # B already meets T: nothing is due and (C − B)/(E − B) would have the wrong sign (a regression
    # would read as progress, 超前); ρ and the gap closed are then undefined, the status says "kept
    # or lost" (docs/methodology.md § 七).
    base_met = met(b, target, t["comparator"].to_numpy(dtype=object))
    t["baseline_met"] = base_met
    t["gap_closed"] = np.where(_close(target, b) | base_met, np.nan, _finite(gap_closed)) + 0.0  # no "-0.0"
    # ρ = 1 when nothing was due yet (E = B): the contract's rule, so a target at its baseline is not red.
    rho = np.where(_close(e, b), 1.0, _finite(rho))
    t["progress_ratio"] = np.where(np.isnan(c) | base_met, np.nan, rho)
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = t["direction"].to_numpy() * (c - target) / np.abs(target)
    t["margin"] = _finite(margin) + 0.0


def _finite(values: FloatArray) -> FloatArray:
    return np.where(np.isfinite(values), values, np.nan)


def _close(a: FloatArray, b: FloatArray) -> BoolArray:
    return np.abs(a - b) <= _REL_TOL * np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)


def changes(t: pd.DataFrame) -> None:
    """YoY on the shown value; QoQ (环比) on the previous period, on single-period values for flows."""
    t["yoy"], t["qoq"] = changes_from_values(
        ordinal=t["current_ord"].to_numpy(),
        months=t["months"].to_numpy(),
        is_flow=t["is_flow"].to_numpy(),
        current=t["current"].to_numpy(dtype=float),
        last_year=t["current_m12"].to_numpy(dtype=float),
        prev=t["current_m1p"].to_numpy(dtype=float),
        prev2=t["current_m2p"].to_numpy(dtype=float),
    )


def met_after_deadline(t: pd.DataFrame, *, as_of: int) -> None:
    """Flag targets judged missed at their deadline whose latest value (as of `as_of`) meets them."""
    late = (
        (as_of > t["deadline"].to_numpy())
        & ~t["met"].to_numpy()
        & ~np.isnan(t["current"].to_numpy(dtype=float))
    )
    met_now = met(
        t["now_value"].to_numpy(dtype=float),
        t["target"].to_numpy(dtype=float),
        t["comparator"].to_numpy(dtype=object),
    )
    t["met_after_deadline"] = late & met_now


def first_met(t: pd.DataFrame) -> None:
    """The first period (from the baseline on, up to the as-of period) whose value meets each target.

    Flows count full years only; the look-up itself is a fact (`indicators.facts`, `met_ord`).
    """
    ordinal = t["met_ord"].to_numpy(dtype=np.int64)
    t["first_met_ord"] = ordinal
    t["first_met_period"] = period_labels(ordinal, t["months"].to_numpy())
