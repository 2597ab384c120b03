"""Readers: file bytes → raw grids, one a sheet, indexed by the row number Excel would show.

CSV is decoded as UTF-8 (with or without BOM), then GB18030 (a superset of GBK), then whatever
charset-normalizer finds; XLSX, XLSM and legacy XLS are read with python-calamine, every visible
worksheet (calamine reads cell values only: an .xlsm's macros are never run). A file whose bytes are
not what its name says is refused with `file-type-mismatch`, never a crash.

A CSV sheet keeps each line's field count (`RawSheet.fields`), so that a row with more or fewer
fields than its header (an unquoted thousands separator: `…,20,000`) is an error, not a dropped field.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import numpy as np
import pandas as pd
import python_calamine

from etl.report import ErrorCode

CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
XLS_SUFFIXES = frozenset({".xls"})
#: Every suffix an upload may have; the API, the CLI, the inbox and the page all accept exactly these.
ACCEPTED_SUFFIXES = CSV_SUFFIXES | XLSX_SUFFIXES | XLS_SUFFIXES
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted workbook
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" export
BINARY_PROBE_BYTES = 8192
CHARSET_PROBE_BYTES = 1 << 20  # charset-normalizer is slow: let it look at the first MiB
SNIFF_LINES = 50  # lines looked at to choose the delimiter and the grid width
DELIMITERS = (",", "\t", ";", "|")


class UnreadableFile(Exception):
    """The file cannot be read at all; carries the report code and both messages."""

    def __init__(self, code: ErrorCode, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class RawSheet:
    """One sheet as read: `grid` has integer columns 0…n-1 and the 1-based Excel row as its index."""

    name: str | None  # None for CSV (one sheet, no name)
    grid: pd.DataFrame
    fields: pd.Series | None = None  # CSV only: how many fields each line has (same index as grid)


@dataclass(frozen=True, slots=True)
class RawFile:
    sheets: tuple[RawSheet, ...]
    kind: str  # "csv" | "xlsx" | "xls"
    encoding: str | None = None
    hidden_sheets: tuple[str, ...] = ()


def read_file(path: Path, data: bytes) -> RawFile:
    """Read the file's bytes into raw grids, choosing the reader by suffix and checking the bytes agree."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(data)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(data)
    if suffix in XLS_SUFFIXES:
        return _read_xls(data)
    raise unsupported_suffix(suffix)


def unsupported_suffix(suffix: str) -> UnreadableFile:
    """The refusal of a file type we do not read, worded the same wherever a file arrives."""
    return UnreadableFile(
        ErrorCode.UNSUPPORTED_FILE_TYPE,
        f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 CSV、XLSX、XLSM 或 XLS 文件",
        f"unsupported file type {suffix or '(no extension)'!r}: upload a CSV, XLSX, XLSM or XLS file",
    )


def _mismatch(expected: str, found: str, found_en: str) -> UnreadableFile:
    return UnreadableFile(
        ErrorCode.FILE_TYPE_MISMATCH,
        f"文件扩展名为 {expected}，但内容是{found}",
        f"the file is named {expected} but its content is {found_en}",
    )


def _read_csv(data: bytes) -> RawFile:
    head = data[:BINARY_PROBE_BYTES]
    if head.startswith(ZIP_MAGIC):
        raise _mismatch("CSV", "压缩包（可能是 XLSX 工作簿）", "a zip archive (perhaps an XLSX workbook)")
    if head.startswith(OLE_MAGIC):
        raise _mismatch("CSV", "旧版 Excel（XLS）或加密文件", "a legacy Excel (XLS) or encrypted file")
    text, encoding = _decode(data)
    grid, delimiter = _csv_grid(text)
    fields = _field_counts(text, delimiter, grid.index)
    return RawFile(sheets=(RawSheet(None, grid, fields),), kind="csv", encoding=encoding)


