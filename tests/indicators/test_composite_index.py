"""Composite 数字经济发展指数 on a tiny plan whose numbers can be recomputed by hand.

Plan: province P with cities X and Y. Pillar D1 (weight 0.6) = a (quarterly stock, 0.5, reference
200) + b (quarterly YTD flow, 0.5, reference 400 a year); pillar D2 (0.4) = c (annual, lower is
better, 1.0, reference 5). Every indicator adds up, so a city's reference is half the province's
(two cities): a 100, b 200 a year, c 2.5. Score = 100 × value / reference (c: reference / value),
capped at 300 (the default cap); an index below 70 % coverage is not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd
import pytest

from indicators.composite import COMPOSITE_COLUMNS, TOTAL, composite_index
from indicators.model import Plan
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
                        "indicators": [
                            {"code": "a", "weight": 0.5, "reference": 200},
                            {"code": "b", "weight": 0.5, "reference": 400},
                        ],
                    },
                    {
                        "code": "D2",
                        "name": "二",
                        "weight": 0.4,
                        "indicators": [{"code": "c", "weight": 1.0, "reference": 5}],
                    },
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
    ("a", "P", "2021Q2", 120),  # 100·120/200 = 60
    ("b", "P", "2021Q2", 60),  # Q2 YTD against 6/12 of 400 = 200: 30
    ("a", "X", "2021Q2", 30),  # 100·30/100 = 30; b missing
    ("c", "X", "2020", 20),  # lower is better: 100·2.5/20 = 12.5
    ("c", "Y", "2020", 5),  # 100·2.5/5 = 50; Y has nothing in D1
]


def frame(rows: Sequence[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])


def table(result: pd.DataFrame) -> list[list[Any]]:
    return [
        [r, d, None if v != v else pytest.approx(v), pytest.approx(c), bool(p)]
        for r, d, v, c, p in result[["region", "dimension", "value", "coverage", "published"]]
        .to_numpy()
        .tolist()
    ]


def test_index_by_hand(tiny: Plan) -> None:
    """P: c at 2021Q2 is 2020's 10 → 100·5/10 = 50. D1 = ½·60 + ½·30 = 45, D2 = 50,
    total = 0.6·45 + 0.4·50 = 47, coverage 1.
    X: b missing → D1 = 30 on half its weight; D2 = 12.5; total = (0.6·30 + 0.4·12.5)/1 = 23;
    coverage 0.6·0.5 + 0.4 = 0.7: exactly the minimum, published (its D1 alone, at 0.5, is not).
    Y: D1 empty → total would be 50 on coverage 0.4 < 0.7: not published; its D2 (coverage 1) is."""
    result = composite_index(plan=tiny, observations=frame(BASE + LATER), periods=["2021Q2"])
    assert list(result.columns) == list(COMPOSITE_COLUMNS)
    assert (result["period"] == "2021Q2").all()
    assert table(result) == [
        ["P", TOTAL, 47, 1.0, True],
        ["P", "D1", 45, 1.0, True],
        ["P", "D2", 50, 1.0, True],
        ["X", TOTAL, 23, 0.7, True],
        ["X", "D1", None, 0.5, False],  # 30 on half the pillar's weight: withheld
        ["X", "D2", 12.5, 1.0, True],
        ["Y", TOTAL, None, 0.4, False],
        ["Y", "D2", 50, 1.0, True],
    ]


def test_scores_are_capped_so_a_fast_grower_cannot_dominate(tiny: Plan) -> None:
    """a = 1000 against 200 would score 500: capped at 300. D1 = ½·300 + ½·30 = 165,
    total = 0.6·165 + 0.4·50 = 119."""
    rows = [r for r in BASE + LATER if r[:2] != ("a", "P")] + [("a", "P", "2021Q2", 1000)]
    result = composite_index(plan=tiny, observations=frame(rows), periods=["2021Q2"], regions=["P"])
    values = result.set_index("dimension")["value"]
    assert (values["D1"], values[TOTAL]) == (pytest.approx(165), pytest.approx(119))


def test_a_ytd_flow_is_compared_with_the_part_of_its_reference_due(tiny: Plan) -> None:
    """b (reference 400 a year) at Q1 100, Q2 200, Q3 300, Q4 400: 100 every quarter (25/50/75/100 %)."""
    rows = [("b", "P", f"2021Q{q}", 100 * q) for q in range(1, 5)]
    lenient = replace(tiny, index=replace(tiny.index, min_coverage=0.5))  # b is half of D1
    result = composite_index(plan=lenient, observations=frame(rows), regions=["P"])
    d1 = result[result["dimension"] == "D1"].set_index("period")["value"]
    assert d1.to_dict() == {f"2021Q{q}": pytest.approx(100) for q in range(1, 5)}


def test_a_city_sum_stands_in_for_a_silent_province(tiny: Plan) -> None:
    """P = 90 + 60 = 150 → 100·150/200 = 75; X = 90 against 100 → 90."""
    rows = [
        ("a", "X", "2020Q4", 60),
        ("a", "Y", "2020Q4", 40),
        ("a", "X", "2021Q4", 90),
        ("a", "Y", "2021Q4", 60),
    ]
    result = composite_index(plan=tiny, observations=frame(rows), periods=["2021Q4"], regions=["P", "X"])
    d1 = result[result["dimension"] == "D1"].set_index("region")["value"]
    assert d1.isna().all()  # a alone is half of D1: below 70 % coverage, not published
    coverage = result[result["dimension"] == "D1"].set_index("region")["coverage"]
    assert coverage.to_dict() == {"P": 0.5, "X": 0.5}


def test_the_real_plans_index_withholds_a_thin_index() -> None:
    """Only 5G base stations (weight 0.3 in a pillar of weight 0.3): coverage 0.09 < 0.7, withheld;
    the score itself would be 100·25000/120000 = 20.83."""
    plan = load_plan()
    rows = [("base_stations_5g", "140000", "2020Q4", 10000), ("base_stations_5g", "140000", "2021Q4", 25000)]
    result = composite_index(plan=plan, observations=frame(rows))
    total = result[result["dimension"] == TOTAL].set_index("period")
    assert total.loc["2021Q4", "coverage"] == pytest.approx(0.3 * 0.3)
    assert bool(total.loc["2021Q4", "published"]) is False and total["value"].isna().all()


def test_an_annual_indicator_keeps_last_years_value_until_the_new_one_is_published(plan: Plan) -> None:
    """数字经济规模 is annual: at 2025Q1 the 2024 value is not published yet, so 2023's is used;
    alone it is 0.6 of a 0.15 pillar, withheld in the total, but its pillar's coverage shows 0.6."""
    observations = pd.DataFrame(
        [
            ("digital_economy_scale", "140000", "2020", 4000.0),
            ("digital_economy_scale", "140000", "2023", 5000.0),
        ],
        columns=["indicator", "region", "period", "value"],
    )
    frame = composite_index(plan=plan, observations=observations, periods=["2025Q1"], regions=["140000"])
    pillar = frame[frame["dimension"] == "ecosystem"].iloc[0]
    assert pillar["coverage"] == pytest.approx(0.6)  # 100 × 5000 / 8000 = 62.5 had it been published
