"""Region totals: reported values stand, cities add up where the province is silent, zones never count."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from indicators.aggregate import AGGREGATED_COLUMNS, aggregate_regions
from indicators.model import Plan
from indicators.plan import parse_plan

PROVINCE, TAIYUAN, DATONG, ZONE = "140000", "140100", "140200", "ZGQ"


def frame(*rows: tuple[str, str, str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])


def flat(result: pd.DataFrame, region: str) -> list[list[Any]]:
    """The rows of one region as plain lists: period, value, source, children_sum, inconsistent, partial."""
    rows = result[result["region"] == region].sort_values(["indicator", "period"])
    columns = ["period", "value", "source", "children_sum", "inconsistent", "partial"]
    return [
        [None if pd.isna(v) else v for v in row] for row in rows[columns].astype(object).to_numpy().tolist()
    ]


def test_province_is_the_sum_of_its_cities_without_the_zone(plan: Plan) -> None:
    obs = frame(
        ("base_stations_5g", TAIYUAN, "2021Q4", 6000),
        ("base_stations_5g", DATONG, "2021Q4", 4000),
        ("base_stations_5g", ZONE, "2021Q4", 2500),  # overlaps 太原/晋中: never added
    )
    result = aggregate_regions(plan=plan, observations=obs)
    assert list(result.columns) == list(AGGREGATED_COLUMNS)
    assert flat(result, PROVINCE) == [["2021Q4", 10000.0, "city_sum", 10000.0, False, True]]
    assert flat(result, ZONE) == [["2021Q4", 2500.0, "reported", None, False, False]]
    assert len(result) == 4


@pytest.mark.parametrize(
    ("taiyuan", "inconsistent"),
    [
        # province reports 10000; cities add up to 4000 + 太原; flagged when |sum − 10000| > 1 % · 10000
        (6000, False),
        (6100, False),  # exactly 1 % above: not more than the threshold
        (6101, True),
        (5900, False),  # exactly 1 % below
        (5899, True),
    ],
)
def test_reported_province_stands_and_is_checked_against_its_cities(
    plan: Plan, taiyuan: float, inconsistent: bool
) -> None:
    obs = frame(
        ("base_stations_5g", TAIYUAN, "2021Q4", taiyuan),
        ("base_stations_5g", DATONG, "2021Q4", 4000),
        ("base_stations_5g", PROVINCE, "2021Q4", 10000),
    )
    result = aggregate_regions(plan=plan, observations=obs)
    assert flat(result, PROVINCE) == [["2021Q4", 10000.0, "reported", 4000.0 + taiyuan, inconsistent, False]]


def test_indicators_that_do_not_add_up_are_not_summed(plan: Plan) -> None:
    obs = frame(
        ("nc_rate_key_processes", TAIYUAN, "2021", 60.0), ("nc_rate_key_processes", DATONG, "2021", 50.0)
    )
    assert flat(aggregate_regions(plan=plan, observations=obs), PROVINCE) == []


def test_sums_are_per_period_and_rows_without_value_are_dropped(plan: Plan) -> None:
    obs = frame(
        ("smart_factories", TAIYUAN, "2021Q3", 30),
        ("smart_factories", TAIYUAN, "2021Q4", 40),
        ("smart_factories", DATONG, "2021Q4", None),
    )
    result = aggregate_regions(plan=plan, observations=obs)
    assert flat(result, PROVINCE) == [
        ["2021Q3", 30.0, "city_sum", 30.0, False, True],
        ["2021Q4", 40.0, "city_sum", 40.0, False, True],
    ]
    assert obs["value"].isna().sum() == 1  # the input is not modified


def test_complete_cities_are_not_partial(plan: Plan) -> None:
    cities = [r.code for r in plan.children(PROVINCE) if r.summable]
    obs = frame(*[("smart_factories", code, "2021Q4", 10) for code in cities])
    assert flat(aggregate_regions(plan=plan, observations=obs), PROVINCE) == [
        ["2021Q4", 110.0, "city_sum", 110.0, False, False]
    ]


def _three_levels() -> Plan:
    """A province with one city of two counties, and a zone."""
    regions = [
        {"code": PROVINCE, "name": "山西省", "level": "province"},
        {"code": "140100", "name": "太原市", "level": "city", "parent": PROVINCE},
        {"code": "140105", "name": "小店区", "level": "county", "parent": "140100"},
        {"code": "140106", "name": "迎泽区", "level": "county", "parent": "140100"},
        {"code": ZONE, "name": "山西综改示范区", "level": "zone", "parent": PROVINCE},
    ]
    indicator = {
        "code": "base_stations_5g",
        "name": "5G基站数",
        "unit": "个",
        "frequency": "quarterly",
        "measure": "stock",
        "domain": "net",
        "department": "comms",
    }
    return parse_plan(
        {
            "plan": {
                "code": "t",
                "document": "t",
                "title": "t",
                "issued": "2021-08-01",
                "baseline_year": 2020,
            },
            "regions": regions,
            "departments": [{"code": "comms", "name": "省通信管理局"}],
            "domains": [{"code": "net", "name": "网"}],
            "indicators": [indicator],
        }
    )


def test_counties_add_up_to_cities_and_cities_to_the_province() -> None:
    plan = _three_levels()
    obs = frame(("base_stations_5g", "140105", "2021Q4", 300), ("base_stations_5g", "140106", "2021Q4", 200))
    result = aggregate_regions(plan=plan, observations=obs)
    assert flat(result, "140100") == [["2021Q4", 500.0, "county_sum", 500.0, False, False]]
    assert flat(result, PROVINCE) == [["2021Q4", 500.0, "city_sum", 500.0, False, False]]


def test_a_reported_city_is_used_in_the_province_sum_and_checked_against_its_counties() -> None:
    plan = _three_levels()
    obs = frame(
        ("base_stations_5g", "140105", "2021Q4", 300),
        ("base_stations_5g", "140106", "2021Q4", 200),
        ("base_stations_5g", "140100", "2021Q4", 520),
    )
    result = aggregate_regions(plan=plan, observations=obs)
    assert flat(result, "140100") == [["2021Q4", 520.0, "reported", 500.0, True, False]]
    assert flat(result, PROVINCE) == [["2021Q4", 520.0, "city_sum", 520.0, False, False]]


def test_empty_observations(plan: Plan) -> None:
    result = aggregate_regions(plan=plan, observations=frame())
    assert result.empty
    assert list(result.columns) == list(AGGREGATED_COLUMNS)
