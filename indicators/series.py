"""Observation frames and the look-ups progress needs, as sorted integer keys searched with numpy.

Every published value is keyed by (series, month): series = one (indicator, region) pair, month =
the period's end as months since year 0 (`Period.ordinal`). A quarter, its year and the month that
end together share a key, which is how the annual value and the Q4 value of a stock or of a YTD flow
are one fact. "The value at period p" and "the latest value at or before p" for 50,000 targets are
then one `np.searchsorted` over a sorted int64 array: no Python loop over targets, no join.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.model import Plan
from indicators.periods import MONTHS_PER_YEAR, Frequency, Period

OBSERVATION_COLUMNS = ("indicator", "region", "period", "value")
"""The columns every observations frame carries (one row per published value)."""

MISSING = -1
"""Position returned by a look-up that found nothing."""

_SPAN = 1 << 17  # months; larger than any ordinal (year 9999 → 120,000), so series·SPAN + month is unique

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def check_observations(observations: pd.DataFrame) -> None:
    """Refuse a frame without the observation columns, naming the missing ones."""
    missing = [c for c in OBSERVATION_COLUMNS if c not in observations.columns]
    if missing:
        raise ValueError(f"observations lack column(s): {', '.join(missing)}")


def parse_periods(periods: pd.Series) -> tuple[IntArray, IntArray]:
    """End-month ordinal and length in months of each canonical period string.

    Only the distinct strings are parsed (a national data set has ~40 of them), then broadcast.
    """
    codes, uniques = pd.factorize(periods, sort=False)
    parsed = [Period.parse(str(text)) for text in uniques]
    ordinals = np.fromiter((p.ordinal for p in parsed), dtype=np.int64, count=len(parsed))
    months = np.fromiter((p.months for p in parsed), dtype=np.int64, count=len(parsed))
    if (codes < 0).any():
        raise ValueError("observations contain a missing period")
    return ordinals[codes], months[codes]


def period_labels(ordinals: IntArray, months: IntArray) -> npt.NDArray[np.object_]:
    """Canonical period strings for (end ordinal, length) pairs; None where the ordinal is missing."""
    out = np.full(len(ordinals), None, dtype=object)
    valid = ordinals > 0
    if not valid.any():
        return out
    key = ordinals[valid].astype(np.int64) * _SPAN + months[valid]  # one int per pair: cheap to unique
    uniques, codes = np.unique(key, return_inverse=True)
    labels = np.array([_label(int(k // _SPAN), int(k % _SPAN)) for k in uniques], dtype=object)
    out[valid] = labels[codes]
    return out


def _label(ordinal: int, months: int) -> str:
    year, month0 = divmod(ordinal - 1, MONTHS_PER_YEAR)
    frequency = next((f for f in Frequency if frequency_months(f) == months), Frequency.MONTHLY)
    return str(Period(year, frequency, (month0 + 1) // frequency_months(frequency)))


def frequency_months(frequency: Frequency) -> int:
    """Length of one period of `frequency` in months (annual 12, quarterly 3, monthly 1)."""
    return Period(2000, frequency, 1).months


class SeriesIndex:
    """Published values sorted by (series, month), with vectorised look-ups by position.

    Built once per computation from an aggregated observations frame. When two rows share a key
    (an annual value and the Q4 value of the same series), the one at the indicator's own frequency
    wins, so a quarterly series reads its Q4 row and an annual series its annual row. Text columns
    are kept as codes into their distinct values: a national frame has 12M rows but ~40 periods.
    """

    def __init__(self, frame: pd.DataFrame, *, plan: Plan) -> None:
        ind_codes, ind_uniques = pd.factorize(frame["indicator"])
        reg_codes, reg_uniques = pd.factorize(frame["region"])
        self._indicators = pd.Index(sorted({*map(str, ind_uniques), *(i.code for i in plan.indicators)}))
        self._regions = pd.Index(sorted({*map(str, reg_uniques), *(r.code for r in plan.regions)}))
        ind = self._indicators.get_indexer(pd.Index(ind_uniques, dtype=object))[ind_codes]
        reg = self._regions.get_indexer(pd.Index(reg_uniques, dtype=object))[reg_codes]
        series = ind.astype(np.int64) * len(self._regions) + reg
        ordinal, months = parse_periods(frame["period"])
        native_by_code = {i.code: frequency_months(i.frequency) for i in plan.indicators}
        native = np.array([native_by_code.get(str(c), 0) for c in ind_uniques], dtype=np.int64)[ind_codes]
        key = series * _SPAN + ordinal
        order = np.argsort(key * 2 + (months != native), kind="stable")  # by key, own frequency first
        key = key[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        rows = order[first]
        self.key: IntArray = key[first]
        self.series: IntArray = series[rows]
        self.ordinal: IntArray = ordinal[rows]
        self.months: IntArray = months[rows]
        self.value: FloatArray = frame["value"].to_numpy(dtype=float)[rows]
        self._columns: dict[str, tuple[npt.NDArray[Any], npt.NDArray[Any] | None]] = {}
        for name in frame.columns.difference(["indicator", "region", "value"]):
            column = frame[name]
            if column.dtype.kind in "biuf":
                self._columns[name] = (column.to_numpy()[rows], None)
            else:
                codes, uniques = pd.factorize(column)
                self._columns[name] = (codes[rows], np.asarray(uniques, dtype=object))
        self._all_rows: IntArray = np.arange(len(self.key), dtype=np.int64)
        self._ye_rows: IntArray = np.flatnonzero(self.ordinal % MONTHS_PER_YEAR == 0).astype(np.int64)
        self._ye_keys: IntArray = self.key[self._ye_rows]

    def codes(self, indicator: Iterable[str] | pd.Series, region: Iterable[str] | pd.Series) -> IntArray:
        """Series number of each (indicator, region) pair; MISSING for a code this index never saw."""
        ind = self._indicators.get_indexer(pd.Index(np.asarray(indicator, dtype=object)))
        reg = self._regions.get_indexer(pd.Index(np.asarray(region, dtype=object)))
        codes = ind.astype(np.int64) * len(self._regions) + reg
        codes[(ind < 0) | (reg < 0)] = MISSING
        return codes

    def latest(self, series: IntArray, ordinal: IntArray, *, year_end: bool = False) -> IntArray:
        """Position of each series' latest value ending at or before `ordinal` (MISSING if none).

        With `year_end`, only values that end a year count (the full-year total of a YTD flow).
        """
        keys, rows = (self._ye_keys, self._ye_rows) if year_end else (self.key, self._all_rows)
        if len(keys) == 0:
            return np.full(len(series), MISSING, dtype=np.int64)
        pos = np.searchsorted(keys, series * _SPAN + ordinal, side="right") - 1
        found = (pos >= 0) & (series >= 0)
        picked = rows[np.where(found, pos, 0)]
        found &= self.series[picked] == series
        return np.where(found, picked, MISSING)

    def at(self, series: IntArray, ordinal: IntArray) -> IntArray:
        """Position of the value of each series at exactly `ordinal` (MISSING if none)."""
        if len(self.key) == 0:
            return np.full(len(series), MISSING, dtype=np.int64)
        query = series * _SPAN + ordinal
        pos = np.minimum(np.searchsorted(self.key, query, side="left"), len(self.key) - 1)
        found = (series >= 0) & (ordinal > 0) & (self.key[pos] == query)
        return np.where(found, pos, MISSING)

    def first_after(self, series: IntArray, ordinal: IntArray, *, year_end: bool = False) -> IntArray:
        """Position of each series' earliest value ending after `ordinal` (MISSING if none).

        With `year_end`, only values that end a year count (the full-year total of a YTD flow).
        """
        keys, rows = (self._ye_keys, self._ye_rows) if year_end else (self.key, self._all_rows)
        if len(keys) == 0:
            return np.full(len(series), MISSING, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, series * _SPAN + ordinal, side="right"), len(keys) - 1)
        picked = rows[pos]
        found = (series >= 0) & (self.series[picked] == series) & (self.ordinal[picked] > ordinal)
        return np.where(found, picked, MISSING)

    def values(self, pos: IntArray) -> FloatArray:
        """Values at positions; NaN where the position is MISSING."""
        return take(self.value, pos, np.nan)

    def ordinals(self, pos: IntArray) -> IntArray:
        """End-month ordinals at positions; MISSING where the position is MISSING."""
        return take(self.ordinal, pos, MISSING)

    def column(self, name: str, pos: IntArray, fill: Any) -> npt.NDArray[Any]:
        """Another column of the indexed frame (period, source, flags) at positions, `fill` where MISSING."""
        if name not in self._columns:  # e.g. a pre-aggregated frame without the flag columns
            return np.full(len(pos), fill, dtype=object if fill is None else type(fill))
        values, uniques = self._columns[name]
        if uniques is None:
            return take(values, pos, fill)
        codes = take(values, pos, MISSING)
        return np.where(codes >= 0, uniques[np.maximum(codes, 0)] if len(uniques) else fill, fill)


def take(array: npt.NDArray[Any], pos: IntArray, fill: Any) -> npt.NDArray[Any]:
    """`array[pos]` with `fill` where pos is MISSING (upcasting ints to float for a NaN fill)."""
    if len(array) == 0:
        return np.full(len(pos), fill, dtype=object if not isinstance(fill, float | int) else type(fill))
    picked = array[np.where(pos >= 0, pos, 0)]
    if isinstance(fill, float) and picked.dtype.kind in "iub":
        picked = picked.astype(float)
    elif fill is None and picked.dtype != object:
        picked = picked.astype(object)
    return np.where(pos >= 0, picked, fill)
