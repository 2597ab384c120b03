"""Progress engine: expected value (序时进度), completion, ρ and status, with hand-computed expectations.

Every case builds its observations directly and judges a target of the real Shanxi plan's
indicators (a quarterly stock, an annual flow, a quarterly YTD flow, a lower-is-better price), so the
numbers in the tables can be recomputed on paper from the docstring of each test.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from indicators.explain import explain_progress
from indicators.model import Comparator, Plan, Target, Trajectory
from indicators.progress import (
    PROGRESS_COLUMNS,
    STATUS_LABELS,
    Status,
    TargetProgress,
    compute_progress,
    progress_records,
    target_progress,
)

PROVINCE = "140000"


def target(
    indicator: str,
    year: int,
    value: float,
    comparator: str = ">=",
    trajectory: str = "linear",
    region: str = PROVINCE,
    **extra: Any,
) -> Target:
    return Target(
        region=region,
        year=year,
        clause="test",
        indicator=indicator,
        value=value,
        comparator=Comparator(comparator),
        trajectory=Trajectory(trajectory),
        **extra,
    )


def obs(indicator: str, *points: tuple[str, float], region: str = PROVINCE) -> pd.DataFrame:
    return pd.DataFrame(
        [(indicator, region, period, value) for period, value in points],
        columns=["indicator", "region", "period", "value"],
    )


def one(plan: Plan, t: Target, observations: pd.DataFrame, as_of: str | None = None) -> TargetProgress:
    return target_progress(plan=plan, observations=observations, target=t, as_of=as_of)


# ------------------------------------------------------------------ expected value E and elapsed e
@pytest.mark.parametrize(
    ("as_of", "current", "elapsed", "expected"),
    [
        # B = 10000 at 2020Q4, T = 30000 at end 2022: 24 months; E = 10000 + 20000·e
        ("2021Q2", 15000, 6 / 24, 15000),
        ("2021Q4", 20000, 12 / 24, 20000),
        ("2022Q3", 27500, 21 / 24, 27500),
        ("2020Q4", 10000, 0.0, 10000),
    ],
)
def test_linear_expected_value(
    plan: Plan, as_of: str, current: float, elapsed: float, expected: float
) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), (as_of, current))
    p = one(plan, target("base_stations_5g", 2022, 30000), data, as_of)
    assert p.elapsed == pytest.approx(elapsed)
    assert p.expected == pytest.approx(expected)
    assert p.progress_ratio == pytest.approx(1.0)
    assert (p.basis, p.baseline, p.baseline_period) == ("level", 10000, "2020Q4")


@pytest.mark.parametrize(
    ("year", "value", "points", "as_of", "expected"),
    [
        # 数字经济规模 (annual flow), B = 3200 (2020), T = 5000 (2022): E(2021) = 3200·(5000/3200)^½ = 4000
        (2022, 5000, [("2020", 3200), ("2021", 4000)], "2021", 4000),
        # B = 1000, T = 16000 over 4 years: E after 2 = 1000·16^(1/2) = 4000
        (2024, 16000, [("2020", 1000), ("2022", 3000)], "2022", 4000),
        # e = 1/4: 1000·16^(1/4) = 2000
        (2024, 16000, [("2020", 1000), ("2021", 1500)], "2021", 2000),
    ],
)
def test_geometric_expected_value(
    plan: Plan, year: int, value: float, points: list[tuple[str, float]], as_of: str, expected: float
) -> None:
    t = target("digital_economy_scale", year, value, trajectory="geometric")
    p = one(plan, t, obs("digital_economy_scale", *points), as_of)
    assert p.basis == "annual"
    assert p.expected == pytest.approx(expected)
    assert p.flags == ()


def test_geometric_from_a_zero_baseline_falls_back_to_linear(plan: Plan) -> None:
    """B = 0 has no geometric path: E = 0 + 100·(12/24) = 50, flagged."""
    t = target("base_stations_5g", 2022, 100, trajectory="geometric")
    p = one(plan, t, obs("base_stations_5g", ("2020Q4", 0), ("2021Q4", 40)), "2021Q4")
    assert p.expected == pytest.approx(50)
    assert p.flags == ("linear_fallback",)


@pytest.mark.parametrize(
    ("quarter", "share"),
    # 2023 YTD: Q1 100, Q2 300, Q3 500, Q4 800 → shares of the year 0.125, 0.375, 0.625, 1
    [("2024Q1", 0.125), ("2024Q2", 0.375), ("2024Q3", 0.625), ("2024Q4", 1.0)],
)
def test_seasonal_expected_value_uses_last_years_shape(plan: Plan, quarter: str, share: float) -> None:
    last_year = [("2023Q1", 100), ("2023Q2", 300), ("2023Q3", 500), ("2023Q4", 800)]
    data = obs("software_revenue", *last_year, (quarter, 10))
    p = one(plan, target("software_revenue", 2024, 1000, trajectory="seasonal"), data, quarter)
    assert p.basis == "ytd"
    assert p.expected == pytest.approx(1000 * share)
    assert p.expected_completion == pytest.approx(share)
    assert "seasonal_fallback" not in p.flags


def test_seasonal_without_last_year_falls_back_to_linear(plan: Plan) -> None:
    p = one(
        plan,
        target("software_revenue", 2024, 1000, trajectory="seasonal"),
        obs("software_revenue", ("2024Q2", 400)),
    )
    assert p.expected == pytest.approx(500)
    assert p.flags == ("seasonal_fallback",)


def test_seasonal_on_a_stock_falls_back_to_linear(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2021Q4", 20000))
    p = one(plan, target("base_stations_5g", 2022, 30000, trajectory="seasonal"), data)
    assert p.expected == pytest.approx(20000)
    assert p.flags == ("seasonal_fallback",)


# ------------------------------------------------------------------ YTD flows
@pytest.mark.parametrize(
    ("quarter", "ytd", "expected_completion", "status"),
    [
        # annual target 1000 for 2024; B = 0 at the start of 2024; 序时进度 Q1..Q4 = 25/50/75/100 %
        ("2024Q1", 240, 0.25, "on_track"),  # ρ = 240/250 = 0.96
        ("2024Q2", 500, 0.50, "ahead"),  # ρ = 1
        ("2024Q3", 600, 0.75, "behind"),  # ρ = 600/750 = 0.8
        ("2024Q4", 960, 1.00, "missed"),  # deadline reached, 960 < 1000
    ],
)
def test_ytd_flow_is_judged_against_the_annual_target_with_classic_schedule(
    plan: Plan, quarter: str, ytd: float, expected_completion: float, status: str
) -> None:
    data = obs("software_revenue", ("2020Q4", 700), ("2023Q4", 900), (quarter, ytd))
    p = one(plan, target("software_revenue", 2024, 1000), data, quarter)
    assert (p.basis, p.baseline, p.baseline_period) == ("ytd", 0.0, "2023Q4")
    assert p.expected_completion == pytest.approx(expected_completion)
    assert p.expected == pytest.approx(1000 * expected_completion)
    assert p.completion == pytest.approx(ytd / 1000)
    assert p.status == status


def test_quarterly_flow_before_its_target_year_is_judged_on_full_years(plan: Plan) -> None:
    """Target 1600 for 2025, B = 1000 (2020 total). At 2023Q3 the latest full year is 2022 (1300):
    e = 24/60 = 0.4, E = 1000 + 600·0.4 = 1240, ρ = 300/240 = 1.25 → ahead. 2023Q3's YTD is not used."""
    data = obs("software_revenue", ("2020Q4", 1000), ("2022Q4", 1300), ("2023Q3", 1000))
    p = one(plan, target("software_revenue", 2025, 1600), data, "2023Q3")
    assert (p.basis, p.current, p.current_period) == ("annual", 1300, "2022Q4")
    assert p.elapsed == pytest.approx(0.4)
    assert p.expected == pytest.approx(1240)
    assert p.progress_ratio == pytest.approx(1.25)
    assert p.status == "ahead"
    assert p.yoy is None  # 2021Q4 not published
    assert p.flags == ()  # 2023Q3 is the latest quarter and it was reported: not stale


