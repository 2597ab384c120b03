"""Composite 数字经济发展指数 on a tiny plan whose numbers can be recomputed by hand.

Plan: province P with cities X and Y. Dimension D1 (weight 0.6) = a (quarterly stock, 0.5) + b
(quarterly YTD flow, 0.5); dimension D2 (0.4) = c (annual, lower is better, 1.0). Base year 2020:
P's a = 100 at 2020Q4, b = 40 at 2020Q2 (YTD) and 100 at 2020Q4, c = 10 in 2020.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest

from indicators.catalog import Plan
from indicators.composite import COMPOSITE_COLUMNS, TOTAL, composite_index
from indicators.plan import load_plan, parse_plan


def _indicator(code: str, frequency: str, measure: str, polarity: str = "higher") -> dict[str, Any]:
    return {
        "code": code,
        "name": code,
        "unit": "个",
        "frequency": frequency,
        "measure": measure,
        "polarity": polarity,
        "domain": "d",
        "department": "dep",
    }


@pytest.fixture(scope="module")
def tiny() -> Plan:
    return parse_plan(
        {
            "plan": {
                "code": "t",
                "document": "t",
                "title": "t",
                "issued": "2021-01-01",
                "baseline_year": 2020,
            },
            "regions": [
                {"code": "P", "name": "省", "level": "province"},
                {"code": "X", "name": "甲市", "level": "city", "parent": "P"},
                {"code": "Y", "name": "乙市", "level": "city", "parent": "P"},
            ],
            "departments": [{"code": "dep", "name": "部门"}],
            "domains": [{"code": "d", "name": "域"}],
            "indicators": [
                _indicator("a", "quarterly", "stock"),
                _indicator("b", "quarterly", "flow"),
                _indicator("c", "annual", "stock", "lower"),
            ],
            "index": {
                "base_year": 2020,
                "dimensions": [
                    {
                        "code": "D1",
                        "name": "一",
                        "weight": 0.6,
                        "indicators": [{"code": "a", "weight": 0.5}, {"code": "b", "weight": 0.5}],
                    },
                    {"code": "D2", "name": "二", "weight": 0.4, "indicators": [{"code": "c", "weight": 1.0}]},
                ],
            },
        }
    )


BASE = [
    ("a", "P", "2020Q4", 100),
    ("b", "P", "2020Q2", 40),
    ("b", "P", "2020Q4", 100),
    ("c", "P", "2020", 10),
]
LATER = [
    ("a", "P", "2021Q2", 120),  # 120
    ("b", "P", "2021Q2", 60),  # Q2 YTD against 2020Q2: 60/40 = 150
    ("a", "X", "2021Q2", 30),  # 30; b missing
    ("c", "X", "2020", 20),  # lower is better: 100·10/20 = 50
    ("c", "Y", "2020", 5),  # 200; Y has nothing in D1
]


def frame(rows: Sequence[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])


def table(result: pd.DataFrame) -> list[list[Any]]:
    return [
        [r, d, pytest.approx(v), pytest.approx(c)]
        for r, d, v, c in result[["region", "dimension", "value", "coverage"]].to_numpy().tolist()
    ]


def test_index_by_hand(tiny: Plan) -> None:
    """P: D1 = ½·120 + ½·150 = 135, D2 = 100 (c: 2020 is the latest annual value),
    total = 0.6·135 + 0.4·100 = 121.
    X: b missing → D1 = 30 on half its weight; D2 = 50; total = 0.6·30 + 0.4·50 = 38;
    coverage 0.6·0.5 + 0.4 = 0.7.
    Y: D1 empty → total = D2 = 200 re-weighted; coverage 0.4."""
    result = composite_index(plan=tiny, observations=frame(BASE + LATER), periods=["2021Q2"])
    assert list(result.columns) == list(COMPOSITE_COLUMNS)
    assert (result["period"] == "2021Q2").all()
    assert table(result) == [
        ["P", TOTAL, 121, 1.0],
        ["P", "D1", 135, 1.0],
        ["P", "D2", 100, 1.0],
        ["X", TOTAL, 38, 0.7],
        ["X", "D1", 30, 0.5],
        ["X", "D2", 50, 1.0],
        ["Y", TOTAL, 200, 0.4],
        ["Y", "D2", 200, 1.0],
    ]


def test_province_in_the_base_year_is_100_and_periods_default_to_the_finest_frequency(tiny: Plan) -> None:
    result = composite_index(plan=tiny, observations=frame(BASE + LATER), regions=["P"])
    totals = result[result["dimension"] == TOTAL].set_index("period")["value"]
    assert totals.index.tolist() == ["2020Q2", "2020Q4", "2021Q2"]
    assert totals["2020Q4"] == pytest.approx(100)
    # 2020Q2: a has no value; b = 100 (its own base); c: no annual value ended by 2020Q2 → D1 = 100 only
    assert totals["2020Q2"] == pytest.approx(100)


def test_a_city_sum_stands_in_for_a_silent_province(tiny: Plan) -> None:
    rows = [
        ("a", "X", "2020Q4", 60),
        ("a", "Y", "2020Q4", 40),
        ("a", "X", "2021Q4", 90),
        ("a", "Y", "2021Q4", 60),
    ]
    result = composite_index(plan=tiny, observations=frame(rows), periods=["2021Q4"], regions=["P", "X"])
    d1 = result[result["dimension"] == "D1"].set_index("region")["value"]
    assert d1.to_dict() == {"P": pytest.approx(150), "X": pytest.approx(90)}  # X relative to P's 2020 level


def test_the_real_plans_index_runs_on_sparse_data() -> None:
    plan = load_plan()
    rows = [("base_stations_5g", "140000", "2020Q4", 10000), ("base_stations_5g", "140000", "2021Q4", 25000)]
    result = composite_index(plan=plan, observations=frame(rows))
    total = result[result["dimension"] == TOTAL].set_index("period")
    assert total.loc["2021Q4", "value"] == pytest.approx(250)  # the only indicator with data
    assert total.loc["2021Q4", "coverage"] == pytest.approx(0.3 * 0.3)


def test_an_annual_indicator_keeps_last_years_value_until_the_new_one_is_published(plan: Plan) -> None:
    # 数字经济规模 is annual: at 2025Q1 the 2024 value is not published yet, so 2023's is used
    observations = pd.DataFrame(
        [
            ("digital_economy_scale", "140000", "2020", 4000.0),
            ("digital_economy_scale", "140000", "2023", 5000.0),
        ],
        columns=["indicator", "region", "period", "value"],
    )
    frame = composite_index(plan=plan, observations=observations, periods=["2025Q1"], regions=["140000"])
    total = frame[frame["dimension"] == "total"].iloc[0]
    assert total["value"] == pytest.approx(125.0)  # 100 × 5000 / 4000, the only indicator with data
