"""The engine at its edges: past the deadline, a baseline that already meets the target, zero,
near-zero and negative values, a missing baseline, and the verdict that replaces the trend.

Each case is one row of a table; the expected numbers are worked by hand in the comment above it.
Targets use the real Shanxi plan's indicators (quarterly stocks, an annual stock, a lower-is-better
price), with observations written out in full.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from indicators.model import Comparator, Plan, Target, Trajectory
from indicators.progress import TargetProgress, compute_progress, target_progress

PROVINCE = "140000"


def target(indicator: str, year: int, value: float, comparator: str = ">=", **extra: Any) -> Target:
    return Target(
        region=PROVINCE,
        year=year,
        clause="test",
        indicator=indicator,
        value=value,
        comparator=Comparator(comparator),
        trajectory=Trajectory(extra.pop("trajectory", "linear")),
        **extra,
    )


def obs(indicator: str, *points: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [(indicator, PROVINCE, p, v) for p, v in points], columns=["indicator", "region", "period", "value"]
    )


def one(plan: Plan, t: Target, data: pd.DataFrame, as_of: str) -> TargetProgress:
    return target_progress(plan=plan, observations=data, target=t, as_of=as_of)


# ------------------------------------------------------------------ 1. past the deadline: final data only
@pytest.mark.parametrize(
    ("points", "as_of", "status", "provisional", "final"),
    [
        # 2025 target 30000 from B = 10000 (2020Q4). As of 2025Q4 the latest value is 2025Q3 = 28000:
        # the deadline's value is not published → awaiting; provisionally e = 57/60, E = 29000,
        # ρ = 18000/19000 = 0.947 → on_track
        ([("2020Q4", 10000), ("2025Q3", 28000)], "2025Q4", "awaiting_final", "on_track", False),
        # same, a year later: still no 2025Q4 value → still awaiting (nothing turns final by itself)
        ([("2020Q4", 10000), ("2025Q3", 28000)], "2026Q4", "awaiting_final", "on_track", False),
        # the 2025Q4 value arrives: 29000 < 30000 → missed, final
        ([("2020Q4", 10000), ("2025Q3", 28000), ("2025Q4", 29000)], "2025Q4", "missed", None, True),
        # ... or 30500 ≥ 30000 → achieved, final
        ([("2020Q4", 10000), ("2025Q4", 30500)], "2026Q1", "achieved", None, True),
        # met already at 2025Q3 but no deadline value yet: provisionally achieved, not final
        ([("2020Q4", 10000), ("2025Q3", 31000)], "2025Q4", "awaiting_final", "achieved", False),
        # before the deadline nothing is final, not even a met target
        ([("2020Q4", 10000), ("2025Q3", 31000)], "2025Q3", "achieved", None, False),
    ],
)
def test_a_target_is_final_only_on_data_for_its_deadline(
    plan: Plan, points: list[tuple[str, float]], as_of: str, status: str, provisional: str | None, final: bool
) -> None:
    p = one(plan, target("base_stations_5g", 2025, 30000), obs("base_stations_5g", *points), as_of)
    assert (p.status, p.provisional_status, p.final) == (status, provisional, final)


def test_awaiting_final_explains_itself(plan: Plan) -> None:
    """e = 57/60 = 0.95, E = 10000 + 20000·0.95 = 29000, ρ = 18000/19000 = 0.947."""
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2025Q3", 28000))
    p = one(plan, target("base_stations_5g", 2025, 30000), data, "2025Q4")
    assert p.progress_ratio == pytest.approx(18000 / 19000)
    assert "2025年末（2025Q4）数据尚未发布" in p.explanation_zh
    assert "暂按最新数据 进度比 0.90 ≤ ρ=0.95 < 1 → 正常" in p.explanation_zh
    assert "未完成" not in p.explanation_zh
    assert "awaiting final data" in p.explanation_en


def test_an_annual_indicator_awaits_its_deadline_year(plan: Plan) -> None:
    """intl_influential_firms (annual) ≥ 2 by 2025: as of 2025Q4 the latest year is 2024 (1) → awaiting."""
    data = obs("intl_influential_firms", ("2020", 0), ("2022", 1), ("2023", 1), ("2024", 1))
    p = one(plan, plan.target("intl_influential_firms@140000:2025"), data, "2025Q4")
    assert (p.status, p.current_period) == ("awaiting_final", "2024")


# ------------------------------------------------------------------ 6. the verdict replaces the trend
@pytest.mark.parametrize(
    ("points", "status", "margin", "first_met"),
    [
        # 29760 against 30000: margin (29760 − 30000)/30000 = −0.8 % → 差0.8%未完成
        ([("2020Q4", 10000), ("2025Q4", 29760)], "missed", -0.008, None),
        # reached 30000 in 2023Q4, 33000 at the deadline: +10 % → 2023年达到
        (
            [("2020Q4", 10000), ("2023Q3", 29000), ("2023Q4", 30000), ("2025Q4", 33000)],
            "achieved",
            0.1,
            "2023Q4",
        ),
    ],
)
def test_after_the_deadline_the_verdict_and_its_margin_replace_the_trend(
    plan: Plan, points: list[tuple[str, float]], status: str, margin: float, first_met: str | None
) -> None:
    p = one(plan, target("base_stations_5g", 2025, 30000), obs("base_stations_5g", *points), "2026Q1")
    assert (p.status, p.final, p.first_met_period) == (status, True, first_met)
    assert p.margin == pytest.approx(margin)
    assert (p.trend, p.trend_ratio, p.projected, p.projected_year) == (None, None, None, None)
    verdict = "差0.8%未完成" if status == "missed" else "2023年达到，超出目标 10.0%"
    assert p.explanation_zh.endswith(verdict)


def test_lower_is_better_margin(plan: Plan) -> None:
    """dc_power_price ≤ 0.3: 0.306 at 2025Q4 is (0.306 − 0.3)/0.3 = 2 % too high → 差2.0%未完成."""
    data = obs("dc_power_price", ("2020Q4", 0.41), ("2025Q4", 0.306))
    p = one(plan, plan.target("dc_power_price@140000:2025"), data, "2025Q4")
    assert (p.status, p.margin) == ("missed", pytest.approx(-0.02))
    assert p.explanation_zh.endswith("差2.0%未完成")


# ------------------------------------------------------------------ 2. the baseline already meets the target
@pytest.mark.parametrize(
    ("current", "status", "trend"),
    [
        # ≤ 0.3 with B = 0.28 (2020Q4). C = 0.31 no longer meets it: ρ from B would be
        # (0.31 − 0.28)/(E − 0.28) > 0 with E = 0.28 + 0.02·0.6 → 2.5 → "ahead"; instead ρ is undefined
        # and the target that was met and is now lost is behind; the trend (0.28 → 0.31, lower is better)
        # is a deterioration: r_obs = (0.31/0.28)^(1/3) − 1 = 3.45 %, d = −1 → R < 0
        (0.31, "behind", "deterioration"),
        # still within the target: achieved
        (0.29, "achieved", "achieved"),
    ],
)
def test_a_baseline_that_already_meets_the_target(
    plan: Plan, current: float, status: str, trend: str
) -> None:
    data = obs("dc_power_price", ("2020Q4", 0.28), ("2023Q4", current))
    p = one(plan, plan.target("dc_power_price@140000:2025"), data, "2023Q4")
    assert (p.status, p.trend, p.progress_ratio, p.gap_closed) == (status, trend, None, None)
    if status == "behind":
        assert "基期已达到目标，当前值退回未达标 → 滞后" in p.explanation_zh


# ------------------------------------------------------------------ 3. zero baselines: linear, recent change
def test_a_zero_baseline_gives_a_linear_trend_and_a_projection_from_recent_change(plan: Plan) -> None:
    """国际影响力企业 ≥ 2 by 2025: 0 (2020), 1 from 2022, flat. As of 2024 (annual):
    v_obs = (1 − 0)/4 years = 0.25, v_req = (2 − 0)/5 = 0.4, R = 0.625 → moderate (not 进展显著);
    recent change 2023 → 2024 = 0, so the projection is 1 (flat), never reached (no 0.001 explosion);
    e = 48/60 = 0.8, E = 1.6, ρ = 1/1.6 = 0.625 → severely behind."""
    data = obs("intl_influential_firms", ("2020", 0), ("2021", 0), ("2022", 1), ("2023", 1), ("2024", 1))
    p = one(plan, plan.target("intl_influential_firms@140000:2025"), data, "2025Q3")
    assert (p.trend_method, p.observed_change, p.required_change) == ("linear", 0.25, 0.4)
    assert (p.trend_ratio, p.trend) == (pytest.approx(0.625), "moderate")
    assert (p.projected, p.projected_year) == (1.0, None)
    assert (p.progress_ratio, p.status) == (pytest.approx(0.625), "severely_behind")
    assert p.growth_needed_per_quarter == pytest.approx(2**0.25 - 1)  # (2/1)^(1/4) − 1, from C = 1 > 0


def test_a_recent_change_projects_linearly(plan: Plan) -> None:
    """0 (2020Q4) → 10 (2021Q4) → 40 (2022Q4), target 100 by 2024: recent change 30 a year,
    projected 40 + 30·2 = 100 at the end of 2024; reached after (100 − 40)/30 = 2 years → 2024."""
    data = obs("data_annotation_firms", ("2020Q4", 0), ("2021Q4", 10), ("2022Q4", 40))
    p = one(plan, target("data_annotation_firms", 2024, 100), data, "2022Q4")
    assert (p.trend_method, p.projected, p.projected_year) == ("linear", pytest.approx(100), 2024)


# ------------------------------------------------------------------ 4. negative values
@pytest.mark.parametrize(
    ("current", "ratio", "trend"),
    [
        # a higher-is-better series from −10 (2020Q4) to target −2 by 2024: v_req = 8/4 = 2 a year.
        # −6 at 2022Q4: v_obs = 4/2 = 2 → R = 1 → substantial (compound growth would read
        # (−6/−10)^½ − 1 = −22.5 % → "deterioration", the wrong way round)
        (-6, 1.0, "substantial"),
        # −12: v_obs = −1 → R = −0.5 → deterioration
        (-12, -0.5, "deterioration"),
    ],
)
def test_negative_values_use_linear_change(plan: Plan, current: float, ratio: float, trend: str) -> None:
    data = obs("base_stations_5g", ("2020Q4", -10), ("2022Q4", current))
    p = one(plan, target("base_stations_5g", 2024, -2), data, "2022Q4")
    assert (p.trend_method, p.trend_ratio, p.trend) == ("linear", pytest.approx(ratio), trend)


# ------------------------------------------------------------------ 5. missing baseline
@pytest.mark.parametrize(
    ("points", "baseline", "baseline_period", "rule"),
    [
        # 2020Q4 missing: the first value AFTER it is 2021Q2 = 12000 (not 2019Q4's 9000)
        ([("2019Q4", 9000), ("2021Q2", 12000), ("2021Q4", 18000)], 12000, "2021Q2", "first_after"),
        ([("2020Q4", 10000), ("2021Q4", 18000)], 10000, "2020Q4", "data"),
    ],
)
def test_a_missing_baseline_takes_the_first_value_after_the_baseline_period(
    plan: Plan, points: list[tuple[str, float]], baseline: float, baseline_period: str, rule: str
) -> None:
    p = one(plan, plan.target("base_stations_5g@140000:2022"), obs("base_stations_5g", *points), "2021Q4")
    assert (p.baseline, p.baseline_period, p.baseline_rule) == (baseline, baseline_period, rule)
    assert ("baseline_fallback" in p.flags) == (rule == "first_after")
    if rule == "first_after":
        assert "基期 2020Q4 无数据，以其后首个数据 2021Q2 为基期" in p.explanation_zh


def test_only_values_before_the_baseline_period_give_no_baseline(plan: Plan) -> None:
    """A 2019Q4 value alone says nothing about progress since 2020Q4: no baseline → no data."""
    p = one(
        plan, plan.target("base_stations_5g@140000:2022"), obs("base_stations_5g", ("2019Q4", 9000)), "2021Q4"
    )
    assert (p.status, p.baseline, p.baseline_rule) == ("no_data", None, None)


# ------------------------------------------------------------------ the headline check of issue 10
def test_one_indicators_q4_value_does_not_make_other_targets_missed(plan: Plan) -> None:
    """Every 2025 target has data up to 2025Q3 only; then one indicator publishes 2025Q4. The default
    as-of moves to 2025Q4: that target is final, every other 2025 target awaits its final data."""
    rows = []
    for t in plan.numeric_targets:
        indicator = plan.indicator(t.indicator)
        periods = ["2020", "2024"] if indicator.frequency == "annual" else ["2020Q4", "2025Q3"]
        rows += [(t.indicator, PROVINCE, p, 1.0) for p in periods]
    rows.append(("base_stations_5g", PROVINCE, "2025Q4", 1.0))
    frame = compute_progress(
        plan=plan, observations=pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])
    )
    assert frame["as_of"].iloc[0] == "2025Q4"
    late = frame[frame["year"] == 2025]
    assert set(late["status"]) <= {"awaiting_final", "achieved"}
    assert "missed" not in set(late["status"])
