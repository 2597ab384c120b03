"""Progress of every numeric target: completion, 序时进度, status, trend and projection, in one pass.

Pure: takes the plan, the published values and an as-of period; reads no clock, file or database.
`compute_progress` returns one row per numeric target as a DataFrame (what the service, the brief and
the dashboard tabulate); `target_progress` and `progress_records` turn rows into frozen
`TargetProgress` records. Both come from the same vectorised code, so they cannot disagree.

Milestones (targets without a number, e.g. 培育形成一批网络安全骨干企业) are not in the frame: they
have nothing to compute and are tracked by the departments' progress notes.

The rules are DESIGN.md's "Progress methodology", explained to users in docs/methodology.md; the
schedule (current value, baseline, E) lives in `indicators.schedule`, trend and projection in
`indicators.trend`, the wording in `indicators.explain`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from indicators import schedule, trend
from indicators.aggregate import aggregate_regions
from indicators.explain import explain_progress
from indicators.facts import FACT_COLUMNS, FactsRequest, facts_from_index
from indicators.model import Plan, Target, Thresholds
from indicators.periods import Period
from indicators.series import SeriesIndex, check_observations, parse_periods
from indicators.trend import TREND_LABELS, Trend

__all__ = [
    "FLAG_LABELS",
    "PROGRESS_COLUMNS",
    "STATUS_LABELS",
    "TREND_LABELS",
    "Flag",
    "Status",
    "TargetProgress",
    "Trend",
    "compute_progress",
    "facts_request",
    "progress_from_facts",
    "progress_records",
    "target_progress",
]


class Status(StrEnum):
    """Status of a target; the order is the order of the rules (first match wins)."""

    NO_DATA = "no_data"
    ACHIEVED = "achieved"
    MISSED = "missed"
    AWAITING_FINAL = "awaiting_final"
    AHEAD = "ahead"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    SEVERELY_BEHIND = "severely_behind"


STATUS_LABELS: dict[str, tuple[str, str]] = {
    Status.NO_DATA: ("无数据", "No data"),
    Status.ACHIEVED: ("已完成", "Achieved"),
    Status.MISSED: ("未完成", "Missed"),
    Status.AWAITING_FINAL: ("待期末数据", "Awaiting final data"),
    Status.AHEAD: ("超前", "Ahead of schedule"),
    Status.ON_TRACK: ("正常", "On track"),
    Status.BEHIND: ("滞后", "Behind schedule"),
    Status.SEVERELY_BEHIND: ("严重滞后", "Severely behind schedule"),
}
"""Status code → (Chinese, English) label."""

FINAL_STATUSES = (Status.ACHIEVED.value, Status.MISSED.value)
"""Statuses that are a verdict once the deadline has passed (they need the deadline period's data)."""


class Flag(StrEnum):
    """Caveats on a row's numbers; none of them changes the status, all of them are shown."""

    INCONSISTENT = "inconsistent"
    PARTIAL = "partial"
    STALE = "stale"
    BASELINE_FALLBACK = "baseline_fallback"
    LINEAR_FALLBACK = "linear_fallback"
    SEASONAL_FALLBACK = "seasonal_fallback"
    MET_AFTER_DEADLINE = "met_after_deadline"


FLAG_LABELS: dict[str, tuple[str, str]] = {
    Flag.INCONSISTENT: ("省报数与下级合计相差超过阈值", "Reported total differs from the sum of its parts"),
    Flag.PARTIAL: ("合计值缺少部分下级地区", "Sum misses some of the regions below"),
    Flag.STALE: ("最新一期未报送，使用较早数据", "Latest period not reported; an earlier value is used"),
    Flag.BASELINE_FALLBACK: (
        "基期无数据，以基期后首个数据为基期",
        "No baseline value; the first value after the baseline period is used",
    ),
    Flag.LINEAR_FALLBACK: ("几何路径无法计算，改用线性", "Geometric path undefined; linear used"),
    Flag.SEASONAL_FALLBACK: (
        "缺上年同期数据，季节路径改用线性",
        "No seasonal shape from last year; linear used",
    ),
    Flag.MET_AFTER_DEADLINE: ("期限后已达到目标", "Target met after its deadline"),
}
"""Flag code → (Chinese, English) label."""

PROGRESS_COLUMNS = (
    "target_id", "indicator", "region", "year", "comparator", "trajectory", "basis",
    "target", "baseline", "baseline_period", "current", "current_period", "source",
    "expected", "elapsed", "completion", "expected_completion", "schedule_gap_pp", "gap_closed",
    "progress_ratio", "status", "rule", "trend", "trend_ratio", "observed_growth", "required_growth",
    "projected", "projected_year", "growth_needed_per_quarter", "yoy", "qoq",
    "explanation_zh", "explanation_en", "flags", "as_of",
    "provisional_status", "final", "margin", "first_met_period", "baseline_rule", "trend_method",
    "observed_change", "required_change", "provisional_rule", "baseline_period_planned",
    "deadline_period",
)  # fmt: skip
"""Columns of `compute_progress`' frame, in order."""


@dataclass(frozen=True, slots=True)
class TargetProgress:
    """One target's progress; numbers are None where they cannot be computed."""

    target_id: str
    indicator: str
    region: str
    year: int
    comparator: str
    trajectory: str
    basis: str
    target: float
    baseline: float | None
    baseline_period: str | None
    current: float | None
    current_period: str | None
    source: str | None
    expected: float | None
    elapsed: float | None
    completion: float | None
    expected_completion: float | None
    schedule_gap_pp: float | None
    gap_closed: float | None
    progress_ratio: float | None
    status: str
    trend: str | None
    trend_ratio: float | None
    observed_growth: float | None
    required_growth: float | None
    projected: float | None
    projected_year: int | None
    growth_needed_per_quarter: float | None
    yoy: float | None
    qoq: float | None
    explanation_zh: str
    explanation_en: str
    flags: tuple[str, ...]
    as_of: str | None
    provisional_status: str | None
    final: bool
    margin: float | None
    first_met_period: str | None
    baseline_rule: str | None
    trend_method: str | None
    observed_change: float | None
    required_change: float | None
    provisional_rule: str | None
    baseline_period_planned: str | None
    deadline_period: str | None


def compute_progress(
    *,
    plan: Plan,
    observations: pd.DataFrame,
    as_of: str | Period | None = None,
    targets: Sequence[Target] | None = None,
    explain: bool = True,
) -> pd.DataFrame:
    """Progress of the plan's numeric targets (or of `targets`) as of a period, one row per target.

    `observations`: current published values, columns `indicator, region, period, value` (raw: region
    totals are added by `aggregate_regions`), or a frame that already went through it (has `source`).
    `as_of`: the period to judge at; None = the latest period with data. Columns: PROGRESS_COLUMNS.
    `explain=False` leaves the explanation columns None: rendering text is the costliest step at
    national scale, and `explain_progress` can fill them for just the rows that are shown.
    """
    check_observations(observations)
    frame = (
        observations
        if "source" in observations.columns
        else aggregate_regions(plan=plan, observations=observations)
    )
    as_of_period = _resolve_as_of(as_of, frame)
    request = facts_request(plan=plan, as_of=as_of_period, targets=targets)
    facts = facts_from_index(SeriesIndex(frame, plan=plan), request.targets)
    return progress_from_facts(plan=plan, request=request, facts=facts, explain=explain)


def facts_request(
    *, plan: Plan, as_of: str | Period | None, targets: Sequence[Target] | None = None
) -> FactsRequest:
    """What the engine needs to know about each numeric target's series (`indicators.facts`).

    One row per numeric target (plan order, or `targets`' order): the target's own columns and the
    request's (`facts.REQUEST_COLUMNS`), for the as-of period (None: there are no data). The
    service hands it to the database, which answers it in SQL; `compute_progress` answers it from
    values in memory. Either way `progress_from_facts` then does every formula on the answer.
    """
    t = _target_frame(plan.numeric_targets if targets is None else targets)
    schedule.add_indicator_attributes(t, plan)
    as_of_period = Period.of(as_of) if as_of is not None else None
    request = schedule.request(t, as_of=as_of_period.ordinal if as_of_period else 0, plan=plan)
    for name in request.columns.difference(t.columns):
        t[name] = request[name].to_numpy()
    return FactsRequest(targets=t, as_of=as_of_period)


def progress_from_facts(
    *, plan: Plan, request: FactsRequest, facts: pd.DataFrame, explain: bool = True
) -> pd.DataFrame:
    """Progress of the targets of a `facts_request` from the facts answering it (same rows, same order).

    Columns: PROGRESS_COLUMNS, as `compute_progress`.
    """
    if len(facts) != len(request.targets):
        raise ValueError(f"{len(facts)} rows of facts for {len(request.targets)} targets")
    as_of_ord = request.as_of.ordinal if request.as_of else 0
    t = request.targets.copy()
    for name in FACT_COLUMNS:
        t[name] = facts[name].to_numpy()
    schedule.locate(t, plan=plan)
    schedule.expected(t)
    schedule.ratios(t)
    _judge(t, plan.thresholds, as_of_ord)
    trend.add_trend(t, plan.thresholds)
    _settle(t)
    schedule.changes(t)
    schedule.met_after_deadline(t, as_of=as_of_ord)
    schedule.first_met(t)
    t["flags"] = _flags(t)
    t["as_of"] = str(request.as_of) if request.as_of else None
    t["explanation_zh"], t["explanation_en"] = None, None
    out = t[list(PROGRESS_COLUMNS)].reset_index(drop=True)
    return explain_progress(out, thresholds=plan.thresholds) if explain else out


def target_progress(
    *,
    plan: Plan,
    observations: pd.DataFrame,
    target: Target | str,
    as_of: str | Period | None = None,
) -> TargetProgress:
    """Progress of one target (by object or id, e.g. `base_stations_5g@140000:2022`)."""
    chosen = plan.target(target) if isinstance(target, str) else target
    if chosen.is_milestone:
        raise ValueError(f"{chosen.id} is a milestone: it has no number to compute progress on")
    frame = compute_progress(plan=plan, observations=observations, as_of=as_of, targets=[chosen])
    return progress_records(frame)[0]


def progress_records(frame: pd.DataFrame) -> tuple[TargetProgress, ...]:
    """Rows of a `compute_progress` frame as frozen records (NaN → None, numpy → Python types)."""
    names = [f.name for f in fields(TargetProgress)]
    return tuple(
        TargetProgress(**{n: _plain(n, v) for n, v in zip(names, row, strict=True)})
        for row in frame[names].itertuples(index=False)
    )


def _plain(name: str, value: Any) -> Any:
    if name == "flags":
        return tuple(value)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if name in ("year", "projected_year"):
        return int(value)
    if name == "final":
        return bool(value)
    return value


def _resolve_as_of(as_of: str | Period | None, frame: pd.DataFrame) -> Period | None:
    if as_of is not None:
        return Period.of(as_of)
    if frame.empty:
        return None
    periods = pd.Series(frame["period"].unique())
    ordinal, months = parse_periods(periods)
    latest = np.lexsort((months, -ordinal))[0]  # latest end; of equal ends the shortest (2024Q4, not 2024)
    return Period.parse(str(periods.iloc[latest]))


def _target_frame(targets: Sequence[Target]) -> pd.DataFrame:
    """Numeric targets as columns (the only per-target Python step: reading the plan's records)."""
    rows = [
        (
            t.indicator,
            t.region,
            t.year,
            str(t.comparator),
            t.value,
            str(t.trajectory),
            t.baseline_value,
            t.baseline_period,
        )
        for t in targets
        if t.indicator is not None
    ]
    columns = [
        "indicator",
        "region",
        "year",
        "comparator",
        "target",
        "trajectory",
        "baseline_given",
        "baseline_period_given",
    ]
    t = pd.DataFrame.from_records(rows, columns=columns)
    # `Target.id`, built column-wise: `indicator@region:year`
    ids = t["indicator"].astype(object) + "@" + t["region"].astype(object) + ":" + t["year"].astype(str)
    t.insert(0, "target_id", ids.astype("str"))
    t["year"] = t["year"].astype(np.int64)
    t["target"] = t["target"].astype(float)
    t["baseline_given"] = t["baseline_given"].astype(float)
    t["baseline_period_given"] = t["baseline_period_given"].astype(object)
    return t


def _judge(t: pd.DataFrame, thresholds: Thresholds, as_of: int) -> None:
    """Status by the first matching rule; ρ rounded to 9 decimals so 0.9 computed as 0.8999… is 0.9.

    Past its deadline a target is final (achieved/missed) only on data for the deadline period;
    until that value is published it is `awaiting_final` and `provisional_status` carries what the
    latest data say (the rules below without the deadline).
    """
    current = t["current"].to_numpy(dtype=float)
    met = schedule.met(current, t["target"].to_numpy(dtype=float), t["comparator"].to_numpy(dtype=object))
    rho = np.round(t["progress_ratio"].to_numpy(dtype=float), 9)
    baseline = t["baseline"].to_numpy(dtype=float)
    nothing_due = np.isclose(t["expected"].to_numpy(dtype=float), baseline)
    lower = np.isin(t["comparator"].to_numpy(dtype=object), ["<=", "<"])
    gain = np.round(np.where(lower, baseline - current, current - baseline), 9)
    deadline = t["deadline"].to_numpy()
    past = as_of >= deadline
    final_data = t["current_ord"].to_numpy() == deadline
    base_met = t["baseline_met"].to_numpy(dtype=bool)
    no_base = np.isnan(baseline)
    t["met"] = met
    # the rules without the deadline: what the latest value says (`rule` names the one that fired)
    rules = [
        (np.isnan(current), Status.NO_DATA, "no_data"),
        (met, Status.ACHIEVED, "achieved"),
        (no_base, Status.NO_DATA, "no_baseline"),
        (base_met, Status.BEHIND, "baseline_met_lost"),
        (nothing_due & (gain == 0), Status.ON_TRACK, "due_none_flat"),
        (nothing_due & (gain < 0), Status.BEHIND, "due_none_worse"),
        (nothing_due & (gain > 0), Status.AHEAD, "due_none_gain"),
        (rho >= 1, Status.AHEAD, "ahead"),
        (rho >= thresholds.on_track, Status.ON_TRACK, "on_track"),
        (rho >= thresholds.behind, Status.BEHIND, "behind"),
    ]
    conditions = [c for c, _, _ in rules]
    provisional = np.select(
        conditions, [s.value for _, s, _ in rules], default=Status.SEVERELY_BEHIND.value
    ).astype(object)
    provisional_rule = np.select(conditions, [r for _, _, r in rules], default="severely_behind").astype(
        object
    )
    awaiting = past & ~np.isnan(current) & ~final_data
    missed = past & final_data & ~met
    t["status"] = np.where(
        awaiting, Status.AWAITING_FINAL.value, np.where(missed, Status.MISSED.value, provisional)
    ).astype(object)
    t["rule"] = np.where(awaiting, "awaiting_final", np.where(missed, "missed", provisional_rule)).astype(
        object
    )
    provisional[~awaiting] = None  # only a target awaiting its final data has a provisional status
    provisional_rule[~awaiting] = None
    t["provisional_status"] = provisional
    t["provisional_rule"] = provisional_rule
    t["final"] = past & final_data & ~np.isnan(current)


def _settle(t: pd.DataFrame) -> None:
    """A final verdict replaces the trend: after the deadline "at this pace" has nothing to say."""
    final = t["final"].to_numpy(dtype=bool)
    if not final.any():
        return
    t.loc[final, "trend"] = None
    for column in ("trend_ratio", "observed_growth", "required_growth", "projected"):
        t.loc[final, column] = np.nan
    t.loc[final, "observed_change"] = np.nan
    t.loc[final, "required_change"] = np.nan
    t.loc[final, "projected_year"] = pd.NA


def _flags(t: pd.DataFrame) -> list[list[str]]:
    """Flag names per row: a bit mask per row, turned into lists once per distinct mask."""
    mask = np.zeros(len(t), dtype=np.int64)
    for bit, flag in enumerate(Flag):
        mask |= t[flag.value].to_numpy(dtype=bool).astype(np.int64) << bit
    names = {int(m): [f.value for bit, f in enumerate(Flag) if m >> bit & 1] for m in np.unique(mask)}
    return [list(names[m]) for m in mask.tolist()]
