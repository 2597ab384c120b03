"""Layouts: long tables, regions down with indicators across, periods across; titles, totals and context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

import etl

Result = Callable[..., etl.UploadResult]


def _keys(result: etl.UploadResult) -> list[list[object]]:
    return result.values[["indicator", "region", "period", "value", "row"]].values.tolist()


@pytest.mark.parametrize(
    "header",
    [
        ["指标", "地区", "时期", "数值"],
        ["指标名称", "地市", "报告期", "本期值"],
        ["指标", "城市", "期别", "累计值"],
        ["indicator", "region", "period", "value"],
        ["Indicator", "Region", "Period", "Value"],
        ["序号", "指标名称", "地区", "时期", "数值"],  # a running number column is ignored
    ],
)
def test_long_layout_with_chinese_or_english_headers(
    write_csv: Callable[..., Path], ingest: Result, header: list[str]
) -> None:
    row = ["5G基站数", "太原", "2024Q3", "100"]
    if header[0] == "序号":
        row = ["1", *row]
    result = ingest(write_csv([header, row]))
    assert result.report.stats["sheets"][0]["layout"] == "long"
    assert _keys(result) == [["base_stations_5g", "140100", "2024Q3", 100.0, 2]]


def test_long_layout_keeps_unit_and_note_columns(write_csv: Callable[..., Path], ingest: Result) -> None:
    rows = [
        ["指标", "地区", "时期", "数值", "单位", "备注"],
        ["软件业务收入", "太原", "2024Q3", "12,345", "万元", "快报"],
    ]
    result = ingest(write_csv(rows))
    assert result.values[["indicator", "value", "note"]].values.tolist() == [
        ["software_revenue", 1.2345, "快报"]
    ]


def test_title_rows_above_the_header_are_skipped_and_give_the_period(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    rows = [["2024年第三季度全省数字经济主要指标"], ["指标", "地区", "数值"], ["5G基站数", "太原", "100"]]
    result = ingest(write_csv(rows))
    assert result.report.stats["sheets"][0]["header_row"] == 2
    assert _keys(result) == [["base_stations_5g", "140100", "2024Q3", 100.0, 3]]


def test_regions_down_indicators_across_with_units_in_the_headers(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    path = write_xlsx(
        {
            "汇总": [
                ["2024年第三季度全省数字经济主要指标"],
                ["填报单位：省统计局"],
                ["地区", "5G基站数（个）", "软件业务收入(万元)", "IPv6活跃用户数(万户)"],
                ["全省", 1000, 500000, 1.5],
                ["太原市", 400, "200,000", "—"],
            ]
        }
    )
    result = ingest(path)
    assert result.report.valid, result.report.flatten(["row", "column", "code"])
    assert result.report.stats["sheets"][0]["layout"] == "regions-down"
    assert _keys(result) == [
        ["base_stations_5g", "140000", "2024Q3", 1000.0, 4],
        ["software_revenue", "140000", "2024Q3", 50.0, 4],
        ["ipv6_active_users", "140000", "2024Q3", 15000.0, 4],
        ["base_stations_5g", "140100", "2024Q3", 400.0, 5],
        ["software_revenue", "140100", "2024Q3", 20.0, 5],
    ]
    assert result.report.stats["missing"] == 1


@pytest.mark.parametrize("sheet", ["2024Q3", "2024年三季度", "2024年第三季度", "2024年1-9月"])
def test_regions_down_takes_the_period_from_the_sheet_name(
    write_xlsx: Callable[..., Path], ingest: Result, sheet: str
) -> None:
    result = ingest(write_xlsx({sheet: [["地区", "5G基站数"], ["太原", 7]]}))
    assert _keys(result) == [["base_stations_5g", "140100", "2024Q3", 7.0, 2]]


def test_regions_down_takes_the_period_from_a_period_column(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [["地区", "时期", "5G基站数"], ["太原", "2024Q2", 7], ["太原", "2024Q3", 8]]
    assert [k[2] for k in _keys(ingest(write_xlsx({"Sheet1": rows})))] == ["2024Q2", "2024Q3"]


def test_regions_down_with_a_blank_first_header(write_xlsx: Callable[..., Path], ingest: Result) -> None:
    rows = [["2024年第二季度"], [None, "5G基站数", "数据标注企业"], ["大同", 3, 4]]
    assert [k[:2] for k in _keys(ingest(write_xlsx({"Sheet1": rows})))] == [
        ["base_stations_5g", "140200"],
        ["data_annotation_firms", "140200"],
    ]


@pytest.mark.parametrize(("label", "region"), [("全省", "140000"), ("合计", "140000"), ("山西省", "140000")])
def test_a_totals_row_is_the_provinces_own_value(
    write_xlsx: Callable[..., Path], ingest: Result, label: str, region: str
) -> None:
    rows = [["地区", "5G基站数"], ["太原", 1], [label, 3]]
    assert [k[1] for k in _keys(ingest(write_xlsx({"2024Q3": rows})))] == ["140100", region]


def test_periods_across_with_indicator_and_region_down(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [
        ["指标", "地区", "2024Q1", "2024年二季度", "2024年1-9月"],
        ["5G基站数", "太原", 1, 2, 3],
        ["软件业务收入（万元）", "太原", 10000, None, 30000],
    ]
    result = ingest(write_xlsx({"Sheet1": rows}))
    assert result.report.stats["sheets"][0]["layout"] == "periods-across"
    assert _keys(result) == [
        ["base_stations_5g", "140100", "2024Q1", 1.0, 2],
        ["base_stations_5g", "140100", "2024Q2", 2.0, 2],
        ["base_stations_5g", "140100", "2024Q3", 3.0, 2],
        ["software_revenue", "140100", "2024Q1", 1.0, 3],
        ["software_revenue", "140100", "2024Q3", 3.0, 3],
    ]


def test_periods_across_without_a_region_column_takes_the_region_from_the_title(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [["全省数字经济年度指标"], ["指标名称", "单位", 2021, 2022], ["数字经济规模", "亿元", 4800, 5200]]
    assert _keys(ingest(write_xlsx({"年度": rows}))) == [
        ["digital_economy_scale", "140000", "2021", 4800.0, 3],
        ["digital_economy_scale", "140000", "2022", 5200.0, 3],
    ]


def test_a_unit_announced_above_the_table_applies_to_unbracketed_headers(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [["2024年第三季度"], ["单位：万元"], ["地区", "软件业务收入"], ["太原", 25000]]
    assert _keys(ingest(write_xlsx({"Sheet1": rows}))) == [["software_revenue", "140100", "2024Q3", 2.5, 4]]


def test_several_sheets_in_several_layouts(write_xlsx: Callable[..., Path], ingest: Result) -> None:
    path = write_xlsx(
        {
            "2024Q3": [["地区", "5G基站数"], ["太原", 1]],
            "长表": [["指标", "地区", "时期", "数值"], ["5G基站数", "大同", "2024Q3", 2]],
        }
    )
    result = ingest(path)
    assert [s["layout"] for s in result.report.stats["sheets"]] == ["regions-down", "long"]
    assert result.values["sheet"].tolist() == ["2024Q3", "长表"]


def test_a_sheet_we_cannot_understand_says_which_headers_it_saw(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    path = write_xlsx({"杂项": [["会议纪要"], ["议题", "负责人", "进度"], ["网络建设", "张三", "进行中"]]})
    result = ingest(path)
    assert result.report.flatten(["sheet", "row", "column", "code"]) == [["杂项", 2, None, "unknown-layout"]]
    (error,) = result.report.errors
    assert "议题、负责人、进度" in error.message_zh
    assert error.message_zh.startswith("工作表“杂项”第2行：无法识别表格结构")
    assert "cannot understand the table" in error.message_en


@pytest.mark.parametrize(
    "text", ["\n", "指标,地区,时期,数值\n", "指标,地区,时期,数值\n5G基站数,太原,2024Q3,—\n"]
)
def test_a_file_without_any_value_is_no_data(
    write_csv: Callable[..., Path], ingest: Result, text: str
) -> None:
    result = ingest(write_csv(text))
    assert result.report.flatten(["row", "code"]) == [[None, "no-data"]]


def test_excel_numbers_and_dates_in_label_cells_read_as_a_person_sees_them(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [["指标", "地区", dt.date(2024, 6, 30), dt.datetime(2024, 9, 30)], ["5G基站数", 140100, 5, 6]]
    assert _keys(ingest(write_xlsx({"Sheet1": rows}))) == [
        ["base_stations_5g", "140100", "2024Q2", 5.0, 2],
        ["base_stations_5g", "140100", "2024Q3", 6.0, 2],
    ]
