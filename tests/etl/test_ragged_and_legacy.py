"""Rows wider or narrower than their header are errors; legacy .xls and macro .xlsm workbooks read.

The thousands-separator case is the one that used to publish 20 for 20,000: the row
`5G基站数,太原,2020年第四季度,20,000` has five fields under a four-field header.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import xlwt  # type: ignore[import-untyped]

import etl

RAGGED_CASES = [
    # (CSV text, expected [row, column, code], fields in the message)
    (
        "指标,地区,时期,数值\n5G基站数,太原,2020年第四季度,20,000\n5G基站数,大同,2020年第四季度,300\n",
        [[2, "E", "ragged-row"]],
        "该行有 5 个字段，表头有 4 个",
    ),
    (
        "指标,地区,时期,数值\n5G基站数,太原,2020年第四季度,200\n5G基站数,大同,2020年第四季度\n",
        [[3, None, "ragged-row"]],
        "该行只有 3 个字段，表头有 4 个",
    ),
    (  # a quoted separator is one field: no error
        '指标,地区,时期,数值\n5G基站数,太原,2020年第四季度,"20,000"\n',
        [],
        "",
    ),
]


@pytest.mark.parametrize(("text", "expected", "fragment"), RAGGED_CASES)
def test_a_ragged_csv_row_is_an_error_naming_the_row_and_both_counts(
    text: str,
    expected: list[list[object]],
    fragment: str,
    write_csv: Callable[..., Path],
    ingest: Callable[..., etl.UploadResult],
) -> None:
    result = ingest(write_csv(text))
    assert result.report.flatten(["row", "column", "code"]) == expected
    if expected:
        message = result.report.errors[0].message_zh
        assert fragment in message
        assert result.report.errors[0].message_en
    if "千" in fragment or "5 个字段" in fragment:
        assert "千位分隔符" in result.report.errors[0].message_zh
    if not expected:
        assert result.values["value"].tolist() == [20000.0]


def test_xlsx_values_beyond_the_header_are_an_error(
    write_xlsx: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    path = write_xlsx(
        {
            "2024Q3": [
                ["指标", "地区", "时期", "数值"],
                ["5G基站数", "太原", "2024Q3", 20, 0],
                ["5G基站数", "大同", "2024Q3", 3],
            ]
        }
    )
    result = ingest(path)
    assert result.report.flatten(["sheet", "row", "column", "code"]) == [["2024Q3", 2, "E", "ragged-row"]]
    assert "表头以外" in result.report.errors[0].message_zh


def write_xls(path: Path, rows: list[list[object]], *, sheet: str = "Sheet1") -> Path:
    """Write a real BIFF8 .xls (Excel 97–2003) with xlwt, as an old bureau machine saves it."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    book.save(str(path))
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE container
    return path


def test_a_legacy_xls_is_read(tmp_path: Path, ingest: Callable[..., etl.UploadResult]) -> None:
    rows: list[list[object]] = [
        ["指标", "地区", "时期", "数值"],
        ["5G基站数", "太原市", "2024年第三季度", 2345],
        ["5G基站数", "大同市", "2024年第三季度", 1200],
    ]
    result = ingest(write_xls(tmp_path / "2024Q3_通信管理局.xls", rows))
    assert result.report.valid, result.report.flatten(["row", "code", "message_zh"])
    assert result.values[["region", "period", "value"]].values.tolist() == [
        ["140100", "2024Q3", 2345.0],
        ["140200", "2024Q3", 1200.0],
    ]


MACRO = b'Attribute VB_Name = "Module1"\nSub AutoOpen()\nKill "*"\nEnd Sub\n'


def add_macros(xlsx: Path) -> Path:
    """The same workbook as an .xlsm: a VBA part and the macro-enabled content type added."""
    xlsm = xlsx.with_suffix(".xlsm")
    with zipfile.ZipFile(xlsx) as src, zipfile.ZipFile(xlsm, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            dst.writestr(item, data)
        dst.writestr(
            "xl/vbaProject.bin", b'Attribute VB_Name = "Module1"\nSub AutoOpen()\nKill "*"\nEnd Sub\n'
        )
    return xlsm


def test_an_xlsm_is_read_and_its_macros_are_never_run(
    write_xlsx: Callable[..., Path], ingest: Callable[..., etl.UploadResult], tmp_path: Path
) -> None:
    path = add_macros(
        write_xlsx({"2024Q3": [["指标", "地区", "时期", "数值"], ["5G基站数", "太原", "2024Q3", 77]]})
    )
    before = sorted(p.name for p in tmp_path.iterdir())
    result = ingest(path)
    assert result.report.valid
    assert result.values["value"].tolist() == [77.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing ran, nothing was touched


def test_a_renamed_xlsx_named_xls_is_refused_with_a_message(
    write_xlsx: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    xlsx = write_xlsx({"s": [["指标", "地区", "时期", "数值"]]})
    renamed = xlsx.rename(xlsx.with_suffix(".xls"))
    result = ingest(renamed)
    assert result.report.flatten(["code"]) == [["file-type-mismatch"]]
    assert "XLSX" in result.report.errors[0].message_zh


JUMP_CASES = [
    # (rows after the header, expected [row, code] of warnings): 20 → 23,000 is ×1150
    (
        [["数字经济规模", "太原", "2020年", 20], ["数字经济规模", "太原", "2021年", 23000]],
        [[3, "large-change"]],
    ),
    # a gap of three quarters: compared with the nearest earlier value, ×1150 ≥ ×10
    ([["5G基站数", "太原", "2020Q4", 20], ["5G基站数", "太原", "2021Q4", 23000]], [[3, "large-change"]]),
    # across the same gap 300 → 400 (×1.33) is ordinary growth
    ([["5G基站数", "大同", "2020Q4", 300], ["5G基站数", "大同", "2021Q4", 400]], []),
]


@pytest.mark.parametrize(("rows", "expected"), JUMP_CASES)
def test_an_implausible_jump_inside_one_file_is_a_confirmable_warning(
    rows: list[list[object]],
    expected: list[list[object]],
    write_csv: Callable[..., Path],
    ingest: Callable[..., etl.UploadResult],
) -> None:
    result = ingest(write_csv([["指标", "地区", "时期", "数值"], *rows]))
    assert result.report.valid  # a warning, not an error: it is shown and must be confirmed
    assert result.report.flatten(["row", "code"], severity="warning") == expected
