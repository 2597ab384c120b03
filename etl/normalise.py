"""Normalisation: raw records of every sheet → catalog codes, canonical periods, values in catalog units.

Vectorised: each distinct region, indicator, period and (indicator, unit) pair is interpreted once
(`etl.text.map_unique`/`map_pairs`) and broadcast back by integer codes; no Python loop runs over rows.
A value that cannot be interpreted is kept with a flag (None code, NaN factor …): `etl.validation`
turns the flags into located issues. Missing values are dropped here and only counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from etl.layouts import RECORD_COLUMNS, Extract
from etl.lookup import Lexicon
from etl.numbers import parse_numbers
from etl.periods import parse_period, resolve
from etl.text import cell_text, frame_of, map_pairs, map_unique, map_unique_many
from indicators.plausibility import PeriodWindow, plausible_maximum
from indicators.units import conversion

NO_ORDINAL = -1
UNKNOWN = -1  # indicator_no / region_no of a text the catalog does not know
ORDINAL_SPAN = 1 << 20  # period ordinals (year × 12 + month) stay far below this


class PeriodStatus:
    OK = "ok"
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    MISMATCH = "mismatch"
    IMPLAUSIBLE = "implausible"  # outside the plan's plausible window (indicators.plausibility)


@dataclass(frozen=True, slots=True)
class Normalised:
    """Every non-missing value of the upload with its interpretation and flags, one row each."""

    frame: pd.DataFrame
    extracts: tuple[Extract, ...]
    missing: int
    window: PeriodWindow | None = None


def normalise(
    extracts: tuple[Extract, ...], lexicon: Lexicon, window: PeriodWindow | None = None
) -> Normalised:
    """Interpret the records of all sheets at once; periods outside `window` are flagged implausible."""
    records = _concat(extracts)
    numbers = parse_numbers(records["value"])
    keep = ~numbers.missing
    # without a missing value the records are taken as they are (a mask would copy every column)
    every = bool(keep.all())
    records = records.reset_index(drop=True) if every else records.loc[keep].reset_index(drop=True)

    def kept(values: np.ndarray) -> np.ndarray:
        return values if every else values[keep]

    plan = lexicon.plan
    indicators, regions = plan.indicators, plan.regions
    indicator_no_of = {i.code: n for n, i in enumerate(indicators)}
    region_no_of = {r.code: n for n, r in enumerate(regions)}

    def indicator_of(raw: Any) -> tuple[int, str]:
        match = lexicon.indicator(cell_text(raw))
        return indicator_no_of.get(match.code or "", UNKNOWN), match.unit

    def region_of(raw: Any) -> tuple[int]:
        return (region_no_of.get(lexicon.region(cell_text(raw)) or "", UNKNOWN),)

    indicator_no, bracket_unit = map_unique_many(records["indicator"], indicator_of, 2)
    (region_no,) = map_unique_many(records["region"], region_of, 1)

    def fit_period(number: int, raw: Any) -> tuple[str | None, int, str]:
        text = cell_text(raw)
        parsed = parse_period(text)
        if not text:
            return None, NO_ORDINAL, PeriodStatus.EMPTY
        if parsed is None:
            return None, NO_ORDINAL, PeriodStatus.UNREADABLE
        if number == UNKNOWN:
            return None, NO_ORDINAL, PeriodStatus.OK
        found = resolve(parsed, indicators[number].frequency, indicators[number].measure)
        if found is None:
            return None, NO_ORDINAL, PeriodStatus.MISMATCH
        if window is not None and not window.contains(found):
            return str(found), NO_ORDINAL, PeriodStatus.IMPLAUSIBLE
        return str(found), found.ordinal, PeriodStatus.OK

    period, ordinal, period_status = map_pairs(indicator_no, records["period"], fit_period, 3)
    written = _written_unit(records, bracket_unit, kept(numbers.suffix))

    def factor_of(number: int, unit: Any) -> tuple[float]:
        if number == UNKNOWN:
            return (math.nan,)
        factor = conversion(unit or "", indicators[number].unit).factor
        return (math.nan if factor is None else factor,)

    def allowed(number: int, region: int) -> tuple[bool]:
        if UNKNOWN in (number, region):
            return (True,)
        return (regions[region].level in indicators[number].levels,)

    (factor,) = map_pairs(indicator_no, written, factor_of, 1)
    (region_allowed,) = map_pairs(indicator_no, region_no, allowed, 1)
    value = _convert(kept(numbers.number), factor.astype(np.float64, copy=False))
    is_count = np.array([i.is_count for i in indicators] + [False])[indicator_no]
    maximum = np.array([plausible_maximum(i.unit) for i in indicators] + [np.inf])[indicator_no]
    codes = np.array([i.code for i in indicators] + [None], dtype=object)
    region_codes = np.array([r.code for r in regions] + [None], dtype=object)
    columns: dict[str, Any] = {
        "sheet_no": records["sheet_no"].to_numpy(np.int64),
        "row": records["row"].to_numpy(np.int64),
        "column": records["column"],
        "indicator_raw": records["indicator"],
        "region_raw": records["region"],
        "period_raw": records["period"],
        "value_raw": records["value"],
        "unit_written": _objects(written),
        "note": records["note"],
        "indicator_no": indicator_no.astype(np.int64, copy=False),
        "region_no": region_no.astype(np.int64, copy=False),
        "indicator": _objects(codes[indicator_no]),
        "region": _objects(region_codes[region_no]),
        "period": _objects(period),
        "period_ordinal": ordinal.astype(np.int64, copy=False),
        "period_status": _objects(period_status),
        "factor": factor.astype(np.float64, copy=False),
        "value": value,
        "invalid_value": kept(numbers.invalid),
        "negative_count": is_count & (value < 0),
        "implausible_value": np.abs(value) > maximum,
        "value_maximum": maximum,
        "cell_problem": _objects(kept(numbers.problem)),
        "region_allowed": region_allowed.astype(bool, copy=False),
    }
    # the arrays are this call's own: wrapped without the copy pandas 3's Series constructor makes
    frame = frame_of(
        {k: v if isinstance(v, pd.Series) else pd.Series(v, copy=False) for k, v in columns.items()}
    )
    return Normalised(frame, extracts, int(numbers.missing.sum()), window)


def key_of(indicator_no: np.ndarray, region_no: np.ndarray, ordinal: np.ndarray, regions: int) -> np.ndarray:
    """One int64 per (indicator, region, period ordinal): lookups become hash-index joins on integers."""
    return (indicator_no.astype(np.int64) * regions + region_no) * ORDINAL_SPAN + ordinal


def _convert(number: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Apply unit factors; a factor below 1 that is 1/n divides by n, so 12,345 万元 is 1.2345 亿元 exactly
    (multiplying by 0.0001 would give 1.2345000000000002)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        divisor = np.round(1.0 / factor)
        exact = (factor < 1) & (divisor > 0) & np.isclose(1.0 / factor, divisor, rtol=1e-9, atol=0.0)
        return np.where(exact, number / np.where(exact, divisor, 1.0), number * factor)


def _objects(values: np.ndarray) -> pd.Series:
    """An object column, so that None stays None (pandas 3 would infer `str` and turn it into NaN)."""
    return pd.Series(values, dtype=object, copy=False)


def _concat(extracts: tuple[Extract, ...]) -> pd.DataFrame:
    frames = [e.records.assign(sheet_no=i) for i, e in enumerate(extracts)]
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=object) for name in (*RECORD_COLUMNS, "sheet_no")})
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _written_unit(records: pd.DataFrame, bracket: np.ndarray, suffix: np.ndarray) -> np.ndarray:
    """The unit each value was written in: unit column, else `(万元)` in the header, else `%` after
    the number, else a sheet-wide `单位：万元`; '' means the catalog unit."""
    column = map_unique(records["unit"], cell_text)
    default = map_unique(records["default_unit"], cell_text)
    return np.where(
        column != "", column, np.where(bracket != "", bracket, np.where(suffix != "", suffix, default))
    )