def _decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes, trying the encodings bureaus export in before asking charset-normalizer."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:BINARY_PROBE_BYTES]:
        raise _mismatch("CSV", "二进制数据", "binary data")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" else encoding
    best = charset_normalizer.from_bytes(data[:CHARSET_PROBE_BYTES]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), str(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise UnreadableFile(
        ErrorCode.UNREADABLE_ENCODING,
        "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV",
        "cannot tell the file's text encoding: save it as CSV in UTF-8 or GBK",
    )


def _looks_like_text(data: bytes) -> bool:
    head = data[:BINARY_PROBE_BYTES]
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a character cut at the probe's end is fine
                continue
        return True
    return False


def _field_counts(text: str, delimiter: str, index: pd.Index) -> pd.Series:
    """How many fields each line has, aligned with the grid (which pads short lines with "").

    Without a quote character a field count is the delimiters plus one, counted set-wise; with
    quotes the csv module splits the lines as the grid reader did.
    """
    if '"' not in text:
        lines = pd.Series(text.split("\n"), dtype=object)
        counts = lines.str.count(re.escape(delimiter)).to_numpy(np.int64) + 1
    else:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        counts = np.fromiter((len(row) for row in reader), dtype=np.int64)
    aligned = np.zeros(len(index), dtype=np.int64)
    aligned[: min(len(index), len(counts))] = counts[: len(index)]
    return pd.Series(aligned, index=index)


def _csv_grid(text: str) -> tuple[pd.DataFrame, str]:
    sample = text[: 64 * 1024].splitlines()[:SNIFF_LINES]
    delimiter = max(DELIMITERS, key=lambda d: sum(line.count(d) for line in sample))
    width = max((len(row) for row in csv.reader(sample, delimiter=delimiter)), default=1)
    try:
        # bytes, not a StringIO: pandas reads a text stream through a Python wrapper that re-encodes it
        # chunk by chunk (7× slower at a million rows, docs/performance.md); the frame is the same
        grid = pd.read_csv(
            io.BytesIO(text.encode("utf-8")),
            encoding="utf-8",
            sep=delimiter,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,  # keeps the index equal to the line number
            engine="c",
        )
    except pd.errors.ParserError:
        # a later line has more fields than the first ones: slow path, every field kept
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        grid = pd.DataFrame(rows, dtype=object)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid, delimiter


def _read_xlsx(data: bytes) -> RawFile:
    if data.startswith(OLE_MAGIC):
        raise _mismatch("XLSX", "旧版 Excel（XLS）或加密文件", "a legacy Excel (XLS) or encrypted file")
    if not data.startswith(ZIP_MAGIC):
        if _looks_like_text(data):
            raise _mismatch("XLSX", "文本（可能是改了扩展名的 CSV）", "text (perhaps a renamed CSV)")
        raise _mismatch("XLSX", "无法识别的数据", "not a workbook")
    return _read_workbook(data, kind="xlsx", label="XLSX")


def _read_xls(data: bytes) -> RawFile:
    """A legacy Excel 97–2003 workbook (BIFF in an OLE container), as bureau machines still save."""
    if data.startswith(ZIP_MAGIC):
        raise _mismatch("XLS", "XLSX 工作簿（请把扩展名改为 .xlsx）", "an XLSX workbook (rename it .xlsx)")
    if not data.startswith(OLE_MAGIC):
        if _looks_like_text(data):
            raise _mismatch("XLS", "文本（可能是改了扩展名的 CSV）", "text (perhaps a renamed CSV)")
        raise _mismatch("XLS", "无法识别的数据", "not a workbook")
    return _read_workbook(data, kind="xls", label="XLS")


def _read_workbook(data: bytes, *, kind: str, label: str) -> RawFile:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: list[RawSheet] = []
        hidden: list[str] = []
        for meta in workbook.sheets_metadata:
            visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet or not visible:
                hidden.append(meta.name)  # templates keep their drop-down lists in hidden sheets
                continue
            rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            grid = pd.DataFrame(rows, dtype=object)
            grid.index = pd.RangeIndex(1, len(grid) + 1)
            sheets.append(RawSheet(meta.name, grid))
    except Exception as exc:  # any failure to parse untrusted bytes is the file's fault, not a crash
        raise _mismatch(label, f"无法读取的工作簿（{exc}）", f"an unreadable workbook ({exc})") from None
    return RawFile(sheets=tuple(sheets), kind=kind, hidden_sheets=tuple(hidden))