def test_annual_flow_uses_the_latest_annual_value(plan: Plan) -> None:
    """数字经济规模 at 2022Q3: the 2022 value is not out yet; C is 2021's, E where the path was in 2021."""
    data = obs("digital_economy_scale", ("2020", 3200), ("2021", 4000))
    p = one(plan, plan.target("digital_economy_scale@140000:2022"), data, "2022Q3")
    assert (p.current, p.current_period, p.expected) == (4000, "2021", pytest.approx(4000))
    assert p.flags == ()


# ------------------------------------------------------------------ status rules and boundaries
@pytest.mark.parametrize(
    ("current", "as_of", "rho", "status"),
    [
        # B = 10000 (2020Q4), T = 30000 (2022), at 2021Q4 E = 20000: ρ = (C − 10000)/10000
        (20000, "2021Q4", 1.0, "ahead"),
        (19000, "2021Q4", 0.9, "on_track"),  # exactly on the on_track threshold
        (18999, "2021Q4", 0.8999, "behind"),
        (17000, "2021Q4", 0.7, "behind"),  # exactly on the behind threshold
        (16999, "2021Q4", 0.6999, "severely_behind"),
        (30000, "2021Q4", 2.0, "achieved"),  # met a year before the deadline
        (29999, "2022Q4", 19999 / 20000, "missed"),  # deadline reached and not met
        (30000, "2022Q4", 1.0, "achieved"),
    ],
)
def test_status_boundaries(plan: Plan, current: float, as_of: str, rho: float, status: str) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), (as_of, current))
    p = one(plan, plan.target("base_stations_5g@140000:2022"), data, as_of)
    assert p.progress_ratio == pytest.approx(rho)
    assert p.status == status


