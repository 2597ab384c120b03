"""A streaming look at an XLSX before calamine reads it: sizes, the real used range, cells not to blank.

calamine allocates a dense grid from the first to the last cell of a sheet (and, asked for the
area above and left of the data, from A1), so one stray cell at XFD1048576 allocates 17 billion
cells and aborts the process; a zip whose sheet expands to a gigabyte holds it all in memory. So
first, without allocating anything per cell:
- every part's declared uncompressed size and their total are checked against `ReadLimits`
  (Python's zipfile never inflates a part past its declared size, so the streamed size is bounded too);
- each worksheet's XML is streamed through expat, which tracks the last row and column that carry a
  value and counts the cells; the scan stops at the first limit crossed and says at which cell;
- cells calamine would silently turn into blanks or numbers are remembered with their position:
  error values (`#DIV/0!`, `#N/A` …), formulas saved without their result (a file written by a
  program, never opened in Excel), and booleans (TRUE is not 1).
A document type declaration is refused: OOXML has none, and entity expansion is how XML bombs work.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import IO, Any
from xml.parsers import expat

from etl.limits import ReadLimits

CHUNK_BYTES = 1 << 20
DEFAULT_WORKBOOK = "xl/workbook.xml"
PACKAGE_RELS = "_rels/.rels"
_REFERENCE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
EXCEL_BOOLEANS = {"1": "TRUE", "0": "FALSE"}
MAX_FORMULA_SHOWN = 200  # characters of a formula kept for the message
MAX_TEXT_PIECES = 64  # character-data pieces kept of one <v> or <f> (a huge formula is not kept whole)


class ScanRefusal(Exception):
    """The workbook crosses a limit or is not well-formed; `code` names which, `detail` where."""

    def __init__(self, code: str, detail: dict[str, Any]) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CellProblem:
    """A cell whose saved value is not a value: 0-based row and column, the kind, and its text."""

    row: int
    column: int
    kind: str  # "excel-error" | "formula-without-value" | "boolean"
    text: str


@dataclass(slots=True)
class SheetScan:
    """What a worksheet holds: last row and column with content (1-based), cell count, odd cells."""

    name: str
    rows: int = 0
    columns: int = 0
    cells: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    #: set when a limit was crossed: the code and where (the scan stopped there)
    refusal: ScanRefusal | None = None


def scan_workbook(data: bytes, limits: ReadLimits) -> dict[str, SheetScan]:
    """Check the archive's sizes and scan every worksheet; sheet name → scan.

    Raises `ScanRefusal` for the archive as a whole (sizes, malformed parts) and `zipfile.BadZipFile`
    for bytes that are no zip; a sheet over a limit comes back with its `refusal` set, so that a
    hidden sheet nobody reads does not refuse the file.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        _check_sizes(infos, limits)
        names = {info.filename for info in infos}
        scans: dict[str, SheetScan] = {}
        for name, part in _worksheets(archive, names):
            scan = SheetScan(name)
            with archive.open(part) as stream:
                _scan_sheet(stream, scan, limits)
            scans[name] = scan
        return scans


