"""Trend (open-sdg's R), projection, growth still needed, YoY and QoQ, with hand-computed expectations.

The trend cases use a quarterly stock with C0 = 100 at 2020Q4 (t0 = 2021.0) and a target for 2024
(t_T = 2025.0): T = 146.41 = 100·1.1⁴ requires r_req = 10 % a year; the current value at 2022Q4
(t = 2023.0, two years on) is 100·(1 + r_obs)², so R = r_obs / 0.1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.model import Comparator, Plan, Target, Trajectory
from indicators.progress import TREND_LABELS, TargetProgress, Trend, target_progress

PROVINCE = "140000"


def target(indicator: str, year: int, value: float, comparator: str = ">=") -> Target:
    return Target(
        region=PROVINCE,
        year=year,
        clause="test",
        indicator=indicator,
        value=value,
        comparator=Comparator(comparator),
        trajectory=Trajectory.LINEAR,
    )


def progress(plan: Plan, t: Target, *points: tuple[str, float], as_of: str | None = None) -> TargetProgress:
    rows = [(t.indicator, PROVINCE, period, value) for period, value in points]
    data = pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])
    return target_progress(plan=plan, observations=data, target=t, as_of=as_of)


@pytest.mark.parametrize(
    ("current", "ratio", "trend"),
    [
        (119.9025, 0.95, "substantial"),  # r_obs = 9.5 %: exactly on the threshold
        (119.880601, 0.949, "moderate"),  # r_obs = 9.49 %
        (112.36, 0.6, "moderate"),  # r_obs = 6 %: exactly on the threshold
        (112.35, 0.599528, "limited"),  # r_obs = 1.1235^½ − 1 = 5.995 %: just under
        (100.0, 0.0, "limited"),  # no growth: R = 0 is still "limited"
        (99.0, -0.0501256, "deterioration"),  # r_obs = 0.99^½ − 1 = −0.501 %
        (146.41, 2.1, "achieved"),  # met (r_obs = 21 %): achieved whatever R says
    ],
)
def test_open_sdg_ratio_thresholds(plan: Plan, current: float, ratio: float, trend: str) -> None:
    p = progress(plan, target("base_stations_5g", 2024, 146.41), ("2020Q4", 100), ("2022Q4", current))
    assert p.required_growth == pytest.approx(0.1)
    assert p.trend_ratio == pytest.approx(ratio, abs=1e-6)
    assert p.trend == trend


def test_lower_is_better_trend_counts_falling_as_progress(plan: Plan) -> None:
    """0.5 → 0.405 in two years is −10 %/year; 0.32805 by 2024 needs −10 %/year: R = −1·(−0.1)/0.1 = 1."""
    p = progress(plan, target("dc_power_price", 2024, 0.32805, "<="), ("2020Q4", 0.5), ("2022Q4", 0.405))
    assert p.observed_growth == pytest.approx(-0.1)
    assert p.required_growth == pytest.approx(-0.1)
    assert (p.trend_ratio, p.trend) == (pytest.approx(1.0), "substantial")


@pytest.mark.parametrize(
    ("baseline", "current", "ratio", "trend"),
    [
        # B = 0 → linear: v_obs = (10 − 0)/1 year = 10, v_req = (100 − 0)/2 years = 50, R = 0.2
        (0, 10, 0.2, "limited"),
        # both zero: v_obs = 0 → R = 0
        (0, 0, 0.0, "limited"),
        # C = 0 from 10 → linear (a value ≤ 0): v_obs = −10, v_req = 90/2 = 45, R = −0.2222
        (10, 0, -10 / 45, "deterioration"),
        # B = 0.5 is under 1 % of max(|C|, |T|) = 100 → near zero, linear: v_obs = 49.5, v_req = 49.75
        (0.5, 50, 49.5 / 49.75, "substantial"),
    ],
)
def test_zero_and_near_zero_baselines_use_linear_change(
    plan: Plan, baseline: float, current: float, ratio: float, trend: str
) -> None:
    t = target("data_annotation_firms", 2022, 100)
    p = progress(plan, t, ("2020Q4", baseline), ("2021Q4", current))
    assert p.trend_method == "linear"
    assert (p.observed_growth, p.required_growth) == (None, None)
    assert p.trend_ratio == pytest.approx(ratio)
    assert p.trend == trend


def test_no_trend_without_a_second_point_in_time(plan: Plan) -> None:
    p = progress(plan, target("base_stations_5g", 2022, 300), ("2020Q4", 100))
    assert (p.trend, p.trend_ratio, p.projected, p.projected_year) == (None, None, None, None)
    assert p.explanation_zh.endswith("趋势 数据不足（基期后至少需一个全期值）")


def test_projection_year_reached_and_growth_needed(plan: Plan) -> None:
    """100 → 121 in two years: 10 %/year. At 2024 end: 121·1.1² = 146.41 < 150, so not by the deadline;
    150 is reached after ln(150/121)/ln 1.1 = 2.254 years from 2023.0, i.e. during 2025.
    Needed from 2022Q4: (150/121)^(1/8) − 1 = 2.722 % a quarter for the 8 quarters left."""
    p = progress(plan, target("base_stations_5g", 2024, 150), ("2020Q4", 100), ("2022Q4", 121))
    assert p.observed_growth == pytest.approx(0.1)
    assert p.projected == pytest.approx(146.41)
    assert p.projected_year == 2025
    assert p.growth_needed_per_quarter == pytest.approx(0.0272194550)
    assert p.trend == "moderate"  # R = 0.1 / ((150/100)^¼ − 1) = 0.1/0.10668 = 0.937


def test_projection_when_already_met_and_when_deteriorating(plan: Plan) -> None:
    met = progress(plan, target("base_stations_5g", 2024, 110), ("2020Q4", 100), ("2022Q4", 121))
    assert (met.status, met.trend, met.projected_year) == ("achieved", "achieved", 2022)
    worse = progress(plan, target("base_stations_5g", 2024, 150), ("2020Q4", 100), ("2022Q4", 90))
    assert (worse.trend, worse.projected_year) == ("deterioration", None)
    assert worse.projected == pytest.approx(81)  # r_obs = 0.9^½ − 1 kept two more years: 90·0.9


def test_yoy_and_qoq_of_a_stock(plan: Plan) -> None:
    p = progress(
        plan, target("base_stations_5g", 2022, 300), ("2020Q4", 100), ("2021Q3", 110), ("2021Q4", 121)
    )
    assert p.yoy == pytest.approx(0.21)
    assert p.qoq == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("quarter", "yoy", "qoq"),
    [
        # YTD 2023: 80, 180, 400, 600; 2024: 100, 250, 450. YoY compares YTD with YTD (累计同比);
        # QoQ compares single quarters: 2024Q3 = 450 − 250 = 200 vs Q2 = 250 − 100 = 150
        ("2024Q3", 450 / 400 - 1, 200 / 150 - 1),
        # Q2 = 150 vs Q1 = 100 (Q1's YTD is the quarter itself)
        ("2024Q2", 250 / 180 - 1, 150 / 100 - 1),
        # Q1 = 100 vs 2023Q4 = 600 − 400 = 200
        ("2024Q1", 100 / 80 - 1, 100 / 200 - 1),
    ],
)
def test_yoy_and_qoq_of_a_ytd_flow(plan: Plan, quarter: str, yoy: float, qoq: float) -> None:
    points = [("2023Q1", 80), ("2023Q2", 180), ("2023Q3", 400), ("2023Q4", 600)]
    points += [("2024Q1", 100), ("2024Q2", 250), ("2024Q3", 450)]
    p = progress(plan, target("software_revenue", 2024, 1000), *points, as_of=quarter)
    assert (p.basis, p.current_period) == ("ytd", quarter)
    assert p.yoy == pytest.approx(yoy)
    assert p.qoq == pytest.approx(qoq)


def test_an_annual_indicator_has_yoy_but_no_qoq(plan: Plan) -> None:
    p = progress(plan, target("digital_economy_scale", 2022, 5000, ">"), ("2020", 3200), ("2021", 4000))
    assert (p.yoy, p.qoq) == (pytest.approx(0.25), None)


def test_trend_labels_cover_every_trend() -> None:
    assert set(TREND_LABELS) == set(Trend)
    assert TREND_LABELS[Trend.DETERIORATION] == ("趋势恶化", "Deterioration")


def test_the_worked_example_of_the_methodology(plan: Plan) -> None:
    """docs/methodology.md § 十四 例 1, every number of its table."""
    p = progress(plan, plan.target("base_stations_5g@140000:2022"), ("2020Q4", 10000), ("2021Q4", 18000))
    assert (p.elapsed, p.expected, p.completion, p.gap_closed) == (0.5, 20000, 0.6, 0.4)
    assert p.expected_completion == pytest.approx(2 / 3)
    assert (round(p.schedule_gap_pp or 0, 1), round(p.progress_ratio or 0, 2), p.status) == (
        -6.7,
        0.8,
        "behind",
    )
    assert (p.observed_growth, round(p.required_growth or 0, 3)) == (pytest.approx(0.8), 0.732)
    assert (round(p.trend_ratio or 0, 2), p.trend) == (1.09, "substantial")
    assert (p.projected, p.projected_year) == (pytest.approx(32400), 2022)
    assert round(p.growth_needed_per_quarter or 0, 3) == 0.136
    assert p.yoy == pytest.approx(0.8)
