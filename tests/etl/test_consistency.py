"""Warnings: plausible values that deserve a second look, against the published data and the file itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import etl
from indicators.model import Plan, RegionLevel
from tests.etl.conftest import long_rows, published

Result = Callable[..., etl.UploadResult]
WARNING_FIELDS = ["row", "column", "code", "old", "new"]


def _warnings(result: etl.UploadResult) -> list[list[object]]:
    assert result.report.valid, result.report.flatten(["row", "code", "message_en"])
    return result.report.flatten(WARNING_FIELDS, severity="warning")


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (100.0, 151.0, [[2, "数值", "large-change", 100.0, 151.0]]),  # +51 % > 50 %
        (100.0, 150.0, []),  # exactly at the threshold: no warning
        (
            100.0,
            40.0,
            [[2, "数值", "large-change", 100.0, 40.0], [2, "数值", "stock-decreased", 100.0, 40.0]],
        ),
        (0.0, 40.0, []),  # a change from zero has no ratio
    ],
)
def test_a_stock_is_compared_with_its_previous_period(
    write_csv: Callable[..., Path], ingest: Result, before: float, now: float, expected: list[list[object]]
) -> None:
    pub = published([("base_stations_5g", "140100", "2024Q2", before)])
    result = ingest(write_csv(long_rows(["5G基站数", "太原", "2024Q3", str(now)])), pub)
    assert _warnings(result) == expected


def test_a_large_change_message_names_the_basis_and_threshold(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    pub = published([("base_stations_5g", "140100", "2024Q2", 100)])
    (warning,) = ingest(write_csv(long_rows(["5G基站数", "太原", "2024Q3", "160"])), pub).report.warnings
    assert warning.message_zh == "第2行“数值”列：较上期（2024Q2：100）增长60.0%，超过预警阈值50%"
    assert (
        warning.message_en == "row 2, column 数值: up 60.0% on the previous period (2024Q2: 100), "
        "above the 50% warning threshold"
    )
    assert warning.severity == "warning"


def test_a_flow_is_compared_with_the_same_period_last_year_not_the_previous_quarter(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    pub = published(
        [("software_revenue", "140100", "2023Q1", 10.0), ("software_revenue", "140100", "2023Q4", 100.0)]
    )
    # 2024Q1 is a quarter's worth of year-to-date revenue: far below 2023Q4, but +40 % on 2023Q1 (> 30 %)
    result = ingest(write_csv(long_rows(["软件业务收入", "太原", "2024Q1", "14"])), pub)
    assert _warnings(result) == [[2, "数值", "large-change", 10.0, 14.0]]
    assert "较上年同期（2023Q1：10）增长40.0%" in result.report.warnings[0].message_zh


def test_a_year_to_date_flow_that_falls_within_the_year_warns(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    pub = published([("software_revenue", "140100", "2024Q2", 100.0)])
    result = ingest(write_csv(long_rows(["软件业务收入", "太原", "2024Q3", "90"])), pub)
    assert _warnings(result) == [[2, "数值", "ytd-decreased", 100.0, 90.0]]


def test_values_in_the_same_file_are_compared_with_each_other(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    rows = long_rows(
        ["5G基站数", "太原", "2024Q2", "100"],
        ["5G基站数", "太原", "2024Q3", "90"],
        ["软件业务收入", "太原", "2024Q1", "30"],
        ["软件业务收入", "太原", "2024Q2", "25"],
    )
    assert [w[:3] for w in _warnings(ingest(write_csv(rows)))] == [
        [3, "数值", "stock-decreased"],
        [5, "数值", "ytd-decreased"],
    ]


def test_the_file_wins_over_the_published_value_it_replaces(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    pub = published(
        [("base_stations_5g", "140100", "2024Q2", 10.0), ("base_stations_5g", "140100", "2024Q3", 100.0)]
    )
    rows = long_rows(["5G基站数", "太原", "2024Q2", "99"], ["5G基站数", "太原", "2024Q3", "100"])
    # Q2 is revised from 10 to 99; Q3 is compared with the revised Q2, so no large change
    assert _warnings(ingest(write_csv(rows), pub)) == [[2, "数值", "revision", 10.0, 99.0]]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["5G基站数", "太原", "2024Q3", "120"], [[2, "数值", "revision", 100.0, 120.0]]),
        (["5G基站数", "太原", "2024Q3", "100"], []),
        (["5G基站数", "太原", "2024Q3", "100.0"], []),
    ],
)
def test_a_revision_of_a_published_value_shows_old_and_new(
    write_csv: Callable[..., Path], ingest: Result, row: list[str], expected: list[list[object]]
) -> None:
    pub = published([("base_stations_5g", "140100", "2024Q3", 100.0)])
    result = ingest(write_csv(long_rows(row)), pub)
    assert _warnings(result) == expected
    if expected:
        assert result.report.warnings[0].message_zh == "第2行“数值”列：将修订已发布数据：100 → 120"


def test_the_same_number_in_another_unit_is_not_a_revision(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    pub = published([("software_revenue", "140100", "2024Q3", 1.2345)])
    rows = [["指标", "地区", "时期", "数值", "单位"], ["软件业务收入", "太原", "2024Q3", "12345", "万元"]]
    assert _warnings(ingest(write_csv(rows), pub)) == []


def _city_rows(plan: Plan, total: float, each: float) -> list[list[str]]:
    cities = [r for r in plan.regions if r.level is RegionLevel.CITY]
    rows = [["5G基站数", "全省", "2024Q3", str(total)]]
    rows += [["5G基站数", c.short_name, "2024Q3", str(each)] for c in cities]
    return long_rows(*rows, ["5G基站数", "综改区", "2024Q3", "500"])  # the zone never counts


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (1100.0, []),
        (1110.0, []),  # within 1 %
        (1200.0, [[2, "数值", "city-sum-mismatch", 1200.0, 1100.0]]),  # old: reported, new: the sum
    ],
)
def test_the_provinces_reported_value_is_checked_against_its_cities(
    write_csv: Callable[..., Path], ingest: Result, plan: Plan, total: float, expected: list[list[object]]
) -> None:
    result = ingest(write_csv(_city_rows(plan, total, 100.0)))
    assert _warnings(result) == expected
    if expected:
        assert result.report.warnings[0].message_zh == (
            "第2行“数值”列：2024Q3“山西省”报告值 1,200 与下级地区合计 1,100 相差 8.3%，超过 1%"
        )


def test_the_sum_check_uses_published_cities_and_waits_for_all_of_them(
    write_csv: Callable[..., Path], ingest: Result, plan: Plan
) -> None:
    cities = [r for r in plan.regions if r.level is RegionLevel.CITY]
    all_cities = published(("base_stations_5g", c.code, "2024Q3", 100.0) for c in cities)
    some_cities = published(("base_stations_5g", c.code, "2024Q3", 100.0) for c in cities[:5])
    province = write_csv(long_rows(["5G基站数", "全省", "2024Q3", "2000"]))
    assert [w[2] for w in _warnings(ingest(province, all_cities))] == ["city-sum-mismatch"]
    assert _warnings(ingest(province, some_cities)) == []  # incomplete: nothing to compare yet


def test_a_city_in_the_file_is_where_the_sum_warning_goes_when_the_province_is_published(
    write_csv: Callable[..., Path], ingest: Result, plan: Plan
) -> None:
    cities = [r for r in plan.regions if r.level is RegionLevel.CITY]
    pub = published(
        [("base_stations_5g", "140000", "2024Q3", 1100.0)]
        + [("base_stations_5g", c.code, "2024Q3", 100.0) for c in cities[1:]]
    )
    result = ingest(write_csv(long_rows(["5G基站数", cities[0].name, "2024Q3", "300"])), pub)
    assert [w[:3] for w in _warnings(result)] == [[2, "数值", "city-sum-mismatch"]]


def test_an_indicator_that_does_not_sum_is_not_checked(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    rows = long_rows(["关键工序数控化率", "全省", "2024", "50"], ["关键工序数控化率", "太原", "2024", "90"])
    assert _warnings(ingest(write_csv(rows))) == []


def test_warnings_do_not_make_the_upload_invalid(write_csv: Callable[..., Path], ingest: Result) -> None:
    pub = published([("base_stations_5g", "140100", "2024Q3", 100.0)])
    result = ingest(write_csv(long_rows(["5G基站数", "太原", "2024Q3", "999"])), pub)
    assert result.report.valid and result.report.errors == ()
    assert len(result.values) == 1 and result.report.codes() == {"revision"}


def test_published_rows_the_catalog_does_not_know_are_ignored(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    pub = published(
        [
            ("retired_indicator", "140100", "2024Q2", 1.0),
            ("base_stations_5g", "999999", "2024Q2", 1.0),
            ("base_stations_5g", "140100", "2024", 1.0),  # not the indicator's frequency
            ("base_stations_5g", "140100", "bad", 1.0),
        ]
    )
    assert _warnings(ingest(write_csv(long_rows(["5G基站数", "太原", "2024Q3", "100"])), pub)) == []