def test_completion_schedule_gap_and_gap_closed(plan: Plan) -> None:
    """C = 18000: completion 18000/30000 = 60 %, expected 20000/30000 = 66.7 %, gap −6.67 pp;
    gap closed 8000/20000; trend R = 0.8 / (3^½ − 1) = 1.09."""
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2021Q4", 18000))
    p = one(plan, plan.target("base_stations_5g@140000:2022"), data)
    assert p.completion == pytest.approx(0.6)
    assert p.expected_completion == pytest.approx(2 / 3)
    assert p.schedule_gap_pp == pytest.approx(-20 / 3)
    assert p.gap_closed == pytest.approx(0.4)
    assert p.explanation_zh.endswith(
        "进度比 0.70 ≤ ρ=0.80 < 0.90 → 滞后；趋势 R=1.09 ≥ 0.95 → 进展显著"
    )  # R = 0.8 / (3^½ − 1)
    assert "完成率 60.0%，序时进度 66.7%，慢于序时进度 6.7 个百分点" in p.explanation_zh
    assert "completion 60.0%, expected 66.7%, 6.7 pp behind schedule" in p.explanation_en


@pytest.mark.parametrize(
    ("current", "status", "rho"),
    [
        # dc_power_price ≤ 0.3 by 2025, B = 0.5 (2020Q4); at 2023Q4 e = 36/60, E = 0.5 − 0.2·0.6 = 0.38
        (0.4, "behind", 0.1 / 0.12),  # ρ = (B − C)/(B − E) = 0.1/0.12 = 0.833
        (0.38, "ahead", 1.0),
        (0.3, "achieved", 2.0 / 1.2),  # meeting ≤ 0.3 exactly is achieved
        (0.55, "severely_behind", -0.05 / 0.12),  # going up is going backwards
    ],
)
def test_lower_is_better(plan: Plan, current: float, status: str, rho: float) -> None:
    data = obs("dc_power_price", ("2020Q4", 0.5), ("2023Q4", current))
    p = one(plan, plan.target("dc_power_price@140000:2025"), data, "2023Q4")
    assert p.expected == pytest.approx(0.38)
    assert p.progress_ratio == pytest.approx(rho)
    assert p.completion == pytest.approx(0.3 / current)  # T / C
    assert p.expected_completion == pytest.approx(0.3 / 0.38)  # T / E
    assert p.gap_closed == pytest.approx((current - 0.5) / (0.3 - 0.5))
    assert p.status == status


