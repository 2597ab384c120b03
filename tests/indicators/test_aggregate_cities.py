"""City view: share of the province, contribution to growth since the baseline, YoY and rank."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.cities import CITY_COLUMNS, city_breakdown
from indicators.model import Plan

TAIYUAN, DATONG, YANGQUAN, ZONE = "140100", "140200", "140300", "ZGQ"


def frame(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator", "region", "period", "value"])


def test_share_contribution_yoy_and_rank(plan: Plan) -> None:
    """2021Q4: 太原 6000, 大同 3000, 阳泉 1000 (sum 10000); since 2020Q4 (2000, 1000, 1000) they grew by
    4000, 2000 and 0 of 6000; a year earlier 太原 had 3000."""
    obs = frame(
        ("base_stations_5g", TAIYUAN, "2020Q4", 2000),
        ("base_stations_5g", DATONG, "2020Q4", 1000),
        ("base_stations_5g", YANGQUAN, "2020Q4", 1000),
        ("base_stations_5g", TAIYUAN, "2021Q4", 6000),
        ("base_stations_5g", DATONG, "2021Q4", 3000),
        ("base_stations_5g", YANGQUAN, "2021Q4", 1000),
        ("base_stations_5g", ZONE, "2021Q4", 5000),  # not a city: not in the view, not in the total
    )
    view = city_breakdown(plan=plan, observations=obs, indicator="base_stations_5g", as_of="2021Q4")
    assert list(view.columns) == list(CITY_COLUMNS)
    head = view.head(3)
    assert head["region"].tolist() == [TAIYUAN, DATONG, YANGQUAN]
    assert head["name"].tolist() == ["太原", "大同", "阳泉"]
    assert head["share"].tolist() == pytest.approx([0.6, 0.3, 0.1])
    assert head["change"].tolist() == [4000, 2000, 0]
    assert head["contribution"].tolist() == pytest.approx([4000 / 6000, 2000 / 6000, 0])
    assert head["rank"].tolist() == [1, 2, 3]
    assert (head["period"] == "2021Q4").all() and (head["baseline_period"] == "2020Q4").all()
    assert view["rank"].isna().sum() == len(view) - 3  # cities without a value are not ranked
    assert ZONE not in set(view["region"])


def test_latest_period_with_any_city_is_used(plan: Plan) -> None:
    obs = frame(("base_stations_5g", TAIYUAN, "2021Q3", 5000), ("base_stations_5g", TAIYUAN, "2021Q4", 6000))
    view = city_breakdown(plan=plan, observations=obs, indicator="base_stations_5g")
    assert view.loc[0, ["period", "value", "share"]].tolist() == ["2021Q4", 6000, 1.0]
    earlier = city_breakdown(plan=plan, observations=obs, indicator="base_stations_5g", as_of="2021Q3")
    assert earlier.loc[0, "value"] == 5000


def test_flows_compare_with_the_same_period_of_the_baseline_year(plan: Plan) -> None:
    """Q3 YTD 2021 against Q3 YTD 2020 (not the 2020 total): 太原 +30, 大同 +10."""
    obs = frame(
        ("software_revenue", TAIYUAN, "2020Q3", 70),
        ("software_revenue", TAIYUAN, "2020Q4", 100),
        ("software_revenue", DATONG, "2020Q3", 20),
        ("software_revenue", TAIYUAN, "2021Q3", 100),
        ("software_revenue", DATONG, "2021Q3", 30),
    )
    view = city_breakdown(plan=plan, observations=obs, indicator="software_revenue").head(2)
    assert view["baseline_period"].tolist() == ["2020Q3", "2020Q3"]
    assert view["change"].tolist() == [30, 10]
    assert view["contribution"].tolist() == pytest.approx([0.75, 0.25])
    assert view["yoy"].tolist() == pytest.approx([30 / 70, 0.5])


def test_rates_are_ranked_but_have_no_share(plan: Plan) -> None:
    obs = frame(
        ("nc_rate_key_processes", TAIYUAN, "2021", 55.0), ("nc_rate_key_processes", DATONG, "2021", 60.0)
    )
    view = city_breakdown(plan=plan, observations=obs, indicator="nc_rate_key_processes").head(2)
    assert view["region"].tolist() == [DATONG, TAIYUAN]
    assert view["share"].isna().all() and view["contribution"].isna().all()
