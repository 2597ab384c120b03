"""Readers: file bytes → raw grids, one a sheet, indexed by the row number Excel would show.

CSV is decoded as UTF-8 (with or without BOM), then GB18030 (a superset of GBK), then whatever
charset-normalizer finds; XLSX, XLSM and legacy XLS are read with python-calamine, every visible
worksheet (calamine reads cell values only: an .xlsm's macros are never run). A file whose bytes are
not what its name says is refused with `file-type-mismatch`, never a crash.

Before anything is allocated, every reader checks the file against `etl.limits.ReadLimits`: an
XLSX is scanned first (`etl.workbook_scan`) for its parts' sizes and each sheet's real used range,
a CSV's width and length are counted on its text. Cells that calamine would read as blanks or
numbers although they are neither (`#DIV/0!`, a formula saved without its result, TRUE) reach the
grid as `BadCell`s, so validation reports them at their row and column.

A CSV sheet keeps each line's field count (`RawSheet.fields`), so that a row with more or fewer
fields than its header (an unquoted thousands separator: `…,20,000`) is an error, not a dropped field.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import python_calamine

from etl.limits import ReadLimits
from etl.report import ErrorCode
from etl.text import column_letter
from etl.workbook_scan import CellProblem, ScanRefusal, SheetScan, scan_workbook

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
DECODE_BLOCK_BYTES = 8 << 20  # UTF-8 is validated this much at a time
COUNT_BLOCK_BYTES = 4 << 20  # line field counts are taken this much at a time
ARROW_BLOCK_BYTES = 16 << 20  # Arrow parses blocks in parallel; each is one chunk of every column
MIN_PLAIN_WIDTH = 2  # a one-column "CSV" has no delimiter to tell a blank line from an empty field


class UnreadableFile(Exception):
    """The file cannot be read at all; carries the report code, both messages and, if known, where."""

    def __init__(
        self,
        code: ErrorCode,
        message_zh: str,
        message_en: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.sheet = sheet
        self.row = row
        self.column = column


@dataclass(frozen=True, slots=True)
class BadCell:
    """A cell whose saved content is not a value: an Excel error, a formula without result, a boolean.

    It reads as its text (`#DIV/0!`, `=SUM(B2:B9)`, `TRUE`) wherever a text is looked for, and
    `etl.numbers` reports it as an error of its own kind instead of a blank or a 1.
    """

    kind: str  # "excel-error" | "formula-without-value" | "boolean"
    text: str

    def __str__(self) -> str:
        return self.text


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


def read_file(path: Path, data: bytes, limits: ReadLimits | None = None) -> RawFile:
    """Read the file's bytes into raw grids, choosing the reader by suffix and checking the bytes agree."""
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise unsupported_suffix(suffix)
    if not data:
        raise UnreadableFile(
            ErrorCode.EMPTY_FILE,
            "文件为空（0 字节）：请检查是否选错了文件，或文件在保存、复制时未写完",
            "the file is empty (0 bytes): was the wrong file chosen, or was it not fully saved or copied?",
        )
    if suffix in CSV_SUFFIXES:
        return _read_csv(data, limits)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(data, limits)
    return _read_xls(data, limits)


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


def _read_csv(data: bytes, limits: ReadLimits) -> RawFile:
    head = data[:BINARY_PROBE_BYTES]
    if head.startswith(ZIP_MAGIC):
        raise _mismatch("CSV", "压缩包（可能是 XLSX 工作簿）", "a zip archive (perhaps an XLSX workbook)")
    if head.startswith(OLE_MAGIC):
        raise _mismatch("CSV", "旧版 Excel（XLS）或加密文件", "a legacy Excel (XLS) or encrypted file")
    text, encoding = _decode(data)
    try:
        grid, delimiter, fields = _csv_grid(text, limits)
    except csv.Error as exc:  # e.g. a NUL or a stray carriage return inside a field
        raise UnreadableFile(
            ErrorCode.MALFORMED_CSV,
            f"CSV 文件格式有误，无法拆分为行和列（{exc}）：请用 Excel 打开后另存为 CSV 再上传",
            f"the CSV cannot be split into rows and columns ({exc}): open it in Excel, save it as CSV again",
        ) from None
    return RawFile(sheets=(RawSheet(None, grid, fields),), kind="csv", encoding=encoding)


