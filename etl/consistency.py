"""Warnings: values that are readable but implausible next to their neighbours, checked set-wise.

The upload's values are laid over what is published (the file wins for the keys it carries), and
each check is a hash lookup in that combined table by one int64 key (indicator, region, ordinal):
- large-change: stocks and rates against the previous period, flows (year-to-date) against the same
  period last year, when |new − old| / |old| exceeds the indicator's `change_warning` (old ≠ 0);
  when that period is not there (a gap in the series, inside the file or against what is published),
  a stock, rate or annual value against the nearest earlier value of its series, when it moved by
  an order of magnitude (`MAGNITUDE_JUMP`: ×10 or ÷10), so 20 → 23,000 never passes unflagged;
- stock-decreased: a stock below its previous period;
- ytd-decreased: a year-to-date flow below the previous period of the same year;
- revision: a value that differs from the one published for the same key (old and new shown);
- city-sum-mismatch: for `aggregation = sum`, a parent's reported value against the sum of its
  children once every child is present (zones never count), beyond `thresholds.inconsistency` of
  the reported value; `old` is the reported value, `new` the children's sum, and the warning sits
  on the parent's row when the file has it, else on the file's first child row.
`old`/`new` of the other warnings: the value compared with, and the file's value.
Only keys the file carries are warned about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from etl.messages import issue, number_text
from etl.normalise import ORDINAL_SPAN, Normalised, key_of
from etl.report import ErrorCode, IssueList, RowIssue
from etl.text import map_pairs
from indicators.model import Aggregation, Measure, Plan
from indicators.periods import MONTHS_PER_YEAR, Period
from indicators.series import frequency_months

PERCENT = 100
NO_ORDINAL = -1
MAGNITUDE_JUMP = 10.0  # across a gap, only a change by this factor is implausible on its face
_RELATIVE_TOLERANCE = 1e-9  # the same number sent again through a unit conversion is not a revision


def check_consistency(
    values: pd.DataFrame, published: pd.DataFrame | None, norm: Normalised, plan: Plan, out: IssueList
) -> None:
    """Add every warning about the upload's valid `values` to `out`."""
    if values.empty:
        return
    n_regions = len(plan.regions)
    file = values  # read by position only: a reset_index would copy every column of every row
    ind, reg = file["indicator_no"].to_numpy(np.int64), file["region_no"].to_numpy(np.int64)
    ordinal, new = file["period_ordinal"].to_numpy(np.int64), file["value"].to_numpy(np.float64)
    pub = _published(published, plan)
    file_keys = key_of(ind, reg, ordinal, n_regions)
    pub_keys = key_of(
        pub["indicator_no"].to_numpy(), pub["region_no"].to_numpy(), pub["ordinal"].to_numpy(), n_regions
    )
    # pub_keys is usually small (or empty); hashing the file's keys for it is only needed then
    pub_only = _Keys(file_keys).positions(pub_keys) < 0 if len(pub_keys) else np.zeros(0, dtype=bool)
    if pub_only.any():
        index = _Keys(np.concatenate([file_keys, pub_keys[pub_only]]))
        all_values = np.concatenate([new, pub["value"].to_numpy(np.float64)[pub_only]])
        all_periods = np.concatenate(
            [file["period"].to_numpy(object), pub["period"].to_numpy(object)[pub_only]]
        )
    else:  # the combined table is the file's: its arrays as they are, not copies
        index, all_values, all_periods = _Keys(file_keys), new, file["period"].to_numpy(object)
    # periods are kept as positions in `all_periods` (-1: none) and looked up for warned rows only

    def period_at(pos: int) -> object:
        return all_periods[pos] if pos >= 0 else None

    def before(months_back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Value and position of the value `months_back` months before each file value."""
        pos = index.positions(key_of(ind, reg, ordinal - months_back, n_regions))
        return _take(all_values, pos), pos

    attrs = plan.indicators
    is_flow = np.array([i.measure is Measure.FLOW for i in attrs], dtype=bool)[ind]
    is_stock = np.array([i.measure is Measure.STOCK for i in attrs], dtype=bool)[ind]
    # per indicator, taken per row only as temporaries (each full-length array is 80 MB at 10^7)
    months_of = np.array([frequency_months(i.frequency) for i in attrs], dtype=np.int64)
    limit_of = np.array([i.change_warning for i in attrs], dtype=np.float64)
    previous, previous_pos = before(months_of[ind])
    last_year, last_year_pos = before(np.full(len(file), MONTHS_PER_YEAR, dtype=np.int64))
    base = np.where(is_flow, last_year, previous)
    base_pos = np.where(is_flow, last_year_pos, previous_pos)
    del last_year, last_year_pos
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (new - base) / np.abs(base)
    emit = _Emitter(file, norm, plan, out)

    def change_fields(i: int) -> dict[str, object]:
        return {
            "basis_zh": "上年同期" if is_flow[i] else "上期",
            "basis": "the same period last year" if is_flow[i] else "the previous period",
            "direction_zh": "增长" if change[i] > 0 else "下降",
            "direction": "up" if change[i] > 0 else "down",
            "pct": f"{abs(change[i]) * PERCENT:.1f}",
            "threshold": f"{limit_of[ind[i]] * PERCENT:g}",
            "base_period": period_at(int(base_pos[i])),
            "old": number_text(base[i]),
        }

    def fell_fields(i: int) -> dict[str, object]:
        return {"base_period": period_at(int(previous_pos[i])), "old": number_text(previous[i])}

    large = ~np.isnan(base) & (base != 0) & (np.abs(change) > limit_of[ind])
    gap_base, gap_pos = _nearest_earlier(index, all_values, file_keys)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.abs(new / gap_base)
    gap = np.isnan(base) & ~(is_flow & (months_of[ind] < MONTHS_PER_YEAR)) & (gap_base > 0)
    gap &= (factor >= MAGNITUDE_JUMP) | (factor <= 1 / MAGNITUDE_JUMP)
    del factor
    np.copyto(base, gap_base, where=gap)  # in place: the arrays the field functions read
    np.copyto(base_pos, gap_pos, where=gap)
    del gap_base, gap_pos
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(np.subtract(new, base, out=change), np.abs(base), out=change)

    def gap_fields(i: int) -> dict[str, object]:
        if not gap[i]:
            return change_fields(i)
        return change_fields(i) | {"basis_zh": "最近一期", "basis": "the nearest earlier period"}

    emit(ErrorCode.LARGE_CHANGE, large | gap, base, gap_fields)
    del large
    emit(ErrorCode.STOCK_DECREASED, is_stock & (new < previous), previous, fell_fields)
    end_month = (ordinal - 1) % MONTHS_PER_YEAR + 1
    ytd = is_flow & (end_month > months_of[ind]) & (new < previous)
    del end_month
    emit(ErrorCode.YTD_DECREASED, ytd, previous, fell_fields)
    del ytd
    if len(pub_keys):
        old = _take(pub["value"].to_numpy(np.float64), pd.Index(pub_keys).get_indexer(file_keys))
        revised = ~np.isnan(old) & ~np.isclose(new, old, rtol=_RELATIVE_TOLERANCE, atol=0.0)
        emit(
            ErrorCode.REVISION,
            revised,
            old,
            lambda i: {"old": number_text(old[i]), "new": number_text(new[i])},
        )
    _sums(index, all_values, all_periods, file_keys, plan, emit)


class _Keys:
    """Unique int64 keys with position lookups by binary search over one sorted copy.

    What `pd.Index.get_indexer` answers, without its hash table (at 10^7 keys about 0.5 GB of
    buckets, the largest allocation of the checks); the sort also serves `_nearest_earlier`.
    """

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        order = np.argsort(keys, kind="stable")
        self.order = order.astype(np.int32) if len(keys) < np.iinfo(np.int32).max else order
        del order
        self.ordered = keys[self.order]

    def positions(self, wanted: np.ndarray) -> np.ndarray:
        """The position in `keys` of each wanted key, -1 where it is not there."""
        if not len(self.keys):
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.ordered, wanted), len(self.keys) - 1)
        return np.where(self.ordered[at] == wanted, self.order[at], -1)


def _nearest_earlier(keys: _Keys, values: np.ndarray, file_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and position of the latest earlier key of the same series (NaN/-1 when there is none)."""
    order, ordered = keys.order, keys.ordered
    pos = np.searchsorted(ordered, file_keys, side="left") - 1
    same = (pos >= 0) & (ordered[np.maximum(pos, 0)] // ORDINAL_SPAN == file_keys // ORDINAL_SPAN)
    found = np.where(same, order[np.maximum(pos, 0)], -1)
    return _take(values, found), found


def _take(values: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """`values[pos]`, with NaN (numbers) or None (objects) where `pos` is -1 (not found)."""
    hit = pos >= 0
    taken = np.full(len(pos), np.nan if values.dtype.kind == "f" else None, dtype=values.dtype)
    taken[hit] = values[pos[hit]]
    return taken


class _Emitter:
    """Turns a mask over the file's values into located warnings (the issue list caps how many)."""

    def __init__(self, file: pd.DataFrame, norm: Normalised, plan: Plan, out: IssueList) -> None:
        self.norm, self.plan, self.out = norm, plan, out
        self.sheet_no = file["sheet_no"].to_numpy(np.int64)
        self.row = file["row"].to_numpy(np.int64)
        self.column = file["column"]  # read for the few warned rows only: a million texts otherwise
        self.value = file["value"].to_numpy(np.float64)
        self.indicator_no = file["indicator_no"].to_numpy(np.int64)

    def __call__(
        self,
        code: ErrorCode,
        mask: np.ndarray,
        old: np.ndarray,
        fields: Callable[[int], Mapping[str, object]],
    ) -> None:
        chosen = np.flatnonzero(mask).tolist()
        self.out.add(code, (self.one(code, i, float(old[i]), fields(i)) for i in chosen), len(chosen))

    def one(
        self, code: ErrorCode, i: int, old: float, fields: Mapping[str, object], new: float | None = None
    ) -> RowIssue:
        """The warning for the file's i-th value (`new` defaults to that value)."""
        value = float(self.value[i])
        return issue(
            code,
            sheet=self.norm.extracts[int(self.sheet_no[i])].sheet,
            row=int(self.row[i]),
            column=str(self.column.iat[i]),
            value=number_text(value),
            old=old,
            new=value if new is None else new,
            fields={"indicator": self.plan.indicators[int(self.indicator_no[i])].name, **fields},
        )


def _published(published: pd.DataFrame | None, plan: Plan) -> pd.DataFrame:
    """Published values keyed like the file's: catalog numbers and ordinals, at the indicator's frequency."""
    columns = ["indicator_no", "region_no", "ordinal", "period", "value"]
    if published is None or published.empty:
        empty = {c: np.zeros(0, dtype=np.int64) for c in columns[:3]}
        return pd.DataFrame({**empty, "period": np.zeros(0, dtype=object), "value": np.zeros(0)})
    frame = published.dropna(subset=["value"])
    indicator_no = pd.Index([i.code for i in plan.indicators]).get_indexer(frame["indicator"])
    region_no = pd.Index([r.code for r in plan.regions]).get_indexer(frame["region"])

    def ordinal_of(number: int, text: Any) -> tuple[int]:
        try:
            period = Period.parse(str(text))
        except ValueError:
            return (NO_ORDINAL,)
        fits = number >= 0 and period.frequency is plan.indicators[number].frequency
        return (period.ordinal if fits else NO_ORDINAL,)

    (ordinal,) = map_pairs(indicator_no, frame["period"], ordinal_of, 1)
    result = pd.DataFrame(
        {
            "indicator_no": indicator_no.astype(np.int64),
            "region_no": region_no.astype(np.int64),
            "ordinal": ordinal.astype(np.int64),
            "period": frame["period"].to_numpy(object),
            "value": frame["value"].to_numpy(np.float64),
        }
    )
    usable = (result["indicator_no"] >= 0) & (result["region_no"] >= 0) & (result["ordinal"] != NO_ORDINAL)
    return result.loc[usable].drop_duplicates(columns[:3], keep="last").reset_index(drop=True)


def _sums(
    index: _Keys,
    values: np.ndarray,
    periods: np.ndarray,
    file_keys: np.ndarray,
    plan: Plan,
    emit: _Emitter,
) -> None:
    """Parent's reported value vs the sum of its children, for every group the file touches."""
    n_regions = len(plan.regions)
    keys = index.keys
    region_no = {r.code: n for n, r in enumerate(plan.regions)}
    # parent_no[child] = its parent's number when it counts into a sum, else -1 (zones, the province)
    parent_no = np.array([region_no[r.parent] if r.parent and r.summable else -1 for r in plan.regions])
    summed = np.array([i.aggregation is Aggregation.SUM for i in plan.indicators])
    expected = np.zeros((len(plan.indicators), n_regions), dtype=np.int64)
    for n, indicator in enumerate(plan.indicators):
        for kid, parent in enumerate(parent_no.tolist()):
            if parent >= 0 and plan.regions[kid].level in indicator.levels:
                expected[n, parent] += 1
    pair, ordinal = np.divmod(keys, ORDINAL_SPAN)
    ind, reg = np.divmod(pair, n_regions)
    del pair
    child = summed[ind] & (parent_no[reg] >= 0)
    group_keys = key_of(ind[child], parent_no[reg[child]], ordinal[child], n_regions)
    groups, inverse = np.unique(group_keys, return_inverse=True)
    total = np.bincount(inverse, weights=values[child], minlength=len(groups))
    count = np.bincount(inverse, minlength=len(groups))
    g_pair, g_ordinal = np.divmod(groups, ORDINAL_SPAN)
    g_ind, g_parent = np.divmod(g_pair, n_regions)
    pos = index.positions(groups)
    reported = _take(values, pos)
    off = (count == expected[g_ind, g_parent]) & (pos >= 0)
    off &= np.abs(total - reported) > plan.thresholds.inconsistency * np.abs(reported)
    if not off.any():
        return
    # where to report: the parent's own row in the file, else the first of its children there
    f_pair, f_ordinal = np.divmod(file_keys, ORDINAL_SPAN)
    f_ind, f_reg = np.divmod(f_pair, n_regions)
    as_child = key_of(f_ind, np.maximum(parent_no[f_reg], 0), f_ordinal, n_regions)
    as_child[parent_no[f_reg] < 0] = -1
    flagged = pd.Index(groups[off])
    at_parent, at_child = flagged.get_indexer(file_keys), flagged.get_indexer(as_child)
    places = _first_rows(at_child) | _first_rows(at_parent)  # the parent's own row wins
    chosen = np.flatnonzero(off)
    code = ErrorCode.CITY_SUM_MISMATCH

    def fields(g: int) -> dict[str, object]:
        return {
            "period": periods[pos[g]],
            "region": plan.regions[int(g_parent[g])].name,
            "reported": number_text(float(reported[g])),
            "total": number_text(float(total[g])),
            "pct": f"{abs(total[g] - reported[g]) / (abs(reported[g]) or 1) * PERCENT:.1f}",
            "threshold": f"{plan.thresholds.inconsistency * PERCENT:g}",
        }

    located = sorted((row, int(chosen[k])) for k, row in places.items())
    items = (emit.one(code, row, float(reported[g]), fields(g), new=float(total[g])) for row, g in located)
    emit.out.add(code, items, len(located))


def _first_rows(hits: np.ndarray) -> dict[int, int]:
    """For each group hit (-1: none), the first file row that hits it."""
    rows = np.flatnonzero(hits >= 0)
    groups, first = np.unique(hits[rows], return_index=True)
    return dict(zip(groups.tolist(), rows[first].tolist(), strict=True))