def _check_sizes(infos: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    if len(infos) > limits.max_parts:
        raise ScanRefusal("parts", {"parts": len(infos), "limit": limits.max_parts})
    total = 0
    for info in infos:
        if info.file_size > limits.max_part_bytes:
            raise ScanRefusal(
                "part", {"part": info.filename, "bytes": info.file_size, "limit": limits.max_part_bytes}
            )
        total += info.file_size
    if total > limits.max_archive_bytes:
        raise ScanRefusal("archive", {"bytes": total, "limit": limits.max_archive_bytes})


def _worksheets(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part path) of every sheet the workbook lists, resolved through its relationships."""
    workbook = _workbook_part(archive, names)
    folder = posixpath.dirname(workbook)
    rels = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    if workbook not in names or rels not in names:
        return []  # not a workbook calamine can open either; it will say so
    sheets: list[tuple[str, str]] = []

    def workbook_element(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append((attrs.get("name", ""), rel))

    _parse_part(archive, workbook, workbook_element)
    targets = _relationships(archive, rels)
    found = []
    for name, rel in sheets:
        path = _resolve(folder, targets.get(rel, ""))
        if path in names:
            found.append((name, path))
    return found


def _workbook_part(archive: zipfile.ZipFile, names: set[str]) -> str:
    """The workbook part the package's relationships name (almost always xl/workbook.xml)."""
    if PACKAGE_RELS not in names:
        return DEFAULT_WORKBOOK
    for target, kind in _relationships(archive, PACKAGE_RELS, with_type=True).values():
        if kind.endswith("/officeDocument"):
            return _resolve("", target)
    return DEFAULT_WORKBOOK


def _relationships(archive: zipfile.ZipFile, part: str, *, with_type: bool = False) -> dict[str, Any]:
    """Id → Target (or (Target, Type)) of a relationships part."""
    found: dict[str, Any] = {}

    def element(tag: str, attrs: dict[str, str]) -> None:
        if _local(tag) == "Relationship":
            target = attrs.get("Target", "")
            found[attrs.get("Id", "")] = (target, attrs.get("Type", "")) if with_type else target

    _parse_part(archive, part, element)
    return found


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name: absolute (`/xl/…`) or relative to its source's folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _parse_part(archive: zipfile.ZipFile, part: str, handler: Any) -> None:
    parser = _parser()
    parser.StartElementHandler = handler
    with archive.open(part) as stream:
        _feed(parser, stream, part)


def _parser() -> Any:
    """An expat parser that refuses a DOCTYPE (no entities, so no billion laughs)."""
    parser = expat.ParserCreate(namespace_separator=None)
    parser.buffer_text = True

    def doctype(*_: object) -> None:
        raise ScanRefusal("doctype", {})

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    return parser


def _feed(parser: Any, stream: IO[bytes], part: str) -> None:
    try:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ScanRefusal("xml", {"part": part, "error": str(exc)}) from None


def _local(tag: str) -> str:
    """`x:c` and `c` are the same element (some writers prefix the spreadsheet namespace)."""
    return tag.rpartition(":")[2]


def column_number(letters: str) -> int:
    """Excel column letters → 1-based number: A → 1, XFD → 16384."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - ord("A") + 1
    return number


class _Stop(Exception):
    """A limit was crossed: stop reading the sheet."""


class _Cursor:
    """Where the scan is in a worksheet and what the current cell holds so far."""

    __slots__ = ("row", "column", "in_cell", "value", "formula", "type", "buffer")

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.value = False
        self.formula = False
        self.type = ""
        self.buffer: list[str] | None = None  # collects character data while not None


def _scan_sheet(stream: IO[bytes], scan: SheetScan, limits: ReadLimits) -> None:
    """Stream one worksheet's XML; fill `scan`, stopping at the first limit crossed."""
    parser = _parser()
    at = _Cursor()
    text: list[str] = []  # the <v> of an error, boolean or formula cell
    formula: list[str] = []  # the <f> of the current cell

    def refuse(code: str) -> None:
        scan.refusal = ScanRefusal(code, {"sheet": scan.name, "row": at.row, "column": at.column})
        raise _Stop

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        if name == "c":
            reference = attrs.get("r")
            match = _REFERENCE.match(reference) if reference else None
            if match:
                at.column = column_number(match[1])
                at.row = int(match[2])
            else:
                at.column += 1
            at.in_cell, at.value, at.formula, at.type = True, False, False, attrs.get("t", "")
            formula.clear()
            text.clear()
        elif name == "row":
            number = attrs.get("r")
            at.row = int(number) if number and number.isdigit() else at.row + 1
            at.column = 0
        elif at.in_cell:
            if name in ("v", "is"):
                at.value = True
                if name == "v" and (at.type in ("e", "b") or at.formula):
                    text.clear()
                    at.buffer = text
            elif name == "f":
                at.formula = True
                formula.clear()
                at.buffer = formula

    def end(tag: str) -> None:
        name = _local(tag)
        if name in ("v", "f"):
            at.buffer = None
        if name != "c":
            return
        at.in_cell = False
        if not (at.value or at.formula):
            return  # a styled empty cell: calamine skips it, so does the used range
        scan.cells += 1
        if at.row > limits.max_rows:
            refuse("rows")
        if at.column > limits.max_columns:
            refuse("columns")
        scan.rows = max(scan.rows, at.row)
        scan.columns = max(scan.columns, at.column)
        if scan.cells > limits.max_cells or scan.rows * scan.columns > limits.max_cells:
            refuse("cells")
        row, column = at.row - 1, at.column - 1
        if at.type == "e":
            scan.problems.append(CellProblem(row, column, "excel-error", "".join(text).strip()))
        elif at.type == "b" and at.value:
            shown = EXCEL_BOOLEANS.get("".join(text).strip(), "TRUE")
            scan.problems.append(CellProblem(row, column, "boolean", shown))
        elif at.formula and (not at.value or (at.type != "str" and not "".join(text).strip())):
            # no <v>, or an empty one where the result is not text: the result was never saved
            shown = "=" + "".join(formula).strip()[:MAX_FORMULA_SHOWN]
            scan.problems.append(CellProblem(row, column, "formula-without-value", shown))

    def characters(data: str) -> None:
        buffer = at.buffer
        if buffer is not None and len(buffer) < MAX_TEXT_PIECES:
            buffer.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        _feed(parser, stream, scan.name)
    except _Stop:
        return
