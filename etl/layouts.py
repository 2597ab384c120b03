"""Layouts: find the header row of a raw grid and turn the sheet into long records of raw text.

Three layouts are understood (docs in etl/__init__.py):
- LONG: one value a row, columns indicator / region / period / value [/ unit / note];
- REGIONS_DOWN: regions down the first column, indicators across, units in the headers;
- PERIODS_ACROSS: indicator (and region) down, periods across as headers.
Rows above the header are context: a title such as `2024年第三季度全省数字经济主要指标` or a line
`单位：万元`. A field with no column of its own (the period of a wide sheet, the region of a province
table) is taken from that context, then from the sheet name. Nothing is interpreted beyond that here:
the records keep the text as written, and `sources` say where each field came from so that an
issue can point at the cell the uploader has to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from etl.lookup import ColumnRole, Lexicon, unit_note
from etl.periods import find_period, parse_period, period_text
from etl.readers import RawSheet
from etl.text import cell_text, column_letter, fold

MAX_HEADER_SCAN = 20  # rows searched for the header; titles and notes sit above it
MIN_HEADER_CELLS = 2
#: Sheets that explain rather than report (a template's instructions) are not read.
SKIPPED_SHEETS = frozenset(
    fold(n) for n in ("说明", "填报说明", "使用说明", "目录", "instructions", "readme")
)
RECORD_COLUMNS = ("indicator", "region", "period", "unit", "default_unit", "value", "note", "row", "column")


#: Texts above the header and the sheet name: (Excel row, 0-based column, text); row None = sheet name.
_Context = list[tuple[int | None, int | None, str | None]]


class Layout(StrEnum):
    LONG = "long"
    REGIONS_DOWN = "regions-down"
    PERIODS_ACROSS = "periods-across"


class SourceKind(StrEnum):
    CELL = "cell"  # in the record's own row, in `column`
    HEADER = "header"  # the header of the record's value column (row `row`)
    CONTEXT = "context"  # a title row (`row`, `column` letter) or, with row None, the sheet name
    MISSING = "missing"  # nowhere: reported once at the header row


@dataclass(frozen=True, slots=True)
class Source:
    """Where a field's text was found, so that an issue can point at the cell to fix."""

    kind: SourceKind
    column: str | None = None
    row: int | None = None
    text: str | None = None  # the title or sheet name a context value was found in


@dataclass(frozen=True, slots=True)
class Extract:
    """One understood sheet: raw long records plus where each field came from."""

    sheet: str | None
    layout: Layout
    header_row: int
    records: pd.DataFrame  # RECORD_COLUMNS, raw cell contents, `row` = Excel row of the value
    sources: Mapping[str, Source]
    rows_read: int
    #: rows whose width differs from the header's: `row`, `fields`, `header_fields`, `column` (the
    #: first cell beyond the header, or None when the row is short); each is an error (etl.upload)
    ragged: pd.DataFrame | None = None


@dataclass(frozen=True, slots=True)
class LayoutFailure:
    """A sheet with content but no header we understand; `headers` is what we saw."""

    sheet: str | None
    row: int | None
    headers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Header:
    row: int
    layout: Layout
    texts: dict[int, str]
    roles: dict[ColumnRole, int]
    across: tuple[int, ...]

    def label(self, column: int) -> str:
        return self.texts.get(column) or column_letter(column)


def detect(sheet: RawSheet, lexicon: Lexicon) -> Extract | LayoutFailure | None:
    """Understand one sheet; None for an empty or instructions sheet."""
    if sheet.grid.empty or (sheet.name is not None and fold(sheet.name) in SKIPPED_SHEETS):
        return None
    head = sheet.grid.iloc[:MAX_HEADER_SCAN].map(cell_text)
    context: list[tuple[int, int, str]] = []
    first_seen: tuple[int, tuple[str, ...]] | None = None
    for row_number, cells in zip(head.index.tolist(), head.itertuples(index=False, name=None), strict=True):
        texts = {column: text for column, text in enumerate(cells) if text}
        if not texts:
            continue
        header = _classify(row_number, texts, lexicon)
        if header is not None:
            return _extract(sheet, header, context, lexicon)
        if first_seen is None or (len(first_seen[1]) < MIN_HEADER_CELLS <= len(texts)):
            first_seen = (row_number, tuple(texts.values()))
        context.extend((row_number, c, t) for c, t in texts.items())
    if first_seen is None:
        return None
    return LayoutFailure(sheet.name, first_seen[0], first_seen[1])


def _classify(row: int, texts: dict[int, str], lexicon: Lexicon) -> _Header | None:
    if len(texts) < MIN_HEADER_CELLS:
        return None
    roles: dict[ColumnRole, int] = {}
    others: list[int] = []
    for column, text in sorted(texts.items()):
        role = lexicon.role(text)
        if role is None:
            others.append(column)
        else:
            roles.setdefault(role, column)
    indicators = [c for c in others if lexicon.indicator(texts[c]).code is not None]
    periods = [c for c in others if parse_period(texts[c]) is not None]
    if ColumnRole.VALUE in roles:
        layout = Layout.LONG
    elif periods and len(periods) >= len(indicators) and (len(periods) >= MIN_HEADER_CELLS or roles):
        layout = Layout.PERIODS_ACROSS
    elif indicators or (ColumnRole.REGION in roles and others):
        layout = Layout.REGIONS_DOWN
    elif ColumnRole.INDICATOR in roles and others:
        layout = Layout.PERIODS_ACROSS
    else:
        return None
    across = () if layout is Layout.LONG else tuple(others)
    header = _Header(row, layout, texts, roles, across)
    # A blank header left of the across columns is the row-label column (regions or indicators).
    label_role = ColumnRole.REGION if layout is Layout.REGIONS_DOWN else ColumnRole.INDICATOR
    if across and label_role not in roles:
        blanks = [c for c in range(min(across)) if c not in texts]
        if blanks:
            roles[label_role] = blanks[-1]
    return header


