"""Readers: CSV in every encoding bureaus use, XLSX with every sheet, and files that lie about their type."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import etl
from tests.etl.conftest import csv_text, long_rows

ROWS = long_rows(
    ["5G基站数", "太原", "2024年第三季度", "1,200"], ["软件业务收入", "大同市", "2024Q3", "35.5"]
)
EXPECTED = [("base_stations_5g", "140100", "2024Q3", 1200.0), ("software_revenue", "140200", "2024Q3", 35.5)]


def _values(result: etl.UploadResult) -> list[tuple[str, str, str, float]]:
    return list(result.values[["indicator", "region", "period", "value"]].itertuples(index=False, name=None))


@pytest.mark.parametrize(
    ("encoding", "reported"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_csv_encoding_is_detected_not_asked(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult], encoding: str, reported: str
) -> None:
    result = ingest(write_csv(ROWS, encoding=encoding))
    assert result.report.valid, result.report.flatten(["row", "code", "message_en"])
    assert _values(result) == EXPECTED
    assert result.report.stats["encoding"] == reported


def test_utf16_unicode_text_export_is_read(tmp_path: Path, ingest: Callable[..., etl.UploadResult]) -> None:
    path = tmp_path / "unicode.csv"
    path.write_bytes(csv_text(ROWS, delimiter="\t").encode("utf-16"))  # Excel's "Unicode text"
    assert _values(ingest(path)) == EXPECTED


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_csv_delimiter_is_detected(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult], delimiter: str
) -> None:
    assert _values(ingest(write_csv(ROWS, delimiter=delimiter))) == EXPECTED


def test_csv_row_numbers_are_line_numbers_with_the_header_as_row_1(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    text = "指标,地区,时期,数值\n5G基站数,太原,2024Q3,1\n\n5G基站数,太源,2024Q3,2\n"
    result = ingest(write_csv(text))
    assert result.report.flatten(["sheet", "row", "column", "code"]) == [[None, 4, "地区", "unknown-region"]]
    assert result.values["row"].tolist() == [2]
    assert result.rows_read == 2  # the blank line is not a row of data


def test_a_csv_row_longer_than_the_header_is_an_error_not_a_dropped_field(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    text = "指标,地区,时期,数值\n5G基站数,太原,2024Q3,1\n5G基站数,大同,2024Q3,2,多出的一列\n"
    result = ingest(write_csv(text))
    assert not result.report.valid
    assert result.report.flatten(["row", "column", "code"]) == [[3, "E", "ragged-row"]]


def test_xlsx_reads_every_visible_sheet_with_excel_row_numbers(
    write_xlsx: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    path = write_xlsx(
        {
            "2024Q2": [["地区", "5G基站数（个）"], ["太原", 10], ["大同", 20]],
            "2024Q3": [
                ["2024年第三季度全省数字经济主要指标"],
                ["地区", "5G基站数（个）"],
                ["太原", 11],
                ["太源", 21],
            ],
            "代码表": [["地区", "指标"], ["太原市", "5G基站数"]],
        },
        hidden=["代码表"],
    )
    result = ingest(path)
    assert result.values[["sheet", "row", "region", "period", "value"]].values.tolist() == [
        ["2024Q2", 2, "140100", "2024Q2", 10.0],
        ["2024Q2", 3, "140200", "2024Q2", 20.0],
        ["2024Q3", 3, "140100", "2024Q3", 11.0],
    ]
    assert result.report.flatten(["sheet", "row", "column", "code"]) == [
        ["2024Q3", 4, "地区", "unknown-region"]
    ]
    assert result.report.stats["hidden_sheets"] == ["代码表"]
    assert result.rows_read == 4


def test_an_instructions_sheet_and_an_empty_sheet_are_skipped(
    write_xlsx: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    path = write_xlsx(
        {
            "填报说明": [["请按表头单位填写。"], ["缺数请留空。"]],
            "空表": [],
            "数据": long_rows(["5G基站数", "太原", "2024Q3", 5]),
        }
    )
    result = ingest(path)
    assert result.report.valid
    assert result.report.stats["skipped_sheets"] == ["填报说明", "空表"]
    assert len(result.values) == 1


def _xlsx_bytes() -> bytes:
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("text.xlsx", "指标,地区,时期,数值\n".encode(), "file-type-mismatch"),  # a CSV renamed .xlsx
        ("noise.xlsx", bytes(range(256)) * 4, "file-type-mismatch"),
        ("legacy.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "file-type-mismatch"),
        ("archive.xlsx", _zip_bytes(), "file-type-mismatch"),  # a zip, but not a workbook
        ("workbook.csv", _xlsx_bytes(), "file-type-mismatch"),  # a workbook renamed .csv
        ("binary.csv", b"\x00\x01\x02\x03" * 100, "file-type-mismatch"),
        ("report.pdf", b"%PDF-1.7", "unsupported-file-type"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_an_error_not_a_crash(
    tmp_path: Path, ingest: Callable[..., etl.UploadResult], name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = ingest(path)
    assert result.report.flatten(["sheet", "row", "column", "code"]) == [[None, None, None, code]]
    assert not result.report.valid
    assert result.values.empty
    assert list(result.values.columns) == list(etl.VALUE_COLUMNS)
    assert result.sha256 == hashlib.sha256(content).hexdigest()
    assert result.report.errors[0].message_zh and result.report.errors[0].message_en


def test_a_renamed_csv_is_named_as_such(tmp_path: Path, ingest: Callable[..., etl.UploadResult]) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes("指标,地区\n".encode("gbk"))
    (error,) = ingest(path).report.errors
    assert "CSV" in error.message_zh and "CSV" in error.message_en


def test_bytes_in_no_known_encoding_are_reported_as_unreadable_encoding(
    tmp_path: Path, ingest: Callable[..., etl.UploadResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    class _Nothing:
        def best(self) -> None:
            return None

    monkeypatch.setattr("etl.readers.charset_normalizer.from_bytes", lambda data: _Nothing())
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\x80\x80,\xff\n")  # neither UTF-8 nor GB18030
    result = ingest(path)
    assert result.report.flatten(["row", "code"]) == [[None, "unreadable-encoding"]]
    assert "UTF-8" in result.report.errors[0].message_zh