class _Text:
    """A CSV's text held as UTF-8 bytes; the `str` is decoded only for the rare paths that need it.

    A million-row file is 70 MB as bytes and twice that as a `str`: the parsers and the field
    counts read the bytes, so the common path never holds the decoded text at all.
    """

    def __init__(self, utf8: bytes) -> None:
        self.utf8 = utf8
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.utf8.decode("utf-8")
        return self._text

    def head(self, chars: int) -> str:
        """The first `chars` characters of the text (a UTF-8 character is at most 4 bytes)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        return decoder.decode(self.utf8[: 4 * chars], final=len(self.utf8) <= 4 * chars)[:chars]


def _decode(data: bytes) -> tuple[_Text, str]:
    """Decode CSV bytes, trying the encodings bureaus export in before asking charset-normalizer."""
    if data.startswith(UTF16_BOMS):
        try:
            return _Text(data.decode("utf-16").encode("utf-8")), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:BINARY_PROBE_BYTES]:
        raise _mismatch("CSV", "二进制数据", "binary data")
    if _is_utf8(data):  # as `data.decode("utf-8-sig")` would, without building the str
        return _Text(data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data), "utf-8"
    for encoding in ("gb18030",):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _Text(text.encode("utf-8")), encoding
    best = charset_normalizer.from_bytes(data[:CHARSET_PROBE_BYTES]).best()
    if best is not None:
        try:
            return _Text(data.decode(best.encoding).encode("utf-8")), str(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    raise UnreadableFile(
        ErrorCode.UNREADABLE_ENCODING,
        "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV",
        "cannot tell the file's text encoding: save it as CSV in UTF-8 or GBK",
    )


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes decode as UTF-8, checked a block at a time so no full `str` is built."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), DECODE_BLOCK_BYTES):
            decoder.decode(data[start : start + DECODE_BLOCK_BYTES], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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


def _field_counts(text: _Text, delimiter: str, index: pd.Index) -> pd.Series:
    """How many fields each line has, aligned with the grid (which pads short lines with "").

    Without a quote character a field count is the delimiters plus one on each line of the text
    split at "\n" (counted over the UTF-8 bytes, where an ASCII byte is always that character);
    with quotes the csv module splits the lines as the grid reader did.
    """
    if b'"' not in text.utf8:
        counts = _line_field_counts(text.utf8, delimiter)
    else:
        reader = csv.reader(io.StringIO(text.text, newline=""), delimiter=delimiter)
        counts = np.fromiter((len(row) for row in reader), dtype=np.int64)
    aligned = np.zeros(len(index), dtype=np.int64)
    aligned[: min(len(index), len(counts))] = counts[: len(index)]
    return pd.Series(aligned, index=index)


def _line_field_counts(utf8: bytes, delimiter: str) -> np.ndarray:
    """Delimiters + 1 on every piece of `utf8.split(b"\\n")`, block by block with numpy.

    One block of scratch memory is reused for the comparisons, so a 70 MB file never allocates a
    70 MB mask (on this kind of machine first-touched memory costs more than the counting).
    """
    buffer = np.frombuffer(utf8, dtype=np.uint8)
    scratch = np.empty(min(len(buffer), COUNT_BLOCK_BYTES), dtype=bool)
    newline, mark = ord("\n"), ord(delimiter)
    pieces: list[np.ndarray] = []
    carried = 0  # delimiters seen on the line that is still open at the block's end
    for start in range(0, len(buffer), COUNT_BLOCK_BYTES):
        block = buffer[start : start + COUNT_BLOCK_BYTES]
        mask = scratch[: len(block)]
        ends = np.flatnonzero(np.equal(block, newline, out=mask))
        marks = np.flatnonzero(np.equal(block, mark, out=mask))
        before = np.searchsorted(marks, ends)  # delimiters in this block before each line end
        if len(ends):
            per_line = np.diff(before, prepend=0)
            per_line[0] += carried
            pieces.append(per_line)
            carried = len(marks) - int(before[-1])
        else:
            carried += len(marks)
    pieces.append(np.array([carried], dtype=np.int64))  # the piece after the last line break
    return np.concatenate(pieces).astype(np.int64) + 1


def _csv_grid(text: _Text, limits: ReadLimits) -> tuple[pd.DataFrame, str, pd.Series]:
    sample = text.head(64 * 1024).splitlines()[:SNIFF_LINES]
    delimiter = max(DELIMITERS, key=lambda d: sum(line.count(d) for line in sample))
    width = max((len(row) for row in csv.reader(sample, delimiter=delimiter)), default=1)
    if width > limits.max_columns:  # the sample may have cut a line short: count the lines whole
        whole = itertools.islice(io.StringIO(text.text, newline=""), SNIFF_LINES)
        width = max(len(row) for row in csv.reader(whole, delimiter=delimiter))
    utf8 = text.utf8
    lines = utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1)
    _check_extent(None, lines, width, limits, row_of_width=None)
    plain = _plain_grid(text, delimiter, width, lines)
    if plain is not None:
        return plain, delimiter, pd.Series(np.full(len(plain), width, dtype=np.int64), index=plain.index)
    try:
        # bytes, not a StringIO: pandas reads a text stream through a Python wrapper that re-encodes it
        # chunk by chunk (7× slower at a million rows, docs/performance.md); the frame is the same
        grid = pd.read_csv(
            io.BytesIO(utf8),
            encoding="utf-8",
            sep=delimiter,
            header=None,
            names=list(range(width)),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,  # keeps the index equal to the line number
            engine="c",
        )
    except pd.errors.EmptyDataError:  # nothing but line breaks: no rows, no columns
        grid = pd.DataFrame(dtype=object)
    except pd.errors.ParserError as exc:
        if "EOF inside string" in str(exc):
            raise _unbalanced_quote(text.text, delimiter) from None
        # a later line has more fields than the first ones: slow path, every field kept
        grid = pd.DataFrame(_bounded_rows(text.text, delimiter, lines, limits), dtype=object)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid, delimiter, _field_counts(text, delimiter, grid.index)


def _plain_grid(text: _Text, delimiter: str, width: int, lines: int) -> pd.DataFrame | None:
    """The grid of a plain rectangular CSV, parsed by Arrow (multithreaded), else None.

    Plain: no quote, no NUL, every carriage return part of a CRLF, and every line with exactly
    `width` fields (so no blank, short or long line). Such a file has one reading only — a line a
    row, a delimiter a field boundary — so Arrow's grid is the one pandas' C parser builds (the
    same `str` columns), ten times faster. Anything else takes the general path.
    """
    utf8 = text.utf8
    if width < MIN_PLAIN_WIDTH or b'"' in utf8 or b"\x00" in utf8 or utf8.startswith(codecs.BOM_UTF8):
        return None
    if utf8.count(b"\r") != utf8.count(b"\r\n"):
        return None
    counts = _line_field_counts(utf8, delimiter)[:lines]
    if len(counts) != lines or not (counts == width).all():
        return None
    names = [str(c) for c in range(width)]
    try:
        table = _arrow_csv(utf8, delimiter, names)
    except pa.ArrowInvalid:  # a line longer than Arrow's block (a 5 MB cell): the general path
        return None
    if table.num_rows != lines:  # cannot happen for a plain file; never trust that silently
        return None
    string = pd.StringDtype("pyarrow", na_value=np.nan)
    grid = pd.DataFrame(
        {c: pd.Series(pd.array(table.column(c), dtype=string), copy=False) for c in range(width)}
    )
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid


def _arrow_csv(utf8: bytes, delimiter: str, names: list[str]) -> pa.Table:
    """Every field as text, as written: no quoting, no escapes, no nulls, no blank lines skipped."""
    return pa_csv.read_csv(
        pa.py_buffer(utf8),
        read_options=pa_csv.ReadOptions(column_names=names, block_size=ARROW_BLOCK_BYTES),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter,
            quote_char=False,
            double_quote=False,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            null_values=[],
        ),
    )


def _bounded_rows(text: str, delimiter: str, lines: int, limits: ReadLimits) -> list[list[str]]:
    """Every line split by the csv module, refusing the first one wider than the limits allow."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for row in reader:
        if len(row) > limits.max_columns or len(row) * lines > limits.max_cells:
            _check_extent(None, lines, len(row), limits, row_of_width=reader.line_num)
        rows.append(row)
    width = max(map(len, rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def _unbalanced_quote(text: str, delimiter: str) -> UnreadableFile:
    """Where the quoted field that never closes begins: the line after the last complete row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 1
    try:
        for _ in reader:
            line = reader.line_num + 1
    except csv.Error:
        pass
    return UnreadableFile(
        ErrorCode.UNBALANCED_QUOTE,
        f"第{line}行：引号未闭合，该行的引号之后直到文件末尾都会被读成同一个字段。"
        '请检查该行的双引号是否成对（字段内的双引号应写作两个双引号 ""）',
        f"row {line}: a quote is never closed, so everything after it up to the end of the file "
        "would be read as one field. Check that the quotes on that row come in pairs (write a quote "
        'inside a field as "")',
        row=line,
    )


def _check_extent(
    sheet: str | None, rows: int, columns: int, limits: ReadLimits, *, row_of_width: int | None
) -> None:
    """Refuse a sheet longer, wider or larger than the limits, before its grid is built."""
    where_zh = f"工作表“{sheet}”" if sheet else "文件"
    where_en = f"sheet {sheet}" if sheet else "the file"
    if rows > limits.max_rows:
        raise UnreadableFile(
            ErrorCode.TOO_MANY_ROWS,
            f"{where_zh}有 {rows:,} 行，超过上限 {limits.max_rows:,} 行：请拆分为多个文件上传",
            f"{where_en} has {rows:,} rows, more than the limit of {limits.max_rows:,}: split it into "
            "several files",
            sheet=sheet,
        )
    if columns > limits.max_columns:
        raise UnreadableFile(
            ErrorCode.TOO_MANY_COLUMNS,
            f"{where_zh}有 {columns:,} 列，超过上限 {limits.max_columns:,} 列"
            + (f"（第{row_of_width}行）" if row_of_width else "")
            + "：请检查是否有多余的分隔符或误填的远端单元格",
            f"{where_en} has {columns:,} columns, more than the limit of {limits.max_columns:,}"
            + (f" (row {row_of_width})" if row_of_width else "")
            + ": look for stray delimiters or a stray far-away cell",
            sheet=sheet,
            row=row_of_width,
        )
    if rows * columns > limits.max_cells:
        raise UnreadableFile(
            ErrorCode.TOO_MANY_CELLS,
            f"{where_zh}的数据区域为 {rows:,} 行 × {columns:,} 列，超过 {limits.max_cells:,} 个单元格的上限："
            "请删除数据区域以外的内容，或拆分为多个文件上传",
            f"{where_en} spans {rows:,} rows × {columns:,} columns, more than the limit of "
            f"{limits.max_cells:,} cells: delete what lies outside the table, or split the file",
            sheet=sheet,
        )


def _read_xlsx(data: bytes, limits: ReadLimits) -> RawFile:
    if data.startswith(OLE_MAGIC):
        raise _mismatch("XLSX", "旧版 Excel（XLS）或加密文件", "a legacy Excel (XLS) or encrypted file")
    if not data.startswith(ZIP_MAGIC):
        if _looks_like_text(data):
            raise _mismatch("XLSX", "文本（可能是改了扩展名的 CSV）", "text (perhaps a renamed CSV)")
        raise _mismatch("XLSX", "无法识别的数据", "not a workbook")
    try:
        scans = scan_workbook(data, limits)
    except ScanRefusal as refusal:
        raise _archive_refusal(refusal) from None
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
    ) as exc:
        raise _mismatch("XLSX", f"无法读取的工作簿（{exc}）", f"an unreadable workbook ({exc})") from None
    return _read_workbook(data, kind="xlsx", label="XLSX", limits=limits, scans=scans)


def _read_xls(data: bytes, limits: ReadLimits) -> RawFile:
    """A legacy Excel 97–2003 workbook (BIFF in an OLE container), as bureau machines still save."""
    if data.startswith(ZIP_MAGIC):
        raise _mismatch("XLS", "XLSX 工作簿（请把扩展名改为 .xlsx）", "an XLSX workbook (rename it .xlsx)")
    if not data.startswith(OLE_MAGIC):
        if _looks_like_text(data):
            raise _mismatch("XLS", "文本（可能是改了扩展名的 CSV）", "text (perhaps a renamed CSV)")
        raise _mismatch("XLS", "无法识别的数据", "not a workbook")
    return _read_workbook(data, kind="xls", label="XLS", limits=limits, scans=None)


def _read_workbook(
    data: bytes, *, kind: str, label: str, limits: ReadLimits, scans: dict[str, SheetScan] | None
) -> RawFile:
    """Read every visible worksheet, each bounded before calamine builds its grid.

    An XLSX comes with its scan (the used range is known before calamine reads the sheet); a
    legacy XLS cannot be larger than 65,536 × 256 cells, so its range is checked once calamine has
    read the sheet and before the grid is built from it.
    """
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = workbook.sheets_metadata
    except Exception as exc:  # any failure to parse untrusted bytes is the file's fault, not a crash
        raise _mismatch(label, f"无法读取的工作簿（{exc}）", f"an unreadable workbook ({exc})") from None
    sheets: list[RawSheet] = []
    hidden: list[str] = []
    for meta in metas:
        visible = meta.visible == python_calamine.SheetVisibleEnum.Visible
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet or not visible:
            hidden.append(meta.name)  # templates keep their drop-down lists in hidden sheets
            continue
        scan = None
        if scans is not None:
            scan = scans.get(meta.name)
            if scan is None:  # a sheet the scan could not find: its size is unknown, do not read it
                raise _mismatch(
                    label, "无法读取的工作簿（工作表结构异常）", "an unreadable workbook (sheet not found)"
                )
            if scan.refusal is not None:
                raise _sheet_refusal(meta.name, scan.refusal, limits)
            _check_extent(meta.name, scan.rows, scan.columns, limits, row_of_width=None)
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
            end = sheet.end
            if end is not None:
                _check_extent(meta.name, end[0] + 1, end[1] + 1, limits, row_of_width=None)
            rows = sheet.to_python(skip_empty_area=False)
        except UnreadableFile:
            raise
        except Exception as exc:
            raise _mismatch(label, f"无法读取的工作簿（{exc}）", f"an unreadable workbook ({exc})") from None
        _mark_bad_cells(rows, scan.problems if scan is not None else None)
        grid = pd.DataFrame(rows, dtype=object)
        grid.index = pd.RangeIndex(1, len(grid) + 1)
        sheets.append(RawSheet(meta.name, grid))
    return RawFile(sheets=tuple(sheets), kind=kind, hidden_sheets=tuple(hidden))


def _mark_bad_cells(rows: list[list[Any]], problems: list[CellProblem] | None) -> None:
    """Put a `BadCell` where the saved content is an error, a formula without result or a boolean.

    An XLSX's scan knows each such cell; for an XLS only the booleans calamine returns are found.
    """
    if problems is None:
        for row in rows:
            for c, value in enumerate(row):
                if isinstance(value, bool):
                    row[c] = BadCell("boolean", "TRUE" if value else "FALSE")
        return
    for p in problems:
        if p.row < len(rows) and p.column < len(rows[p.row]):
            rows[p.row][p.column] = BadCell(p.kind, p.text or str(rows[p.row][p.column]))


def _archive_refusal(refusal: ScanRefusal) -> UnreadableFile:
    detail = refusal.detail
    if refusal.code in ("part", "archive", "parts"):
        if refusal.code == "parts":
            zh = f"工作簿内含 {detail['parts']:,} 个部件，超过上限 {detail['limit']:,} 个"
            en = f"the workbook holds {detail['parts']:,} parts, more than the limit of {detail['limit']:,}"
        else:
            what_zh = f"其中的“{detail['part']}”" if refusal.code == "part" else "全部内容"
            what_en = f"its part {detail['part']}" if refusal.code == "part" else "its content"
            zh = (
                f"工作簿解压后{what_zh}为 {_mib(detail['bytes'])}，超过上限 {_mib(detail['limit'])}"
                "（文件可能是压缩炸弹，或表格过大，请拆分后上传）"
            )
            en = (
                f"uncompressed, {what_en} is {_mib(detail['bytes'])}, more than the limit of "
                f"{_mib(detail['limit'])} (a zip bomb, or a table too large: split it)"
            )
        return UnreadableFile(ErrorCode.ARCHIVE_TOO_LARGE, zh, en)
    if refusal.code == "doctype":
        zh, en = (
            "工作簿含有文档类型声明（DTD），正常的 Excel 文件没有，已拒绝",
            "the workbook declares a DTD, which no Excel file does",
        )
    else:
        zh = f"工作簿的 XML 内容损坏（{detail.get('part')}：{detail.get('error')}）"
        en = f"the workbook's XML is malformed ({detail.get('part')}: {detail.get('error')})"
    return UnreadableFile(ErrorCode.MALFORMED_WORKBOOK, zh, en)


def _sheet_refusal(sheet: str, refusal: ScanRefusal, limits: ReadLimits) -> UnreadableFile:
    """A sheet whose scan stopped at a cell beyond a limit: name the cell, so it can be deleted."""
    row, column = int(refusal.detail["row"]), int(refusal.detail["column"])
    cell = f"{column_letter(column - 1)}{row}"
    reasons = {
        "rows": (
            ErrorCode.TOO_MANY_ROWS,
            f"超过 {limits.max_rows:,} 行的上限",
            f"beyond the limit of {limits.max_rows:,} rows",
        ),
        "columns": (
            ErrorCode.TOO_MANY_COLUMNS,
            f"超过 {limits.max_columns:,} 列的上限",
            f"beyond the limit of {limits.max_columns:,} columns",
        ),
        "cells": (
            ErrorCode.TOO_MANY_CELLS,
            f"使数据区域超过 {limits.max_cells:,} 个单元格的上限",
            f"makes the table larger than the limit of {limits.max_cells:,} cells",
        ),
    }
    code, zh, en = reasons[refusal.code]
    return UnreadableFile(
        code,
        f"工作表“{sheet}”的单元格 {cell} 有内容，{zh}：请删除该单元格（或该处之外的内容）后重新上传",
        f"sheet {sheet}: cell {cell} has content {en}; delete it (and whatever lies beyond the table)",
        sheet=sheet,
        row=row,
        column=column_letter(column - 1),
    )


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"
