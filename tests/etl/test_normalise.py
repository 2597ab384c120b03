"""Normalisation rules as tables: regions, indicators, periods, units and numbers as bureaus write them."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import etl
from etl.lookup import Lexicon
from etl.numbers import parse_numbers
from etl.periods import find_period, parse_period, read_period, resolve
from indicators.model import Measure, Plan, Region, RegionLevel
from indicators.periods import Frequency
from tests.etl.conftest import long_rows


@pytest.fixture(scope="module")
def lexicon(plan: Plan) -> Lexicon:
    return Lexicon.from_plan(plan)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("太原", "140100"),
        ("太原市", "140100"),
        ("140100", "140100"),
        (" 太原市 ", "140100"),
        ("太 原", "140100"),
        ("Taiyuan", "140100"),
        ("吕梁市", "141100"),
        ("全省", "140000"),
        ("合计", "140000"),
        ("总计", "140000"),
        ("山西省", "140000"),
        ("山西", "140000"),
        ("140000", "140000"),
        ("综改区", "ZGQ"),
        ("山西综改示范区", "ZGQ"),
        ("山西转型综合改革示范区", "ZGQ"),
        ("ZGQ", "ZGQ"),
        ("太源", None),
        ("太原县", None),
        ("", None),
    ],
)
def test_region_by_code_full_name_short_name_or_alias(lexicon: Lexicon, text: str, code: str | None) -> None:
    assert lexicon.region(text) == code


def test_a_name_two_regions_share_resolves_only_by_code(plan: Plan) -> None:
    counties = tuple(
        Region(code, "城区", "城区", RegionLevel.COUNTY, parent=parent)
        for code, parent in (("140302", "140300"), ("140402", "140400"))
    )
    lexicon = Lexicon.from_plan(dataclasses.replace(plan, regions=plan.regions + counties, _by_code={}))
    assert (lexicon.region("城区"), lexicon.region("140302"), lexicon.region("140402")) == (
        None,
        "140302",
        "140402",
    )


@pytest.mark.parametrize(
    ("text", "code", "unit"),
    [
        ("base_stations_5g", "base_stations_5g", ""),
        ("5G基站数", "base_stations_5g", ""),
        ("5G基站", "base_stations_5g", ""),
        ("5g基站数", "base_stations_5g", ""),
        ("5G base stations", "base_stations_5g", ""),
        ("5G基站数（个）", "base_stations_5g", "个"),
        ("5G基站数(万个)", "base_stations_5g", "万个"),
        ("5G基站数【个】", "base_stations_5g", "个"),
        ("软件业务收入(万元)", "software_revenue", "万元"),
        ("软件业务收入（万元，累计）", "software_revenue", "万元"),
        ("软件业务收入（累计）", "software_revenue", ""),  # a qualifier, not a unit
        ("IPv6活跃用户数(万户)", "ipv6_active_users", "万户"),  # the alias carries the unit: it is still read
        ("数字经济规模(亿元)", "digital_economy_scale", "亿元"),
        ("5G基站数（含综改区）", "base_stations_5g", "含综改区"),  # kept, so it fails as a unit, not silently
        ("１２３", None, ""),
        ("奇怪指标", None, ""),
    ],
)
def test_indicator_by_code_name_or_alias_with_the_unit_split_off(
    lexicon: Lexicon, text: str, code: str | None, unit: str
) -> None:
    match = lexicon.indicator(text)
    assert (match.code, match.unit) == (code, unit)


@pytest.mark.parametrize(
    ("text", "quarterly_stock", "annual_flow"),
    [
        ("2024Q3", "2024Q3", None),
        ("2024q3", "2024Q3", None),
        ("2024 Q3", "2024Q3", None),
        ("2024-Q3", "2024Q3", None),
        ("２０２４Ｑ３", "2024Q3", None),
        ("2024年第三季度", "2024Q3", None),
        ("2024年三季度", "2024Q3", None),
        ("2024年3季度", "2024Q3", None),
        ("2024年第3季", "2024Q3", None),
        ("2024年前三季度", "2024Q3", None),
        ("2024年上半年", "2024Q2", None),
        ("2024年1-9月", "2024Q3", None),
        ("2024年1—9月", "2024Q3", None),
        ("2024年1～9月", "2024Q3", None),
        ("2024年1月-9月", "2024Q3", None),
        ("2024年9月", "2024Q3", None),
        ("2024年9月末", "2024Q3", None),
        ("2024-09", "2024Q3", None),
        ("2024.09", "2024Q3", None),
        ("2024/9", "2024Q3", None),
        ("2024M09", "2024Q3", None),
        ("202409", "2024Q3", None),
        ("2024-09-30", "2024Q3", None),
        ("2024年8月", None, None),  # not a quarter end
        ("2024Q4", "2024Q4", "2024"),
        ("2024年第四季度", "2024Q4", "2024"),
        ("2024年12月", "2024Q4", "2024"),
        ("2024年1-12月", "2024Q4", "2024"),
        ("2024年", "2024Q4", "2024"),  # a year-end stock is its Q4 value
        ("2024", "2024Q4", "2024"),
        ("2024年度", "2024Q4", "2024"),
        ("2024年全年", "2024Q4", "2024"),
    ],
)
def test_period_forms_fit_the_indicators_frequency(
    text: str, quarterly_stock: str | None, annual_flow: str | None
) -> None:
    parsed = parse_period(text)
    assert parsed is not None
    as_quarter = resolve(parsed, Frequency.QUARTERLY, Measure.STOCK)
    as_year = resolve(parsed, Frequency.ANNUAL, Measure.FLOW)
    assert (str(as_quarter) if as_quarter else None, str(as_year) if as_year else None) == (
        quarterly_stock,
        annual_flow,
    )


@pytest.mark.parametrize(
    "text", ["2024Q5", "2024年13月", "24Q3", "三季度", "2024年下半年", "abc", "", "5000"]
)
def test_unreadable_periods(text: str) -> None:
    assert parse_period(text) is None


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025Q3", "2025Q3"),
        (" 2025q3 ", "2025Q3"),
        ("2025M09", "2025M09"),  # canonical text keeps its frequency
        ("2025年第三季度", "2025Q3"),
        ("2025年三季度", "2025Q3"),
        ("2025年1-9月", "2025Q3"),  # a year-to-date range ending on a quarter is that quarter
        ("2025-09", "2025Q3"),
        ("2025年8月", "2025M08"),
        ("2024年", "2024"),
        ("2024", "2024"),
        ("2025Q5", None),
        ("下个季度", None),
        ("", None),
        ("   ", None),
    ],
)
def test_read_period_reads_a_period_as_people_type_it(text: str, period: str | None) -> None:
    """The one free-text reading used by the CLI, the API and the services (as-of, template, lock)."""
    found = read_period(text)
    assert (None if found is None else str(found)) == period


def test_a_whole_year_is_not_a_quarterly_price() -> None:
    parsed = parse_period("2024年")
    assert parsed is not None
    assert resolve(parsed, Frequency.QUARTERLY, Measure.RATE) is None  # a year's price is not Q4's
    assert str(resolve(parsed, Frequency.QUARTERLY, Measure.FLOW)) == "2024Q4"


@pytest.mark.parametrize(
    ("title", "period"),
    [
        ("2024年第三季度全省数字经济主要指标", "2024Q3"),
        ("山西省2024年1-9月数字经济运行情况", "2024Q3"),
        ("2024年全省数字经济年度指标", "2024Q4"),
        ("太原2024Q2", "2024Q2"),
        ("数字经济规模突破5000亿元", None),  # 5000 is not a year
        ("Sheet1", None),
    ],
)
def test_a_period_is_found_inside_a_title_or_sheet_name(title: str, period: str | None) -> None:
    found = find_period(title)
    shown = None if found is None else resolve(found, Frequency.QUARTERLY, Measure.STOCK)
    assert (str(shown) if shown else None) == period


@pytest.mark.parametrize(
    ("raw", "number", "missing", "suffix"),
    [
        ("1234", 1234.0, False, ""),
        (" 1234 ", 1234.0, False, ""),
        ("12,345", 12345.0, False, ""),
        ("1,234,567.5", 1234567.5, False, ""),
        ("１２，３４５．６", 12345.6, False, ""),
        ("－5", -5.0, False, ""),
        ("−5", -5.0, False, ""),
        ("1e3", 1000.0, False, ""),
        ("12.5%", 12.5, False, "%"),
        ("12.5％", 12.5, False, "%"),
        ("3‰", 3.0, False, "‰"),
        ("", math.nan, True, ""),
        ("—", math.nan, True, ""),
        ("——", math.nan, True, ""),
        ("-", math.nan, True, ""),
        ("--", math.nan, True, ""),
        ("…", math.nan, True, ""),
        ("……", math.nan, True, ""),
        ("...", math.nan, True, ""),
        (None, math.nan, True, ""),
    ],
)
def test_numbers_as_written(raw: str | None, number: float, missing: bool, suffix: str) -> None:
    parsed = parse_numbers(pd.Series([raw], dtype=object))
    assert (parsed.missing[0], parsed.invalid[0], parsed.suffix[0]) == (missing, False, suffix)
    assert parsed.number[0] == pytest.approx(number, nan_ok=True)


@pytest.mark.parametrize("raw", ["约300", "1,2345", "1_000", "0x1A", "inf", "nan", "300万", "12.3.4"])
def test_non_numbers(raw: str) -> None:
    parsed = parse_numbers(pd.Series([raw], dtype="str"))
    assert parsed.invalid[0] and not parsed.missing[0]


@pytest.mark.parametrize(
    ("indicator", "unit", "value", "expected"),
    [
        ("软件业务收入", "万元", "12,345", 1.2345),
        ("软件业务收入", "元", "250000000", 2.5),
        ("软件业务收入", "亿元", "2.5", 2.5),
        ("软件业务收入", "", "2.5", 2.5),
        ("5G基站数", "万个", "1.2", 12000.0),
        ("千兆宽带用户数", "万户", "35.6", 356000.0),
        ("千兆宽带用户数", "千户", "35.6", 35600.0),
        ("数据标注企业", "家", "12", 12.0),
        ("数据中心终端电价", "分/千瓦时", "35", 0.35),
        ("数据中心终端电价", "元/kWh", "0.35", 0.35),
        ("关键工序数控化率", "%", "55.2", 55.2),
        ("关键工序数控化率", "‰", "552", 55.2),
        ("关键工序数控化率", "", "55.2%", 55.2),
    ],
)
def test_values_arrive_in_the_catalog_unit(
    write_csv: Callable[..., Path],
    ingest: Callable[..., etl.UploadResult],
    indicator: str,
    unit: str,
    value: str,
    expected: float,
) -> None:
    period = "2024" if indicator == "关键工序数控化率" else "2024Q3"
    rows = [["指标", "地区", "时期", "数值", "单位"], [indicator, "140000", period, value, unit]]
    result = ingest(write_csv(rows))
    assert result.report.valid, result.report.flatten(["code", "message_en"])
    assert result.values["value"].tolist() == [pytest.approx(expected, rel=1e-12)]


def test_missing_values_are_skipped_and_counted_not_errors(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    rows = long_rows(*[["5G基站数", "太原", "2024Q3", blank] for blank in ["", "—", "-", "…", "--"]])
    result = ingest(write_csv([*rows, ["5G基站数", "大同", "2024Q3", "3"]]))
    assert result.report.errors == () and len(result.values) == 1
    assert result.report.stats["missing"] == 5


def test_codes_and_names_mix_in_one_file(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    rows = long_rows(
        ["base_stations_5g", "140100", "2024Q3", "1"],
        ["5G基站数量", "大同", "2024年三季度", "2"],
        ["累计建成5G基站", "阳泉市", "2024年1-9月", "3"],
    )
    result = ingest(write_csv(rows))
    assert result.values[["indicator", "region", "period"]].values.tolist() == [
        ["base_stations_5g", "140100", "2024Q3"],
        ["base_stations_5g", "140200", "2024Q3"],
        ["base_stations_5g", "140300", "2024Q3"],
    ]
