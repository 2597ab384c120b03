"""Row-level validation: the flags set by normalisation → located errors, all of them, in both languages.

Each rule is a boolean mask over the normalised frame. A problem in a header, a title or the sheet
name is reported once where it is written, not once for every value it affects; a problem in a
cell is reported at that cell. At most `IssueList.cap` issues of one code are spelled out, the
total is always in the report's stats.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from etl.layouts import Source, SourceKind
from etl.lookup import Lexicon
from etl.messages import FREQUENCY_ZH, LEVEL_ZH, issue, number_text
from etl.normalise import Normalised, PeriodStatus, key_of
from etl.report import ErrorCode, IssueList, RowIssue
from etl.text import cell_text, map_unique
from indicators.model import Plan

MAX_ROWS_IN_DUPLICATE_MESSAGE = 5
KEY = ["indicator", "region", "period"]


def validate_rows(norm: Normalised, lexicon: Lexicon, out: IssueList) -> np.ndarray:
    """Add every row-level error to `out`; return the mask of rows free of errors."""
    frame, plan = norm.frame, lexicon.plan
    known_indicator = frame["indicator"].notna().to_numpy()
    masks = {
        ErrorCode.UNKNOWN_INDICATOR: ~known_indicator,
        ErrorCode.UNKNOWN_REGION: frame["region"].isna().to_numpy(),
        ErrorCode.UNREADABLE_PERIOD: frame["period_status"]
        .isin([PeriodStatus.EMPTY, PeriodStatus.UNREADABLE])
        .to_numpy(),
        ErrorCode.FREQUENCY_MISMATCH: (frame["period_status"] == PeriodStatus.MISMATCH).to_numpy(),
        ErrorCode.IMPLAUSIBLE_PERIOD: (frame["period_status"] == PeriodStatus.IMPLAUSIBLE).to_numpy(),
        ErrorCode.NON_NUMERIC_VALUE: frame["invalid_value"].to_numpy(),
        ErrorCode.EXCEL_ERROR_VALUE: (frame["cell_problem"] == "excel-error").to_numpy(),
        ErrorCode.FORMULA_WITHOUT_VALUE: (frame["cell_problem"] == "formula-without-value").to_numpy(),
        ErrorCode.BOOLEAN_VALUE: (frame["cell_problem"] == "boolean").to_numpy(),
        ErrorCode.IMPLAUSIBLE_VALUE: frame["implausible_value"].to_numpy(),
        ErrorCode.UNIT_MISMATCH: known_indicator & frame["factor"].isna().to_numpy(),
        ErrorCode.NEGATIVE_COUNT: frame["negative_count"].to_numpy(),
        ErrorCode.REGION_NOT_ALLOWED: ~frame["region_allowed"].to_numpy(),
    }
    field_of = {
        ErrorCode.UNKNOWN_INDICATOR: "indicator",
        ErrorCode.UNKNOWN_REGION: "region",
        ErrorCode.UNREADABLE_PERIOD: "period",
        ErrorCode.FREQUENCY_MISMATCH: "period",
        ErrorCode.IMPLAUSIBLE_PERIOD: "period",
        ErrorCode.UNIT_MISMATCH: "unit",
    }
    for code, mask in masks.items():
        if not mask.any():  # nothing to locate (adding none would change nothing either)
            continue
        located = _locate(frame.loc[mask], field_of.get(code), norm)
        # at most `cap` issues of a code are spelled out: only those rows are turned into tuples
        # (itertuples converts each whole column first, 10^6 texts for a file of wrong periods)
        shown = located.iloc[: out.cap]
        items = (_describe(code, loc, norm, lexicon) for loc in shown.itertuples(index=False))
        out.add(code, items, len(located))
    duplicate = _duplicated(frame, len(plan.regions))
    _duplicates(frame.loc[duplicate], norm, out, plan)
    failed = np.logical_or.reduce([*masks.values(), duplicate]) if len(frame) else np.zeros(0, dtype=bool)
    return ~failed


def _duplicated(frame: pd.DataFrame, n_regions: int) -> np.ndarray:
    """Rows whose resolved key (indicator, region, period) occurs more than once, on an integer key."""
    resolved = (
        (frame["indicator_no"] >= 0) & (frame["region_no"] >= 0) & (frame["period_ordinal"] >= 0)
    ).to_numpy()
    keys = key_of(
        frame["indicator_no"].to_numpy(),
        frame["region_no"].to_numpy(),
        frame["period_ordinal"].to_numpy(),
        n_regions,
    )
    duplicate = np.zeros(len(frame), dtype=bool)
    duplicate[resolved] = pd.Series(keys[resolved]).duplicated(keep=False).to_numpy()
    return duplicate


def _sheet(norm: Normalised, sheet_no: int) -> str | None:
    return norm.extracts[sheet_no].sheet


def _locate(rows: pd.DataFrame, field_name: str | None, norm: Normalised) -> pd.DataFrame:
    """Where each failing row's problem is written: its own cell, a header, a title or the sheet name.

    Adds `at_row`, `at_column`, `shown` (the text as written) and `kind`; problems outside the row
    (header, title, sheet name, a missing column) collapse to one per place.
    """
    if rows.empty:
        return rows.assign(at_row=pd.Series(dtype="Int64"), at_column=None, shown=None, kind=None)
    pieces = []
    for sheet_no, group in rows.groupby("sheet_no", sort=True):
        extract = norm.extracts[int(sheet_no)]  # type: ignore[call-overload]
        source = extract.sources[field_name] if field_name else Source(SourceKind.CELL, None)
        raw_column = {"unit": "unit_written"}.get(field_name or "", f"{field_name}_raw")
        shown = map_unique(group[raw_column if field_name else "value_raw"], cell_text)
        if source.kind is SourceKind.CELL:
            at_row, at_column = group["row"], (source.column if field_name else group["column"])
        elif source.kind is SourceKind.HEADER:
            at_row, at_column = source.row, group["column"]
        else:  # CONTEXT (title row or sheet name) or MISSING (reported at the header row)
            at_row = source.row if source.kind is SourceKind.CONTEXT else extract.header_row
            at_column = source.column
        located = group.assign(at_row=at_row, at_column=at_column, shown=shown, kind=str(source.kind))
        if field_name is not None:  # one cell, one issue: a wrong region in a wide row is one problem
            located = located.drop_duplicates(["at_row", "at_column", "shown"])
        pieces.append(located)
    return pd.concat(pieces)


def _describe(code: ErrorCode, loc: Any, norm: Normalised, lexicon: Lexicon) -> RowIssue:
    """One located problem → its issue with both messages."""
    plan = lexicon.plan
    sheet = _sheet(norm, int(loc.sheet_no))
    row = None if pd.isna(loc.at_row) else int(loc.at_row)
    shown: str = loc.shown
    kind: str = loc.kind
    code_indicator = loc.indicator
    indicator = plan.indicator(code_indicator) if code_indicator is not None else None
    variant = None
    if kind == SourceKind.MISSING:
        variant = f"{code}-missing"
    elif not shown and code in (
        ErrorCode.UNKNOWN_REGION,
        ErrorCode.UNKNOWN_INDICATOR,
        ErrorCode.UNREADABLE_PERIOD,
    ):
        variant = f"{code}-empty"
    fields: dict[str, str] = {"indicator": indicator.name if indicator else ""}
    if code is ErrorCode.FREQUENCY_MISMATCH and indicator is not None:
        fields |= {"frequency": str(indicator.frequency), "frequency_zh": FREQUENCY_ZH[indicator.frequency]}
    elif code is ErrorCode.UNIT_MISMATCH and indicator is not None:
        fields |= {"unit": shown, "catalog_unit": indicator.unit}
    elif code is ErrorCode.NEGATIVE_COUNT:
        shown = number_text(float(loc.value))
    elif code is ErrorCode.IMPLAUSIBLE_VALUE and indicator is not None:
        fields |= {"unit": indicator.unit, "maximum": number_text(float(loc.value_maximum))}
    elif code is ErrorCode.IMPLAUSIBLE_PERIOD and norm.window is not None:
        window = norm.window
        last = window.last_month
        fields |= {
            "first_year": str(window.first_year),
            "last_zh": ""
            if last is None
            else f"，不晚于{(last - 1) // 12}年{(last - 1) % 12 + 1}月开始的时期",
            "last_en": ""
            if last is None
            else f", starting no later than {(last - 1) // 12}-{(last - 1) % 12 + 1:02d}",
        }
    elif code is ErrorCode.REGION_NOT_ALLOWED and indicator is not None:
        region = plan.region(loc.region)
        shown = region.name
        fields |= {
            "region": region.name,
            "level": str(region.level),
            "level_zh": LEVEL_ZH.get(region.level, str(region.level)),
            "levels": ", ".join(str(lv) for lv in indicator.levels),
            "levels_zh": "、".join(LEVEL_ZH.get(lv, str(lv)) for lv in indicator.levels),
        }
    return issue(
        code,
        sheet=sheet,
        row=row,
        column=loc.at_column,
        value=shown,
        template=variant,
        sheet_name=kind == SourceKind.CONTEXT and row is None,
        fields=fields,
    )


def _duplicates(rows: pd.DataFrame, norm: Normalised, out: IssueList, plan: Plan) -> None:
    """One issue per duplicated cell, naming every row that carries the same key."""
    total = len(rows)
    if not total:
        return
    shown_rows = rows.iloc[: out.cap]
    keys = shown_rows[KEY].drop_duplicates()
    related = rows.merge(keys, on=KEY)
    places = related.assign(sheet=related["sheet_no"].map(lambda n: _sheet(norm, int(n))))
    where_zh: dict[tuple[str, str, str], list[str]] = {}
    where_en: dict[tuple[str, str, str], list[str]] = {}
    multi_sheet = len(norm.extracts) > 1
    for item in places.itertuples(index=False):
        key = (item.indicator, item.region, item.period)
        sheet = f"工作表“{item.sheet}”" if multi_sheet and item.sheet else ""
        where_zh.setdefault(key, []).append(f"{sheet}第{item.row}行")
        where_en.setdefault(key, []).append(f"{item.sheet} row {item.row}" if sheet else f"row {item.row}")

    def described() -> Iterator[RowIssue]:
        for item in shown_rows.itertuples(index=False):
            key = (item.indicator, item.region, item.period)
            indicator, region = plan.indicator(item.indicator), plan.region(item.region)
            yield issue(
                ErrorCode.DUPLICATE_KEY,
                sheet=_sheet(norm, int(item.sheet_no)),
                row=int(item.row),
                column=item.column,
                value=cell_text(item.value_raw),
                fields={
                    "indicator": indicator.name,
                    "region": region.name,
                    "period": item.period,
                    "rows": "、".join(where_zh[key][:MAX_ROWS_IN_DUPLICATE_MESSAGE]),
                    "rows_en": ", ".join(where_en[key][:MAX_ROWS_IN_DUPLICATE_MESSAGE]),
                },
            )

    out.add(ErrorCode.DUPLICATE_KEY, described(), total)