@pytest.mark.parametrize(
    ("value", "year", "status"),
    [
        (5000, "2022", "missed"),  # 突破5000亿: exactly 5000 does not break through
        (5000.5, "2022", "achieved"),
        (5000, "2021", "ahead"),  # a year early, 5000 is still not "> 5000"
    ],
)
def test_strict_comparator(plan: Plan, value: float, year: str, status: str) -> None:
    data = obs("digital_economy_scale", ("2020", 3200), (year, value))
    assert one(plan, plan.target("digital_economy_scale@140000:2022"), data, year).status == status


def test_no_data(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2021Q4", 100), region="140100")
    p = one(plan, plan.target("base_stations_5g@140000:2022"), data.iloc[0:0], "2021Q4")
    assert (p.status, p.current, p.trend, p.flags) == ("no_data", None, None, ())
    assert p.explanation_zh == "截至 2021Q4 无已发布数据 → 无数据"
    assert p.explanation_en == "no value published up to 2021Q4 → no data"


def test_no_data_before_the_first_value(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2021Q4", 100))
    assert one(plan, plan.target("base_stations_5g@140000:2022"), data, "2021Q3").status == "no_data"


# ------------------------------------------------------------------ baselines, deadlines, flags
def test_baseline_fixed_by_the_plan_wins_over_data(plan: Plan) -> None:
    t = target("base_stations_5g", 2022, 30000, baseline_value=6000.0, baseline_period="2020Q4")
    p = one(plan, t, obs("base_stations_5g", ("2020Q4", 10000), ("2021Q4", 18000)))
    assert (p.baseline, p.baseline_period) == (6000, "2020Q4")
    assert p.expected == pytest.approx(18000)  # 6000 + 24000·0.5


def test_missing_baseline_starts_from_the_first_value(plan: Plan) -> None:
    """No 2020Q4: B = 12000 at 2021Q2; e = 6/18, E = 12000 + 18000/3 = 18000."""
    data = obs("base_stations_5g", ("2021Q2", 12000), ("2021Q4", 18000))
    p = one(plan, plan.target("base_stations_5g@140000:2022"), data)
    assert (p.baseline, p.baseline_period) == (12000, "2021Q2")
    assert p.expected == pytest.approx(18000)
    assert p.flags == ("baseline_fallback",)


def test_after_the_deadline_a_target_is_judged_on_the_deadlines_data(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2022Q4", 28000), ("2023Q2", 31000))
    p = one(plan, plan.target("base_stations_5g@140000:2022"), data, "2023Q2")
    assert (p.current, p.current_period, p.status) == (28000, "2022Q4", "missed")
    assert p.flags == ("met_after_deadline",)


def test_a_value_older_than_the_latest_period_is_flagged_stale(plan: Plan) -> None:
    """As of 2022Q2 with 2022Q1 the latest value: judged at 2022Q1 (e = 15/24, E = 22500), flagged."""
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2022Q1", 22500))
    p = one(plan, plan.target("base_stations_5g@140000:2022"), data, "2022Q2")
    assert (p.current_period, p.expected, p.status) == ("2022Q1", pytest.approx(22500), "ahead")
    assert p.flags == ("stale",)


def test_province_from_cities_zone_excluded_and_inconsistency_flagged(plan: Plan) -> None:
    cities = pd.concat(
        [
            obs("smart_factories", ("2020Q4", 10), ("2021Q4", 40), region="140100"),
            obs("smart_factories", ("2020Q4", 5), ("2021Q4", 20), region="140200"),
            obs("smart_factories", ("2020Q4", 50), ("2021Q4", 50), region="ZGQ"),
        ]
    )
    p = one(plan, plan.target("smart_factories@140000:2022"), cities)
    assert (p.current, p.baseline, p.source) == (60, 15, "city_sum")
    assert p.flags == ("partial",)  # 2 of 11 cities
    reported = pd.concat([cities, obs("smart_factories", ("2020Q4", 15), ("2021Q4", 62))])
    q = one(plan, plan.target("smart_factories@140000:2022"), reported)
    assert (q.current, q.source, q.flags) == (62, "reported", ("inconsistent",))


# ------------------------------------------------------------------ the frame and its records
def test_frame_has_every_column_and_one_row_per_numeric_target(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2021Q4", 18000))
    frame = compute_progress(plan=plan, observations=data)
    assert list(frame.columns) == list(PROGRESS_COLUMNS)
    assert frame["target_id"].tolist() == [t.id for t in plan.numeric_targets]
    assert set(frame["status"]) <= set(STATUS_LABELS)
    assert (frame["as_of"] == "2021Q4").all()  # the latest period with data
    assert frame.set_index("target_id").loc["smart_factories@140000:2022", "status"] == "no_data"


def test_milestones_are_not_in_the_frame(plan: Plan) -> None:
    frame = compute_progress(plan=plan, observations=obs("base_stations_5g"), targets=plan.targets)
    assert len(frame) == len(plan.numeric_targets) < len(plan.targets)
    with pytest.raises(ValueError, match="milestone"):
        target_progress(plan=plan, observations=obs("x"), target="semiconductor_cluster@140000:2025")


def test_record_and_frame_row_agree(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2021Q3", 17000), ("2021Q4", 18000))
    frame = compute_progress(plan=plan, observations=data, as_of="2021Q4")
    row = frame.set_index("target_id").loc["base_stations_5g@140000:2022"]
    record = target_progress(plan=plan, observations=data, target="base_stations_5g@140000:2022")
    assert record == progress_records(frame)[2]
    assert (record.progress_ratio, record.status, record.projected_year) == (
        row["progress_ratio"],
        row["status"],
        row["projected_year"],
    )


def test_explanations_can_be_rendered_later_for_some_rows(plan: Plan) -> None:
    data = obs("base_stations_5g", ("2020Q4", 10000), ("2021Q4", 18000))
    bare = compute_progress(plan=plan, observations=data, explain=False)
    assert bare["explanation_zh"].isna().all()
    full = compute_progress(plan=plan, observations=data)
    shown = explain_progress(bare.iloc[[2, 3]], thresholds=plan.thresholds)
    assert shown["explanation_zh"].tolist() == full["explanation_zh"].iloc[[2, 3]].tolist()


def test_every_status_has_chinese_and_english_labels() -> None:
    assert STATUS_LABELS[Status.BEHIND] == ("滞后", "Behind schedule")
    assert [STATUS_LABELS[s][0] for s in Status] == [
        "无数据",
        "已完成",
        "未完成",
        "待期末数据",
        "超前",
        "正常",
        "滞后",
        "严重滞后",
    ]


# ------------------------------------------------------------------ nothing due yet (E = B)
@pytest.mark.parametrize(
    ("points", "comparator", "target_value", "status", "rule"),
    [
        # at the baseline period itself E = B and ρ = 1 by convention: only a real gain is 超前
        ([("2020Q4", 10000)], ">=", 30000, "on_track", "due_none_flat"),
        ([("2020Q4", 0.42)], "<=", 0.30, "on_track", "due_none_flat"),
    ],
)
def test_nothing_due_yet_is_on_track_not_ahead(
    plan: Plan, points: list[tuple[str, float]], comparator: str, target_value: float, status: str, rule: str
) -> None:
    indicator = "base_stations_5g" if comparator == ">=" else "dc_power_price"
    frame = compute_progress(
        plan=plan,
        observations=obs(indicator, *points),
        as_of="2020Q4",
        targets=[target(indicator, 2025, target_value, comparator)],
    )
    row = frame.iloc[0]
    assert (row["progress_ratio"], row["status"], row["rule"]) == (1.0, status, rule)
    assert "E=B" in row["explanation_zh"] and "正常" in row["explanation_zh"]


def test_nothing_due_yet_but_worse_than_the_baseline_is_behind(plan: Plan) -> None:
    # baseline from the plan (20000 at 2021Q1); as of 2021Q1 nothing is due, the value fell to 19000
    t = target("base_stations_5g", 2025, 30000, baseline_period="2021Q1", baseline_value=20000)
    frame = compute_progress(
        plan=plan, observations=obs("base_stations_5g", ("2021Q1", 19000)), as_of="2021Q1", targets=[t]
    )
    assert (frame.iloc[0]["status"], frame.iloc[0]["rule"]) == ("behind", "due_none_worse")
