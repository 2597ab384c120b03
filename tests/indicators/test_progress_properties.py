"""Properties of the progress engine that must hold for any numbers (hypothesis draws them).

- the status never gets worse when the current value gets better (monotone in C);
- the expected value E lies between the baseline B and the target T, for every trajectory;
- no target is final (achieved/missed past its deadline) without a value for its deadline period,
  and none is missed before its deadline;
- a trend is given only where its ratio is defined (two points in time, a defined pace).
"""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.model import Comparator, Plan, Target, Trajectory
from indicators.plan import load_plan
from indicators.progress import TargetProgress, target_progress

PLAN: Plan = load_plan()
PROVINCE = "140000"
QUARTERS = [f"{y}Q{q}" for y in range(2021, 2027) for q in range(1, 5)]
RANK = {"severely_behind": 0, "behind": 1, "on_track": 2, "ahead": 3, "achieved": 4}
values = st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda x: round(x, 3))
positive = st.floats(min_value=0.5, max_value=1000, allow_nan=False).map(lambda x: round(x, 3))


def _target(value: float, comparator: str = ">=", trajectory: str = "linear", year: int = 2025) -> Target:
    return Target(
        region=PROVINCE,
        year=year,
        clause="property",
        indicator="base_stations_5g",
        value=value,
        comparator=Comparator(comparator),
        trajectory=Trajectory(trajectory),
    )


def _progress(t: Target, points: list[tuple[str, float]], as_of: str) -> TargetProgress:
    data = pd.DataFrame(
        [("base_stations_5g", PROVINCE, p, v) for p, v in points],
        columns=["indicator", "region", "period", "value"],
    )
    return target_progress(plan=PLAN, observations=data, target=t, as_of=as_of)


@settings(max_examples=40, deadline=None)
@given(
    base=values,
    target=values,
    low=values,
    high=values,
    comparator=st.sampled_from([">=", "<="]),
    as_of=st.sampled_from(QUARTERS[:19]),  # before 2025Q4: not past the deadline
)
def test_status_is_monotone_in_the_current_value(
    base: float, target: float, low: float, high: float, comparator: str, as_of: str
) -> None:
    worse, better = sorted([low, high]) if comparator == ">=" else sorted([low, high], reverse=True)
    t = _target(target, comparator)
    a = _progress(t, [("2020Q4", base), (as_of, worse)], as_of)
    b = _progress(t, [("2020Q4", base), (as_of, better)], as_of)
    assert RANK[a.status] <= RANK[b.status], (a.explanation_zh, b.explanation_zh)


@settings(max_examples=40, deadline=None)
@given(
    base=values,
    target=values,
    current=values,
    trajectory=st.sampled_from(["linear", "geometric", "seasonal"]),
    as_of=st.sampled_from(QUARTERS),
)
def test_expected_value_lies_between_baseline_and_target(
    base: float, target: float, current: float, trajectory: str, as_of: str
) -> None:
    p = _progress(_target(target, trajectory=trajectory), [("2020Q4", base), (as_of, current)], as_of)
    assert p.expected is not None and p.baseline is not None
    tol = 1e-9 * max(abs(base), abs(target), 1.0)
    assert min(base, target) - tol <= p.expected <= max(base, target) + tol


@settings(max_examples=40, deadline=None)
@given(
    series=st.lists(st.tuples(st.sampled_from(QUARTERS), positive), min_size=1, max_size=8),
    target=positive,
    as_of=st.sampled_from(QUARTERS),
)
def test_nothing_is_final_without_data_for_the_deadline_period(
    series: list[tuple[str, float]], target: float, as_of: str
) -> None:
    points = list(dict([("2020Q4", 100.0), *series]).items())
    p = _progress(_target(target), points, as_of)
    if p.final or (as_of >= "2025Q4" and p.status in ("achieved", "missed")):
        assert p.current_period == "2025Q4"
    if as_of < "2025Q4":
        assert p.status != "missed" and not p.final
    if p.status == "awaiting_final":
        assert p.provisional_status is not None and p.current_period != "2025Q4"


@settings(max_examples=40, deadline=None)
@given(
    base=values,
    target=values,
    current=st.one_of(st.none(), values),
    as_of=st.sampled_from(QUARTERS[:19]),
)
def test_no_trend_where_it_is_undefined(
    base: float, target: float, current: float | None, as_of: str
) -> None:
    points = [("2020Q4", base)] + ([(as_of, current)] if current is not None else [])
    p = _progress(_target(target), points, as_of)
    if current is None and p.status != "achieved":  # one point in time: no pace at all
        assert (p.trend, p.trend_ratio, p.projected_year) == (None, None, None)
    if p.trend not in (None, "achieved"):  # R is finite, or ±inf when nothing was required (T = B)
        required = p.required_growth if p.trend_method == "growth" else p.required_change
        assert (p.trend_ratio is not None and math.isfinite(p.trend_ratio)) or required == 0
    if p.trend_method == "growth":
        assert base > 0 and target > 0 and p.current is not None and p.current > 0
