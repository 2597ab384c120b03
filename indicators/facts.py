"""What the progress engine reads from each target's series: about twenty values, not the series.

Judging a target needs its latest value, its baseline, a year-ago value and a few more, never the
whole series. The engine therefore works in two steps: a *request* (one row per target: which
series, up to which period, from which baseline) is answered by *facts* (one row per target: the
values found), and every formula runs on the facts alone. Two implementations answer a request and
must agree exactly: `facts_from_index` here, over an in-memory `SeriesIndex`, and the database's
(app/store/progress_facts.py), which computes the same look-ups in SQL so that only 50,000 rows of
facts leave the database instead of millions of values.

Look-ups, for the series of (indicator, region) after region totals (`indicators.aggregate`), where a
value's "ordinal" is the end month of its period (`Period.ordinal`):

- `any_*`: the latest value ending at or before `cutoff`; `full_*`: the same among values that end a
  year (a flow's full-year total). `*_period`, `*_source`, `*_inconsistent`, `*_partial` describe it.
- `base_at_*`: the value ending exactly at `baseline_ord`; `after_*`: the first value ending after
  it (year ends only where `year_end_only`).
- `{any,full}_m12`, `_m1p`, `_m2p`: values ending 12, `months` and 2·`months` months before the
  `any` (`full`) value: last year's, the previous period's and the one before.
- `prev_total`: the value ending at the end of the year before the target year.
- `now_value`: the latest value at or before `as_of` (year ends only where `year_end_only`).
- `met_ord`: the first ordinal from `baseline_ord` to `as_of` (year ends only where
  `year_end_only`) whose value meets the target, i.e. compares with `met_bound` by `met_op`
  (`schedule.met_bounds` turns a comparator and its tolerance into that pair).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.periods import MONTHS_PER_YEAR, Period
from indicators.series import MISSING, IntArray, SeriesIndex

REQUEST_COLUMNS = (
    "indicator", "region", "cutoff", "baseline_ord", "year_end_only", "months", "prev_year_end",
    "as_of", "met_op", "met_bound",
)  # fmt: skip
"""Columns of a facts request, one row per target (ordinals are end months, `Period.ordinal`)."""

_DESCRIBED = ("ord", "value", "period", "source", "inconsistent", "partial")

FACT_COLUMNS = (
    *(f"any_{c}" for c in _DESCRIBED),
    *(f"full_{c}" for c in _DESCRIBED),
    "base_at_value", "base_at_period", "after_ord", "after_value", "after_period",
    "any_m12", "any_m1p", "any_m2p", "full_m12", "full_m1p", "full_m2p",
    "prev_total", "now_value", "met_ord",
)  # fmt: skip
"""Columns of the facts answering a request; ordinals are MISSING and values NaN where none exists."""

ORDINAL_FACTS = ("any_ord", "full_ord", "after_ord", "met_ord")
TEXT_FACTS = ("any_period", "any_source", "full_period", "full_source", "base_at_period", "after_period")
FLAG_FACTS = ("any_inconsistent", "any_partial", "full_inconsistent", "full_partial")

MET_OPS = ("ge", "gt", "le", "lt")
"""How a value meets its target: value >= / > / <= / < `met_bound`."""


@dataclass(frozen=True)
class FactsRequest:
    """The targets to judge (one row each, with REQUEST_COLUMNS among their columns) and the as-of period.

    `as_of` is None when there are no data at all; every look-up then finds nothing.
    """

    targets: pd.DataFrame
    as_of: Period | None


def facts_from_index(index: SeriesIndex, request: pd.DataFrame) -> pd.DataFrame:
    """Answer a request from an in-memory index: a handful of `searchsorted`s for every target at once."""
    series = index.codes(request["indicator"], request["region"])
    cutoff = request["cutoff"].to_numpy(dtype=np.int64)
    b_ord = request["baseline_ord"].to_numpy(dtype=np.int64)
    year_end_only = request["year_end_only"].to_numpy(dtype=bool)
    months = request["months"].to_numpy(dtype=np.int64)
    as_of = request["as_of"].to_numpy(dtype=np.int64)
    out: dict[str, object] = {}
    for name, pos in (
        ("any", index.latest(series, cutoff)),
        ("full", index.latest(series, cutoff, year_end=True)),
    ):
        ordinal = index.ordinals(pos)
        out[f"{name}_ord"] = ordinal
        out[f"{name}_value"] = index.values(pos)
        out[f"{name}_period"] = index.column("period", pos, None)
        out[f"{name}_source"] = index.column("source", pos, None)
        out[f"{name}_inconsistent"] = index.column("inconsistent", pos, False).astype(bool)
        out[f"{name}_partial"] = index.column("partial", pos, False).astype(bool)
        for suffix, back in (("m12", MONTHS_PER_YEAR), ("m1p", months), ("m2p", 2 * months)):
            out[f"{name}_{suffix}"] = _value_at(index, series, np.where(ordinal > 0, ordinal - back, MISSING))
    pos_b = index.at(series, b_ord)
    out["base_at_value"] = index.values(pos_b)
    out["base_at_period"] = index.column("period", pos_b, None)
    after = np.where(
        year_end_only, index.first_after(series, b_ord, year_end=True), index.first_after(series, b_ord)
    )
    out["after_ord"] = index.ordinals(after)
    out["after_value"] = index.values(after)
    out["after_period"] = index.column("period", after, None)
    out["prev_total"] = _value_at(index, series, request["prev_year_end"].to_numpy(dtype=np.int64))
    now = np.where(year_end_only, index.latest(series, as_of, year_end=True), index.latest(series, as_of))
    out["now_value"] = index.values(now)
    out["met_ord"] = _first_met(index, series, request)
    return pd.DataFrame(out, index=request.index)[list(FACT_COLUMNS)]


def meets(value: np.ndarray, op: np.ndarray, bound: np.ndarray) -> np.ndarray:
    """Whether each value compares with its bound by its op (NaN never meets)."""
    return _meets_coded(value, _op_codes(op), bound)


def _op_codes(op: np.ndarray) -> np.ndarray:
    """Each op as its position in MET_OPS (unknown ops as `lt`, the last)."""
    return np.select([op == name for name in MET_OPS[:-1]], range(len(MET_OPS) - 1), default=3)


def _meets_coded(value: np.ndarray, code: np.ndarray, bound: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.select(
            [code == 0, code == 1, code == 2],
            [value >= bound, value > bound, value <= bound],
            default=value < bound,
        ) & ~np.isnan(value)


def _value_at(index: SeriesIndex, series: IntArray, ordinal: IntArray) -> np.ndarray:
    return index.values(index.at(series, ordinal))


def _first_met(index: SeriesIndex, series: IntArray, request: pd.DataFrame) -> IntArray:
    """First ordinal in [baseline_ord, as_of] whose value meets the target, per target (MISSING: none).

    The index is sorted by series then ordinal, so each target's candidate values are one slice:
    the targets are expanded to (target, value) pairs by their slices, with no join.
    """
    found = np.full(len(series), MISSING, dtype=np.int64)
    if len(index.key) == 0:
        return found
    lo = np.searchsorted(index.series, series, side="left")
    hi = np.searchsorted(index.series, series, side="right")
    counts = np.where(series >= 0, hi - lo, 0)
    total = int(counts.sum())
    if total == 0:
        return found
    target = np.repeat(np.arange(len(series)), counts)
    row = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    ordinal = index.ordinal[row]
    b_ord = request["baseline_ord"].to_numpy(dtype=np.int64)[target]
    as_of = request["as_of"].to_numpy(dtype=np.int64)[target]
    year_end_only = request["year_end_only"].to_numpy(dtype=bool)[target]
    keep = (ordinal >= b_ord) & (ordinal <= as_of) & (~year_end_only | (ordinal % MONTHS_PER_YEAR == 0))
    keep &= _meets_coded(
        index.value[row],
        _op_codes(request["met_op"].to_numpy(dtype=object))[target],
        request["met_bound"].to_numpy(dtype=float)[target],
    )
    hit_target, hit_ord = target[keep], ordinal[keep]
    if len(hit_target) == 0:
        return found
    # ordinals rise within a slice, so the first hit of each target is its earliest
    first = np.ones(len(hit_target), dtype=bool)
    first[1:] = hit_target[1:] != hit_target[:-1]
    found[hit_target[first]] = hit_ord[first]
    return found
