"""The one entry point the service calls: a file path in, normalised values and their report out."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl.consistency import check_consistency
from etl.layouts import Extract, LayoutFailure, detect
from etl.limits import ReadLimits
from etl.lookup import Lexicon
from etl.messages import issue
from etl.normalise import normalise
from etl.readers import RawFile, UnreadableFile, read_file
from etl.report import MAX_ISSUES_PER_CODE, ErrorCode, IssueList, RowIssue, Severity, ValidationReport
from etl.text import cell_text, frame_of, map_unique
from etl.validation import validate_rows
from indicators.model import Plan
from indicators.plausibility import period_window

#: The columns of `UploadResult.values`, in order; `app.store` stages exactly these.
VALUE_COLUMNS = ("indicator", "region", "period", "period_ordinal", "value", "note", "sheet", "row")
_SEPARATOR = "、"
#: the record columns of few distinct texts (the values and notes are mostly distinct)
_COMPACT_COLUMNS = ("indicator", "region", "period", "unit", "default_unit", "column")
#: the normalised columns that the consistency checks and the values read (etl.consistency, `_values`)
_KEPT_COLUMNS = (
    "sheet_no",
    "row",
    "column",
    "note",
    "indicator_no",
    "region_no",
    "indicator",
    "region",
    "period",
    "period_ordinal",
    "value",
)


@dataclass(frozen=True, slots=True)
class UploadResult:
    """What a file holds: one row per valid, non-missing value (catalog unit), and every problem found."""

    values: pd.DataFrame
    report: ValidationReport
    sha256: str
    rows_read: int


def read_upload(
    path: Path,
    *,
    plan: Plan,
    published: pd.DataFrame | None = None,
    max_issues_per_code: int = MAX_ISSUES_PER_CODE,
    limits: ReadLimits | None = None,
    today: dt.date | None = None,
    sha256: str | None = None,
) -> UploadResult:
    """Read, normalise and validate one uploaded file; a bad file gives a report, never an exception.

    `published` holds the currently published values (columns indicator, region, period, value);
    it is only used for warnings (changes, revisions, sums), never written. `max_issues_per_code`:
    how many issues of one code the report spells out (all are counted), so a file with 50,000 bad
    rows gives a readable report. `limits` bound what the readers take on (defaults: `ReadLimits()`);
    `today` is the as-of date of the plausible periods (None: no upper bound; indicators.plausibility).
    `sha256`: the digest the caller computed while receiving the file (the service's one pass); else
    it is computed here.
    """
    path = Path(path)
    data = path.read_bytes()
    sha256 = sha256 or hashlib.sha256(data).hexdigest()
    size = len(data)
    try:
        raw = read_file(path, data, limits)
    except UnreadableFile as exc:
        return failed_upload(path.name, sha256, size, exc)
    del data  # the grid holds the content now: the worker's peak need not hold the file twice
    stats: dict[str, Any] = {"file": path.name, "bytes": size}
    lexicon = Lexicon.from_plan(plan)
    out = IssueList(cap=max_issues_per_code)
    extracts = _understand(raw, lexicon, out, stats)
    kind, sheet_order = raw.kind, [s.name or "" for s in raw.sheets]
    del raw  # the extracts hold what is used of the grid
    extracts = tuple(replace(e, records=_compact_texts(e.records)) for e in extracts)
    _ragged_rows(extracts, kind, out)
    norm = normalise(extracts, lexicon, period_window(plan, today))
    # the normalised frame holds every record now: the raw records need not stay for the checks
    extracts = tuple(replace(e, records=e.records.iloc[:0], ragged=None) for e in extracts)
    norm = replace(norm, extracts=extracts)
    ok = validate_rows(norm, lexicon, out)
    # after validation only these columns are read: the raw texts and flags are let go (at 10^7 values
    # about 1.3 GB), and an all-valid file's frame is not copied
    kept = norm.frame[list(_KEPT_COLUMNS)]
    empty = norm.frame.empty
    norm = replace(norm, frame=kept.iloc[:0])
    valid = kept if ok.all() else kept.loc[ok]
    del kept
    check_consistency(valid, published, norm, plan, out)
    rows_read = sum(e.rows_read for e in extracts)
    if empty and not out.issues:
        out.add(ErrorCode.NO_DATA, iter([issue(ErrorCode.NO_DATA, sheet=None, row=None, column=None)]), 1)
    values = _values(valid, extracts)
    stats |= {
        "rows_read": rows_read,
        "values": len(values),
        "missing": norm.missing,
        "issue_counts": dict(out.totals),
        "issues_not_listed": out.truncated,
    }
    return UploadResult(values, ValidationReport.build(out.issues, stats, sheet_order), sha256, rows_read)


def failed_upload(file_name: str, sha256: str, size: int, failure: UnreadableFile) -> UploadResult:
    """The result of a file that could not be read at all: one file-level error, no values."""
    issue_ = RowIssue(
        failure.sheet,
        failure.row,
        failure.column,
        failure.code,
        Severity.ERROR,
        failure.message_zh,
        failure.message_en,
    )
    stats: dict[str, Any] = {
        "file": file_name,
        "bytes": size,
        "rows_read": 0,
        "values": 0,
        "missing": 0,
        "issue_counts": {str(failure.code): 1},
    }
    return UploadResult(_empty_values(), ValidationReport.build([issue_], stats), sha256, 0)


def _understand(raw: RawFile, lexicon: Lexicon, out: IssueList, stats: dict[str, Any]) -> tuple[Extract, ...]:
    """Detect each sheet's layout; record what was read, skipped or not understood."""
    extracts: list[Extract] = []
    skipped: list[str] = []
    for sheet in raw.sheets:
        found = detect(sheet, lexicon)
        if found is None:
            skipped.append(sheet.name or "")
        elif isinstance(found, LayoutFailure):
            failure = issue(
                ErrorCode.UNKNOWN_LAYOUT,
                sheet=found.sheet,
                row=found.row,
                column=None,
                value=_SEPARATOR.join(found.headers),
            )
            out.add(ErrorCode.UNKNOWN_LAYOUT, iter([failure]), 1)
        else:
            extracts.append(found)
    stats |= {
        "kind": raw.kind,
        "encoding": raw.encoding,
        "sheets": [
            {"sheet": e.sheet, "layout": str(e.layout), "header_row": e.header_row, "rows": e.rows_read}
            for e in extracts
        ],
        "skipped_sheets": skipped,
        "hidden_sheets": list(raw.hidden_sheets),
    }
    return tuple(extracts)


def _compact_texts(records: pd.DataFrame) -> pd.DataFrame:
    """The repetitive text columns of a CSV's records as categoricals (codes and a few distinct texts).

    A 10^7-line file's names, regions, periods and units are ~1 GB as Arrow strings and a few
    dozen MB as categories; every later step reads them through `pd.factorize` or by position, which
    give the same texts. Object columns (workbooks: numbers, dates, booleans) are left as they are.
    """
    compact = {
        name: records[name].astype("category")
        for name in _COMPACT_COLUMNS
        if isinstance(records[name].dtype, pd.StringDtype)
    }
    return records.assign(**compact) if compact else records


def _ragged_rows(extracts: tuple[Extract, ...], kind: str, out: IssueList) -> None:
    """Every row wider or narrower than its header is an error: the file is never half-read."""
    for extract in extracts:
        rows = extract.ragged
        if rows is None or rows.empty:
            continue
        items = (
            issue(
                ErrorCode.RAGGED_ROW,
                sheet=extract.sheet,
                row=int(r.row),
                column=r.column if isinstance(r.column, str) else None,
                template=_ragged_template(kind, int(r.fields), int(r.header_fields)),
                fields={"fields": int(r.fields), "header_fields": int(r.header_fields)},
            )
            for r in rows.itertuples(index=False)
        )
        out.add(ErrorCode.RAGGED_ROW, items, len(rows))


def _ragged_template(kind: str, fields: int, header_fields: int) -> str | None:
    if kind != "csv":
        return "ragged-row-sheet"
    return None if fields > header_fields else "ragged-row-short"


def _values(valid: pd.DataFrame, extracts: tuple[Extract, ...]) -> pd.DataFrame:
    if valid.empty:
        return _empty_values()
    # the order of sort_values(["sheet_no", "row"], kind="stable"), without copying the whole frame
    sheet_no, row = valid["sheet_no"].to_numpy(np.int64), valid["row"].to_numpy(np.int64)
    order = np.lexsort((row, sheet_no))

    def column(name: str, dtype: Any) -> np.ndarray:
        return valid[name].to_numpy(dtype)[order]

    note = map_unique(pd.Series(column("note", object), dtype=object), lambda v: cell_text(v) or None)
    sheets = np.array([e.sheet for e in extracts], dtype=object)
    return frame_of(
        {
            "indicator": pd.Series(column("indicator", object), dtype=object, copy=False),
            "region": pd.Series(column("region", object), dtype=object, copy=False),
            "period": pd.Series(column("period", object), dtype=object, copy=False),
            "period_ordinal": pd.Series(column("period_ordinal", np.int64), copy=False),
            "value": pd.Series(column("value", np.float64), copy=False),
            "note": pd.Series(note, dtype=object, copy=False),
            "sheet": pd.Series(sheets[sheet_no[order]], dtype=object, copy=False),
            "row": pd.Series(row[order], copy=False),
        }
    )


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": pd.Series(dtype=object),
            "region": pd.Series(dtype=object),
            "period": pd.Series(dtype=object),
            "period_ordinal": pd.Series(dtype=np.int64),
            "value": pd.Series(dtype=np.float64),
            "note": pd.Series(dtype=object),
            "sheet": pd.Series(dtype=object),
            "row": pd.Series(dtype=np.int64),
        }
    )
