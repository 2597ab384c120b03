"""Readers bound what they allocate, keep Excel's row numbers, and never turn a non-value into a value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

import etl
from etl.limits import ReadLimits
from etl.messages import MAX_VALUE_SHOWN
from etl.readers import read_file
from etl.workbook_scan import ScanRefusal, scan_workbook
from indicators.model import Plan
from tests.corpus.hostile import HEADER, _data_row, _header_row, _inline, raw_xlsx
from tests.etl.conftest import long_rows

TODAY = dt.date(2026, 12, 1)


def codes(result: etl.UploadResult) -> list[list[object]]:
    return result.report.flatten(["sheet", "row", "column", "code"], severity="error")


def test_a_table_that_starts_at_c5_keeps_excels_row_numbers(
    write_xlsx: Callable[..., Path], plan: Plan
) -> None:
    """Rows 1–4 and columns A–B are empty: the error is on Excel row 7, the value of row 6 is kept."""
    blank: list[object] = []
    rows = [blank] * 4 + [
        [None, None, *HEADER],
        [None, None, "5G基站数", "太原", "2025Q1", 20000],
        [None, None, "5G基站数", "太源", "2025Q1", 9000],
    ]
    result = etl.read_upload(write_xlsx({"数据": rows}), plan=plan, today=TODAY)
    assert codes(result) == [["数据", 7, "地区", "unknown-region"]]
    assert result.values["row"].tolist() == [6]


def test_error_cells_are_located_by_row_and_column_not_dropped(plan: Plan, tmp_path: Path) -> None:
    sheet = (
        _header_row()
        + _data_row(2, '<c r="D2"><v>5</v></c>')
        + _data_row(3, '<c r="D3" t="e"><v>#N/A</v></c>').replace("太原", "大同")
    )
    result = etl.read_upload(raw_xlsx(tmp_path / "e.xlsx", sheet), plan=plan, today=TODAY)
    assert codes(result) == [["Sheet1", 3, "数值", "excel-error-value"]]
    assert "#N/A" in result.report.errors[0].message_zh
    assert result.values["value"].tolist() == [5.0]


def test_a_formula_result_of_empty_text_is_a_blank_not_an_error(plan: Plan, tmp_path: Path) -> None:
    """=IF(…,"",…) saved as an empty string result is a legitimate blank (t="str" with <v></v>)."""
    sheet = _header_row() + _data_row(2, '<c r="D2" t="str"><f>IF(1,"",1)</f><v></v></c>')
    result = etl.read_upload(raw_xlsx(tmp_path / "f.xlsx", sheet), plan=plan, today=TODAY)
    assert result.report.flatten(["code"]) == [["no-data"]]


def test_booleans_in_a_key_column_read_as_their_text(plan: Plan, tmp_path: Path) -> None:
    sheet = _header_row() + '<row r="2">' + _inline("A2", "5G基站数") + '<c r="B2" t="b"><v>1</v></c>'
    sheet += _inline("C2", "2025Q1") + '<c r="D2"><v>1</v></c></row>'
    result = etl.read_upload(raw_xlsx(tmp_path / "b.xlsx", sheet), plan=plan, today=TODAY)
    assert result.report.flatten(["row", "code", "value"]) == [[2, "unknown-region", "TRUE"]]


@pytest.mark.parametrize(
    ("columns", "refused"), [(1000, False), (1001, True)], ids=["at-the-limit", "one-more"]
)
def test_the_column_limit_is_inclusive(write_csv: Callable[..., Path], columns: int, refused: bool) -> None:
    path = write_csv(",".join(f"c{i}" for i in range(columns)) + "\n")
    if refused:
        with pytest.raises(etl.UnreadableFile) as caught:
            read_file(path, path.read_bytes(), ReadLimits())
        assert caught.value.code == "too-many-columns"
        assert "1,001 列" in caught.value.message_zh
    else:
        assert read_file(path, path.read_bytes(), ReadLimits()).sheets[0].grid.shape == (1, 1000)


def test_a_sheet_with_more_rows_than_allowed_names_the_cell_and_the_limit(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "r.xlsx", _header_row() + '<row r="101"><c r="A101"><v>1</v></c></row>')
    with pytest.raises(etl.UnreadableFile) as caught:
        read_file(path, path.read_bytes(), ReadLimits(max_rows=100))
    assert (caught.value.code, caught.value.row, caught.value.column) == ("too-many-rows", 101, "A")
    assert "单元格 A101" in caught.value.message_zh and "100 行" in caught.value.message_zh


def test_the_archive_total_and_the_part_count_are_checked_before_inflating(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "t.xlsx", _header_row())
    data = path.read_bytes()
    with pytest.raises(ScanRefusal) as total:
        scan_workbook(data, ReadLimits(max_archive_bytes=1000))
    assert total.value.code == "archive"
    with pytest.raises(ScanRefusal) as parts:
        scan_workbook(data, ReadLimits(max_parts=4))
    assert parts.value.detail == {"parts": 5, "limit": 4}
    with pytest.raises(etl.UnreadableFile) as caught:
        read_file(path, data, ReadLimits(max_archive_bytes=1000))
    assert caught.value.code == "archive-too-large" and "超过上限" in caught.value.message_zh


def test_a_hidden_sheet_over_the_limits_does_not_refuse_the_file(
    write_xlsx: Callable[..., Path], plan: Plan
) -> None:
    path = write_xlsx(
        {"数据": long_rows(["5G基站数", "太原", "2025Q1", 1]), "列表": [[1] * 30]}, hidden=["列表"]
    )
    raw = read_file(path, path.read_bytes(), ReadLimits(max_columns=10))
    assert [s.name for s in raw.sheets] == ["数据"] and raw.hidden_sheets == ("列表",)


def test_a_cell_is_quoted_in_a_message_only_up_to_a_length(
    write_csv: Callable[..., Path], plan: Plan
) -> None:
    text = "指标,地区,时期,数值\n5G基站数,太原,2025Q1," + "x" * 100_000 + "\n"
    result = etl.read_upload(write_csv(text), plan=plan, today=TODAY)
    [error] = result.report.errors
    assert error.code == "non-numeric-value"
    assert len(error.message_zh) < MAX_VALUE_SHOWN + 100 and "共 100,000 字符" in error.message_zh


@pytest.mark.parametrize(
    ("text", "row"),
    [
        ('指标,地区,时期,数值\n5G基站数,太原,2025Q1,"1,200\n', 2),
        ('指标,地区,时期,数值\n5G基站数,太原,2025Q1,1\n"5G基站数,大同,2025Q1,2\n', 3),
    ],
)
def test_an_unbalanced_quote_names_the_line_it_opens_on(
    write_csv: Callable[..., Path], plan: Plan, text: str, row: int
) -> None:
    result = etl.read_upload(write_csv(text), plan=plan, today=TODAY)
    assert result.report.flatten(["row", "code"]) == [[row, "unbalanced-quote"]]
    assert result.report.errors[0].message_zh.startswith(f"第{row}行：引号未闭合")


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx", "empty.xlsm", "empty.xls"])
def test_an_empty_file_says_it_is_empty_whatever_its_type(tmp_path: Path, plan: Plan, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    result = etl.read_upload(path, plan=plan)
    assert result.report.flatten(["code"]) == [["empty-file"]]
    assert "文件为空" in result.report.errors[0].message_zh  # no longer "内容是文本"


@pytest.mark.parametrize(
    ("period", "today", "code"),
    [
        ("2010Q1", TODAY, None),  # the first plausible quarter: 2020 − 10
        ("2009Q4", TODAY, "implausible-period"),
        ("2026Q4", TODAY, None),  # begun on 1 October
        ("2027Q1", TODAY, "implausible-period"),  # begins on 1 January
        ("2027Q1", dt.date(2027, 1, 1), None),
        ("2099Q1", None, None),  # without an as-of date only the lower bound applies
    ],
)
def test_periods_are_plausible_from_the_plans_history_until_today(
    write_csv: Callable[..., Path], plan: Plan, period: str, today: dt.date | None, code: str | None
) -> None:
    path = write_csv(long_rows(["5G基站数", "太原", period, "1"]))
    result = etl.read_upload(path, plan=plan, today=today)
    assert result.report.flatten(["row", "column", "code"], severity="error") == (
        [[2, "时期", code]] if code else []
    )


@pytest.mark.parametrize(
    ("indicator", "value", "code"),
    [
        ("软件业务收入", "10000000", None),  # 1,000万亿元 in 亿元: the ceiling itself
        ("软件业务收入", "10000001", "implausible-value"),
        ("软件业务收入", "-1e8", "implausible-value"),  # either way
        ("5G基站数", "1e10", None),
        ("5G基站数", "1.5e10", "implausible-value"),
        ("数据中心终端电价", "1000", None),  # 元/千瓦时
        ("数据中心终端电价", "1001", "implausible-value"),
    ],
)
def test_values_beyond_their_units_ceiling_are_errors(
    write_csv: Callable[..., Path], plan: Plan, indicator: str, value: str, code: str | None
) -> None:
    path = write_csv(long_rows([indicator, "山西", "2025Q1", value]))
    result = etl.read_upload(path, plan=plan, today=TODAY)
    found = [c for c in result.report.flatten(["code"], severity="error") if c != ["region-not-allowed"]]
    assert found == ([[code]] if code else [])


def test_a_workbook_written_by_xlsxwriter_with_shared_strings_and_a_formula_result_reads(
    tmp_path: Path, plan: Plan
) -> None:
    import xlsxwriter

    path = tmp_path / "x.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("数据")
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["5G基站数", "太原", "2025Q1"])
    sheet.write_formula(1, 3, "=1000*20", None, 20000)  # saved with its result, as Excel would
    book.close()
    result = etl.read_upload(path, plan=plan, today=TODAY)
    assert result.report.errors == ()
    assert result.values["value"].tolist() == [20000.0]


def test_the_workbook_part_is_found_through_the_package_relationships(tmp_path: Path, plan: Plan) -> None:
    """A workbook part not called xl/workbook.xml (the package's _rels/.rels names it) is scanned too
    (calamine itself refuses such a package today; the scan must not be the weaker link)."""
    import zipfile

    plain = raw_xlsx(tmp_path / "plain.xlsx", _header_row() + _data_row(2, '<c r="D2"><v>7</v></c>'))
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(moved, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            name = {"xl/workbook.xml": "xl/book.xml", "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels"}
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"xl/workbook.xml", b"xl/book.xml")
            target.writestr(name.get(info.filename, info.filename), data)
    [(sheet, scan)] = scan_workbook(moved.read_bytes(), ReadLimits()).items()
    assert (sheet, scan.rows, scan.columns, scan.cells) == ("Sheet1", 2, 4, 8)