def _extract(
    sheet: RawSheet, header: _Header, context: list[tuple[int, int, str]], lexicon: Lexicon
) -> Extract:
    grid = sheet.grid
    used = {c for role, c in header.roles.items() if role is not ColumnRole.IGNORE} | set(header.across)
    data = grid.loc[header.row + 1 :, [c for c in sorted(used) if c in grid.columns]]
    blank = (data.isna() | (data == "")).all(axis=1)
    data = data.loc[~blank.to_numpy()]
    contexts: _Context = [*context, *(((None, None, sheet.name),) if sheet.name else ())]
    fields: dict[str, object] = {}
    sources: dict[str, Source] = {}
    finders: tuple[tuple[str, ColumnRole, Callable[[str], str | None]], ...] = (
        ("indicator", ColumnRole.INDICATOR, lexicon.find_indicator),
        ("region", ColumnRole.REGION, lexicon.find_region),
        ("period", ColumnRole.PERIOD, _period_in),
    )
    for name, role, finder in finders:
        column = header.roles.get(role)
        if column is not None and column in data.columns:
            fields[name] = data[column]
            sources[name] = Source(SourceKind.CELL, header.label(column))
        else:
            fields[name], sources[name] = _from_context(contexts, finder, header.row)
    unit_column = header.roles.get(ColumnRole.UNIT)
    if unit_column is not None:
        fields["unit"] = data[unit_column]
        sources["unit"] = Source(SourceKind.CELL, header.label(unit_column))
    else:
        fields["unit"], sources["unit"] = None, sources["indicator"]
    fields["default_unit"] = next((u for _, _, t in contexts if t and (u := unit_note(t))), "")
    note_column = header.roles.get(ColumnRole.NOTE)
    fields["note"] = data[note_column] if note_column is not None else None
    fields["row"] = data.index.to_numpy()
    if header.layout is Layout.LONG:
        value_column = header.roles[ColumnRole.VALUE]
        records = pd.DataFrame({**fields, "value": data[value_column], "column": header.label(value_column)})
    else:
        across_field = "indicator" if header.layout is Layout.REGIONS_DOWN else "period"
        sources[across_field] = Source(SourceKind.HEADER, row=header.row)
        if across_field == "indicator" and unit_column is None:
            sources["unit"] = sources["indicator"]
        pieces = [
            pd.DataFrame(
                {**fields, across_field: header.texts.get(c, ""), "value": data[c], "column": header.label(c)}
            )
            for c in header.across
        ]
        records = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=RECORD_COLUMNS)
    records = records.reset_index(drop=True)[list(RECORD_COLUMNS)]
    ragged = _ragged(sheet, header)
    return Extract(sheet.name, header.layout, header.row, records, sources, int(len(data)), ragged)


def _ragged(sheet: RawSheet, header: _Header) -> pd.DataFrame:
    """Rows below the header that are wider or (CSV) narrower than it, set-wise over the grid.

    A value beyond the last header column would otherwise be dropped without a word: in a CSV it
    is usually an unquoted thousands separator (`20,000` read as 20 and 000). A CSV line with
    fewer fields than the header lost a field. Trailing empty fields are harmless and ignored.
    """
    grid = sheet.grid.loc[header.row + 1 :]
    width = max(header.texts) + 1
    filled = grid.notna() & (grid != "")
    blank = ~filled.any(axis=1)
    beyond = filled.loc[:, [c for c in grid.columns if c >= width]]
    wide = beyond.any(axis=1) if beyond.shape[1] else pd.Series(False, index=grid.index)
    last = filled.to_numpy()[:, ::-1].argmax(axis=1) if len(grid) else []
    used = pd.Series(grid.shape[1] - pd.Series(last, index=grid.index, dtype="int64"), index=grid.index)
    if sheet.fields is not None:
        fields = sheet.fields.loc[grid.index]
        header_fields = int(sheet.fields.loc[header.row])
        short = fields < width
    else:
        fields, header_fields = used, width
        short = pd.Series(False, index=grid.index)
    bad = (wide | short) & ~blank
    first_beyond = beyond.loc[bad].idxmax(axis=1) if beyond.shape[1] else pd.Series(dtype="int64")
    rows = grid.index[bad.to_numpy()]
    return pd.DataFrame(
        {
            "row": rows.to_numpy(),
            "fields": fields.loc[rows].to_numpy(),
            "header_fields": header_fields,
            "column": [column_letter(int(first_beyond[r])) if bool(wide.loc[r]) else None for r in rows],
        }
    )


def _from_context(
    contexts: _Context, find: Callable[[str], str | None], header_row: int
) -> tuple[str | None, Source]:
    """The first title row (then the sheet name) in which `find` recognises something."""
    for row, column, text in contexts:
        found = find(text or "")
        if found is not None:
            letter = column_letter(column) if column is not None else None
            return found, Source(SourceKind.CONTEXT, letter, row, text)
    return None, Source(SourceKind.MISSING, row=header_row)


def _period_in(text: str) -> str | None:
    parsed = find_period(text)
    return None if parsed is None else period_text(parsed)
