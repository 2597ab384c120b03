"""The brief's tables as an Excel workbook (xlsxwriter): a sheet per table, formatted, formula-free.

xlsxwriter writes a 20-sheet workbook in tens of milliseconds and sets number formats, frozen panes
and widths directly. Text that a spreadsheet would read as a formula (starting with = + - @, or a
tab/carriage return that some programs strip first) is escaped with a leading apostrophe and always
written as a string cell, so a hostile note or name can never become a formula.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from app.briefs.content import BriefContent, Cell, ColumnKind, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {
    ColumnKind.NUMBER: "#,##0.####",
    ColumnKind.INTEGER: "0",
    ColumnKind.PERCENT: "0.0%",
    ColumnKind.POINTS: "0.0",
}
MAX_SHEET_NAME = 31
FORBIDDEN_IN_SHEET_NAMES = "[]:*?/\\"
HEADER_ROW = 2  # row 0: title, row 1: blank line for the note, row 2: headers


def escape_text(text: str) -> str:
    """Text as a cell shows it, never as a formula: '=1+1 stays the text =1+1 with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_xlsx(content: BriefContent, path: Path) -> None:
    """Write every table of the brief to its own sheet, then a sheet of the summary sentences."""
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    )
    workbook.set_properties({"title": content.title + content.subtitle, "author": content.issuer})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14, "font_name": "黑体"}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
        ),
        "text": workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "note": workbook.add_format({"italic": True, "font_color": "#555555"}),
    }
    numbers = {
        kind: workbook.add_format({"border": 1, "num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()
    }
    used: set[str] = set()
    summary = workbook.add_worksheet(_sheet_name("摘要", used))
    summary.write_string(0, 0, escape_text(content.title + content.subtitle), formats["title"])
    summary.write_string(1, 0, escape_text(f"{content.issuer}  {content.date_text}"), formats["note"])
    for i, sentence in enumerate(content.summary):
        summary.write_string(3 + i, 0, escape_text(sentence + "。"))
    summary.set_column(0, 0, 120)
    for table in content.tables():
        _table(workbook.add_worksheet(_sheet_name(table.sheet, used)), table, formats, numbers)
    workbook.close()


def _table(sheet: object, table: Table, formats: dict, numbers: dict) -> None:
    ws = sheet  # xlsxwriter.worksheet.Worksheet
    ws.write_string(0, 0, escape_text(table.title), formats["title"])  # type: ignore[attr-defined]
    if table.note:
        ws.write_string(1, 0, escape_text(table.note), formats["note"])  # type: ignore[attr-defined]
    for col, column in enumerate(table.columns):
        ws.write_string(HEADER_ROW, col, escape_text(column.title), formats["header"])  # type: ignore[attr-defined]
        ws.set_column(col, col, max(column.width, len(column.title) * 2 + 2))  # type: ignore[attr-defined]
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            _cell(ws, r, col, value, numbers.get(column.kind, formats["text"]), formats["text"])
    ws.freeze_panes(HEADER_ROW + 1, 1)  # type: ignore[attr-defined]
    if table.rows:
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + len(table.rows), len(table.columns) - 1)  # type: ignore[attr-defined]


def _cell(ws: object, row: int, col: int, value: Cell, number_format: object, text_format: object) -> None:
    if value is None:
        ws.write_blank(row, col, None, text_format)  # type: ignore[attr-defined]
    elif isinstance(value, str):
        ws.write_string(row, col, escape_text(value), text_format)  # type: ignore[attr-defined]
    else:
        ws.write_number(row, col, float(value), number_format)  # type: ignore[attr-defined]


def _sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    clean = "".join("_" if c in FORBIDDEN_IN_SHEET_NAMES else c for c in name).strip("'") or "表"
    clean = clean[:MAX_SHEET_NAME]
    candidate, n = clean, 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = clean[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate
