"""YoY, QoQ, rank and share (`indicators.changes`) and the expected path (`schedule.expected_path`).

Every expectation is computed by hand in the test's docstring or comment.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.changes import peer_count, peer_rank, peer_share, period_changes, ratio_change
from indicators.model import Comparator, Plan, Target, Trajectory
from indicators.progress import compute_progress
from indicators.schedule import expected_path, path_value
from indicators.series import MISSING, SeriesIndex

# 2024Q1 = 2024·12 + 3 = 24291 … 2025Q2 = 2025·12 + 6 = 24306
Q = {"2024Q1": 24291, "2024Q2": 24294, "2024Q3": 24297, "2024Q4": 24300, "2025Q1": 24303, "2025Q2": 24306}


def index_of(plan: Plan, rows: list[tuple[str, str, str, float]]) -> SeriesIndex:
    frame = pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])
    return SeriesIndex(frame, plan=plan)


def test_ratio_change_is_nan_for_a_zero_or_missing_base() -> None:
    """120/100 − 1 = 0.2; 5/0 and 5/NaN have no change (NaN, never inf)."""
    got = ratio_change(np.array([120.0, 5.0, 5.0]), np.array([100.0, 0.0, np.nan]))
    assert got[0] == pytest.approx(0.2) and np.isnan(got[1:]).all()


def test_yoy_and_qoq_of_a_stock(plan: Plan) -> None:
    """5G基站 (quarterly stock) in 太原: 2024Q2 100, 2025Q1 150, 2025Q2 160.

    YoY at 2025Q2 = 160/100 − 1 = 0.6; QoQ = 160/150 − 1 = 1/15 ≈ 0.066667.
    """
    index = index_of(
        plan,
        [
            ("base_stations_5g", "140100", "2024Q2", 100.0),
            ("base_stations_5g", "140100", "2025Q1", 150.0),
            ("base_stations_5g", "140100", "2025Q2", 160.0),
        ],
    )
    yoy, qoq = period_changes(
        index,
        series=index.codes(["base_stations_5g"], ["140100"]),
        ordinal=np.array([Q["2025Q2"]]),
        months=np.array([3]),
        is_flow=np.array([False]),
        current=np.array([160.0]),
    )
    assert yoy[0] == pytest.approx(0.6)
    assert qoq[0] == pytest.approx(1 / 15)


def test_qoq_of_a_year_to_date_flow_compares_single_quarters(plan: Plan) -> None:
    """软件收入 (quarterly YTD flow): 2024 Q2 20, Q3 30, Q4 42; 2025 Q1 10, Q2 22.

    2025Q2: its own quarter is 22 − 10 = 12; Q1 is its own YTD, 10: QoQ = 12/10 − 1 = 0.2.
    2025Q1: its own quarter is 10; 2024Q4's own is 42 − 30 = 12: QoQ = 10/12 − 1 = −1/6.
    YoY compares YTD values: 2025Q2 22/20 − 1 = 0.1; 2025Q1 has no 2024Q1: NaN.
    """
    code = "software_revenue"
    index = index_of(
        plan,
        [
            (code, "140100", "2024Q2", 20.0),
            (code, "140100", "2024Q3", 30.0),
            (code, "140100", "2024Q4", 42.0),
            (code, "140100", "2025Q1", 10.0),
            (code, "140100", "2025Q2", 22.0),
        ],
    )
    yoy, qoq = period_changes(
        index,
        series=index.codes([code, code], ["140100", "140100"]),
        ordinal=np.array([Q["2025Q2"], Q["2025Q1"]]),
        months=np.array([3, 3]),
        is_flow=np.array([True, True]),
        current=np.array([22.0, 10.0]),
    )
    assert qoq == pytest.approx([0.2, -1 / 6])
    assert yoy[0] == pytest.approx(0.1) and np.isnan(yoy[1])


def test_no_current_value_and_annual_values_have_no_qoq(plan: Plan) -> None:
    """A MISSING ordinal gives NaN for both; an annual value (12 months) has YoY but no QoQ: 110/100 − 1."""
    index = index_of(
        plan,
        [
            ("digital_economy_scale", "140000", "2023", 100.0),
            ("digital_economy_scale", "140000", "2024", 110.0),
        ],
    )
    yoy, qoq = period_changes(
        index,
        series=index.codes(["digital_economy_scale"] * 2, ["140000"] * 2),
        ordinal=np.array([2024 * 12 + 12, MISSING]),
        months=np.array([12, 12]),
        is_flow=np.array([True, True]),
        current=np.array([110.0, np.nan]),
    )
    assert yoy[0] == pytest.approx(0.1) and np.isnan(yoy[1]) and np.isnan(qoq).all()


def test_rank_share_and_peers_within_groups() -> None:
    """Group a (higher is better): 30, 10, 30, NaN → ranks 1, 3, 1, NaN (ties share the lowest);
    shares 30/70, 10/70, 30/70, NaN; 3 peers. Group b (lower is better): 0.4, 0.2 → ranks 2, 1;
    shares 0.4/0.6 = 2/3 and 1/3. Group c sums to 0: no share.
    """
    values = np.array([30.0, 10.0, 30.0, np.nan, 0.4, 0.2, 0.0, 0.0])
    groups = np.array(["a", "a", "a", "a", "b", "b", "c", "c"], dtype=object)
    lower = np.array([False] * 4 + [True] * 2 + [False] * 2)
    ranks = peer_rank(values, groups, lower_is_better=lower)
    assert (
        ranks[:6].tolist()[:3] == [1.0, 3.0, 1.0] and np.isnan(ranks[3]) and ranks[4:6].tolist() == [2.0, 1.0]
    )
    share = peer_share(values, groups)
    assert share[:3] == pytest.approx([3 / 7, 1 / 7, 3 / 7]) and np.isnan(share[3])
    assert share[4:6] == pytest.approx([2 / 3, 1 / 3]) and np.isnan(share[6:]).all()
    assert peer_count(values, groups).tolist() == [3, 3, 3, 3, 2, 2, 2, 2]


def test_path_value_is_linear_or_geometric() -> None:
    """B = 100, T = 400, e = 0.5: linear 100 + 300·0.5 = 250; geometric 100·4^0.5 = 200;
    geometric asked with B = 0 falls back to linear: 0 + 400·0.5 = 200."""
    got = path_value(
        np.array([100.0, 100.0, 0.0]),
        np.array([400.0, 400.0, 400.0]),
        np.array([0.5, 0.5, 0.5]),
        geometric=np.array([False, True, True]),
    )
    assert got == pytest.approx([250.0, 200.0, 200.0])


def target_rows(**changes: object) -> pd.DataFrame:
    row: dict[str, object] = {
        "target_id": "x@140000:2022", "year": 2022, "target": 100.0, "baseline": 36.0,
        "baseline_period": "2020Q4", "trajectory": "linear",
    }  # fmt: skip
    row.update(changes)
    return pd.DataFrame([row])


def test_linear_expected_path_runs_from_baseline_to_target_each_quarter() -> None:
    """2020Q4 → 2022Q4: 8 quarters; B = 36, T = 100, so +8 a quarter; ordinals 24252 … 24276."""
    path = expected_path(target_rows())
    assert path["value"].round(6).tolist() == [36.0, 44.0, 52.0, 60.0, 68.0, 76.0, 84.0, 92.0, 100.0]
    assert path["ordinal"].tolist() == list(range(24252, 24277, 3))
    assert set(path["target_id"]) == {"x@140000:2022"}


def test_geometric_expected_path_grows_by_a_constant_factor() -> None:
    """2020 → 2022 is 24 months: halfway (2021Q4, ordinal 24264) the value is 100·4^0.5 = 200."""
    path = expected_path(
        target_rows(trajectory="geometric", baseline=100.0, target=400.0, baseline_period="2020")
    )
    assert path.loc[path["ordinal"] == 24264, "value"].item() == pytest.approx(200.0)
    assert path["value"].iloc[-1] == pytest.approx(400.0)


def test_paths_of_several_targets_and_none_without_a_baseline() -> None:
    """Two targets: 2020Q4 → 2022 (9 points) and 2024Q4 → 2025 (5 points); no baseline: no points."""
    rows = pd.concat(
        [
            target_rows(),
            target_rows(target_id="y", year=2025, baseline=0.0, baseline_period="2024Q4", target=40.0),
            target_rows(target_id="z", baseline=None),
        ]
    )
    path = expected_path(rows)
    assert path.groupby("target_id").size().to_dict() == {"x@140000:2022": 9, "y": 5}
    assert path.loc[path["target_id"] == "y", "value"].tolist() == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert expected_path(target_rows(baseline=None)).empty


@pytest.mark.parametrize(
    ("trajectory", "expected"),
    [
        ("linear", 20000.0),  # B = 10000 at 2020Q4, T = 30000 at end 2022, e = 12/24: 10000 + 20000·0.5
        ("geometric", 10000.0 * 3**0.5),  # 10000·(30000/10000)^0.5 ≈ 17320.5
    ],
)
def test_the_drawn_path_passes_through_the_engines_expected_value(
    plan: Plan, trajectory: str, expected: float
) -> None:
    """At the as-of period (2021Q4, ordinal 24264) the chart's path and the progress row's E agree."""
    targets = [
        Target(
            region="140000",
            year=2022,
            clause="test",
            indicator="base_stations_5g",
            value=30000.0,
            comparator=Comparator.GE,
            trajectory=Trajectory(trajectory),
        )
    ]
    observations = pd.DataFrame(
        [
            ("base_stations_5g", "140000", "2020Q4", 10000.0),
            ("base_stations_5g", "140000", "2021Q4", 19000.0),
        ],
        columns=["indicator", "region", "period", "value"],
    )
    rows = compute_progress(
        plan=plan, observations=observations, as_of="2021Q4", targets=targets, explain=False
    )
    assert rows["expected"].iloc[0] == pytest.approx(expected)
    path = expected_path(rows)
    assert path.loc[path["ordinal"] == 24264, "value"].item() == pytest.approx(expected)
