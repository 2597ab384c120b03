"""Errors: each problem located by sheet, Excel row and column, with a stable code, in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import etl
import etl.report
from tests.etl.conftest import long_rows

Result = Callable[..., etl.UploadResult]
FIELDS = ["row", "column", "code"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["5G基站数", "太源", "2024Q3", "1"], [[3, "地区", "unknown-region"]]),
        (["5G基站数", "", "2024Q3", "1"], [[3, "地区", "unknown-region"]]),
        (["5G基站", "太原", "2024Q3", "1"], []),
        (["5G基地", "太原", "2024Q3", "1"], [[3, "指标", "unknown-indicator"]]),
        (["5G基站数", "太原", "2024Q5", "1"], [[3, "时期", "unreadable-period"]]),
        (["5G基站数", "太原", "", "1"], [[3, "时期", "unreadable-period"]]),
        (["5G基站数", "太原", "2024年8月", "1"], [[3, "时期", "frequency-mismatch"]]),
        (["数字经济规模", "太原", "2024Q3", "1"], [[3, "时期", "frequency-mismatch"]]),
        (["5G基站数", "太原", "2024Q3", "约300"], [[3, "数值", "non-numeric-value"]]),
        (["5G基站数", "太原", "2024Q3", "-3"], [[3, "数值", "negative-count"]]),
        (["软件业务收入", "太原", "2024Q3", "-3"], []),  # a flow may be negative: not a count
        (["5G基站数", "太原", "2024Q3", "12%"], [[3, "指标", "unit-mismatch"]]),
        (["软件业务收入", "综改区", "2024Q3", "1"], [[3, "数值", "region-not-allowed"]]),
        (["数据中心终端电价", "太原", "2024Q3", "0.3"], [[3, "数值", "region-not-allowed"]]),
        (["数据中心终端电价", "全省", "2024Q3", "0.3"], []),
    ],
)
def test_each_row_error_is_located(
    write_csv: Callable[..., Path], ingest: Result, row: list[str], expected: list[list[object]]
) -> None:
    rows = long_rows(["5G基站数", "大同", "2024Q3", "1"], row)
    result = ingest(write_csv(rows))
    assert result.report.flatten(FIELDS) == expected
    assert result.report.valid is (not expected)
    assert len(result.values) == (2 if not expected else 1)  # the clean row is kept, the bad one is not


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("万个", []), ("家", [[3, "单位", "unit-mismatch"]]), ("吨", [[3, "单位", "unit-mismatch"]])],
)
def test_a_unit_that_cannot_convert_is_an_error_at_the_unit_cell(
    write_csv: Callable[..., Path], ingest: Result, unit: str, expected: list[list[object]]
) -> None:
    rows = [
        ["指标", "地区", "时期", "数值", "单位"],
        ["5G基站数", "大同", "2024Q3", "1", ""],
        ["5G基站数", "太原", "2024Q3", "1", unit],
    ]
    assert ingest(write_csv(rows)).report.flatten(FIELDS) == expected


def test_messages_name_row_and_column_in_chinese_then_english(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    rows = long_rows(
        ["5G基站数", "大同", "2024Q3", "1"], ["5G基站数", "大同", "2024Q3", "2"], ["", "", "", ""]
    )
    rows = [*rows, ["5G基站数", "太源", "2024Q3", "1"]]
    (error,) = [e for e in ingest(write_csv(rows)).report.errors if e.code == "unknown-region"]
    assert error.message_zh == "第5行“地区”列：未知地区“太源”"
    assert error.message_en == 'row 5, column 地区: unknown region "太源"'
    assert (error.sheet, error.row, error.column, error.value) == (None, 5, "地区", "太源")
    assert error.severity == "error"


def test_workbook_messages_also_name_the_sheet(write_xlsx: Callable[..., Path], ingest: Result) -> None:
    result = ingest(write_xlsx({"2024Q3": [["地区", "5G基站数（个）"], ["太源", 5]]}))
    (error,) = result.report.errors
    assert error.message_zh == "工作表“2024Q3”第2行“地区”列：未知地区“太源”"
    assert error.message_en == 'sheet 2024Q3, row 2, column 地区: unknown region "太源"'


def test_duplicate_keys_report_every_row_even_when_written_differently(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    rows = long_rows(
        ["5G基站数", "太原", "2024Q3", "1"],
        ["5G基站数", "大同", "2024Q3", "2"],
        ["base_stations_5g", "140100", "2024年第三季度", "3"],
    )
    result = ingest(write_csv(rows))
    assert result.report.flatten(FIELDS) == [[2, "数值", "duplicate-key"], [4, "数值", "duplicate-key"]]
    assert "第2行、第4行" in result.report.errors[0].message_zh
    assert "row 2, row 4" in result.report.errors[0].message_en
    assert result.values["region"].tolist() == ["140200"]


def test_duplicates_across_sheets_name_the_sheets(write_xlsx: Callable[..., Path], ingest: Result) -> None:
    path = write_xlsx(
        {"甲": [["地区", "5G基站数"], ["太原", 1]], "乙": [["地区", "5G基站数"], ["太原市", 2]]}
    )
    result = ingest(path)  # neither sheet gives a period: that is reported once per sheet, not per cell
    assert result.report.flatten(["sheet", "row", "column", "code"]) == [
        ["甲", 1, None, "unreadable-period"],
        ["乙", 1, None, "unreadable-period"],
    ]
    path = write_xlsx(
        {"2024Q3": [["地区", "5G基站数"], ["太原", 1]], "补充2024Q3": [["地区", "5G基站数"], ["太原市", 2]]}
    )
    result = ingest(path)
    assert result.report.flatten(["sheet", "row", "code"]) == [
        ["2024Q3", 2, "duplicate-key"],
        ["补充2024Q3", 2, "duplicate-key"],
    ]
    assert "工作表“2024Q3”第2行、工作表“补充2024Q3”第2行" in result.report.errors[0].message_zh


def test_a_problem_in_a_header_is_reported_once_at_the_header(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [["地区", "5G基站数（个）", "奇怪指标", "上云企业（家）"], ["太原", 1, 2, 3], ["大同", 1, 2, 3]]
    result = ingest(write_xlsx({"2024Q3": rows}))
    assert result.report.flatten(["row", "column", "code"]) == [
        [1, "奇怪指标", "unknown-indicator"],
        [1, "上云企业（家）", "unit-mismatch"],  # 上云企业 are counted in 户, not 家
    ]
    assert result.report.errors[1].message_zh == (
        "工作表“2024Q3”第1行“上云企业（家）”列：单位“家”无法换算为指标“上云企业”的单位“户”"
    )


def test_a_problem_in_the_title_or_sheet_name_is_reported_once_there(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    rows = [["2024年第三季度全省主要指标"], ["地区", "数字经济规模（亿元）"], ["太原", 1], ["大同", 2]]
    result = ingest(write_xlsx({"Sheet1": rows}))
    assert result.report.flatten(["row", "column", "code"]) == [[1, "A", "frequency-mismatch"]]
    assert "数字经济规模" in result.report.errors[0].message_zh
    result = ingest(write_xlsx({"2024Q3": [["地区", "数字经济规模"], ["太原", 1]]}))
    assert result.report.flatten(["row", "column", "code"]) == [[None, None, "frequency-mismatch"]]
    assert result.report.errors[0].message_zh.startswith("工作表名称“2024Q3”：")


def test_a_sheet_without_any_period_says_so_at_its_header(
    write_xlsx: Callable[..., Path], ingest: Result
) -> None:
    result = ingest(write_xlsx({"Sheet1": [["说明文字"], ["地区", "5G基站数"], ["太原", 1]]}))
    (error,) = result.report.errors
    assert (error.row, error.column, error.code) == (2, None, "unreadable-period")
    assert "没有时期列" in error.message_zh and "no period column" in error.message_en


def test_all_problems_are_collected_not_only_the_first(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    rows = long_rows(
        ["5G基站数", "太原", "2024Q3", "1"],
        ["5G基站数", "太源", "2024Q3", "x"],  # two problems in one row: both reported
        ["奇怪指标", "大同", "2024Q3", "1"],
        ["5G基站数", "阳泉", "2024Q9", "1"],
        ["5G基站数", "长治", "2024Q3", "-1"],
        ["软件业务收入", "综改区", "2024Q3", "1"],
        ["5G基站数", "晋城", "2024Q3", "1"],
    )
    result = ingest(write_csv(rows))
    assert result.report.flatten(FIELDS) == [
        [3, "地区", "unknown-region"],
        [3, "数值", "non-numeric-value"],
        [4, "指标", "unknown-indicator"],
        [5, "时期", "unreadable-period"],
        [6, "数值", "negative-count"],
        [7, "数值", "region-not-allowed"],
    ]
    assert result.values["row"].tolist() == [2, 8]
    assert result.report.stats["errors"] == 6
    assert result.report.stats["issue_counts"]["unknown-region"] == 1


def test_very_many_issues_of_one_code_are_counted_but_not_all_spelled_out(
    write_csv: Callable[..., Path], ingest: Result
) -> None:
    """10 unknown regions, cap 3: rows 2–4 spelled out, 10 counted, 7 not listed."""
    rows = long_rows(*[["5G基站数", f"地区{n}", "2024Q3", "1"] for n in range(10)])
    report = ingest(write_csv(rows), max_issues_per_code=3).report
    assert report.flatten(["row"]) == [[2], [3], [4]]
    assert report.stats["issue_counts"] == {"unknown-region": 10}
    assert report.stats["issues_not_listed"] == {"unknown-region": 7}
    assert report.stats["errors"] == 10
    assert not report.valid


def test_the_cap_also_holds_for_duplicate_keys(write_csv: Callable[..., Path], ingest: Result) -> None:
    """Rows 2–6 and 7–11 send the same 5 keys, so all 10 cells are duplicates: 10 duplicate-key
    issues counted; with a cap of 4, 4 are spelled out (rows 2–5) and 6 are not listed."""
    cities = ["太原", "大同", "阳泉", "长治", "晋城"]
    rows = long_rows(*[["5G基站数", city, "2024Q3", "1"] for city in cities * 2])
    report = ingest(write_csv(rows), max_issues_per_code=4).report
    assert report.flatten(["row", "code"]) == [[r, "duplicate-key"] for r in (2, 3, 4, 5)]
    assert report.stats["issue_counts"] == {"duplicate-key": 10}
    assert report.stats["issues_not_listed"] == {"duplicate-key": 6}
