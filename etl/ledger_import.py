"""Policy-ledger applications from a workbook or CSV: read, check every row, report in Chinese.

The file is read by the same readers as indicator uploads (etl/readers.py). Each sheet whose header
row names 统一社会信用代码 is a sheet of applications (others, like the template's 说明, are
skipped). Fixed columns: 统一社会信用代码, 企业名称, 所在市, 政策条款 (10, 第10条), 奖补事项 (code,
optional when the item has one or the figures say which), 年度, 项目名称; the basis figures come in
columns named by their key (`revenue`, `revenue 年主营业务收入（万元）`) or Chinese name, and/or in a
`依据` column as `revenue=55000; previous_revenue=12000`. Every problem is a RowIssue with sheet,
row and column; pricing against the ledger's history is the service's job, not this module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from etl.lookup import Lexicon
from etl.messages import where_en, where_zh
from etl.readers import RawSheet, UnreadableFile, read_file
from etl.report import ErrorCode, RowIssue, ValidationReport
from etl.text import fold
from indicators.ledger import credit_code
from indicators.ledger.engine import ClaimError, choose_award, parse_basis
from indicators.model import Plan, RegionLevel

FIXED_HEADERS: dict[str, tuple[str, ...]] = {
    "enterprise_code": ("统一社会信用代码", "信用代码", "社会信用代码", "enterprise_code", "credit_code"),
    "enterprise_name": ("企业名称", "单位名称", "申请单位", "enterprise_name", "enterprise"),
    "city": ("所在市", "设区市", "地市", "城市", "市", "city"),
    "item": ("政策条款", "条款", "政策条目", "item"),
    "award": ("奖补事项", "事项", "award"),
    "year": ("年度", "年份", "奖补年度", "year"),
    "project": ("项目名称", "项目", "project"),
    "basis": ("依据", "依据数值", "basis"),
}
REQUIRED = ("enterprise_code", "enterprise_name", "city", "item", "year")
LABELS = {
    "enterprise_code": "统一社会信用代码",
    "enterprise_name": "企业名称",
    "city": "所在市",
    "item": "政策条款",
    "year": "年度",
}
_BRACKET = re.compile(r"[（(【\[].*?[）)】\]]")
_PAIR = re.compile(r"[;；,，\n]+")
MAX_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class ImportRow:
    sheet: str | None
    row: int
    enterprise_code: str
    enterprise_name: str
    city: str  # region code
    item: int
    award: str
    year: int
    basis: dict[str, str]
    project: str | None


@dataclass(frozen=True, slots=True)
class LedgerImport:
    rows: tuple[ImportRow, ...]
    report: ValidationReport


def _issue(
    code: ErrorCode,
    sheet: str | None,
    row: int | None,
    column: str | None,
    zh: str,
    en: str,
    value: Any = None,
) -> RowIssue:  # noqa: E501
    return RowIssue(
        sheet=sheet,
        row=row,
        column=column,
        code=code,
        severity=code.severity,
        message_zh=where_zh(sheet, row, column) + zh,
        message_en=where_en(sheet, row, column) + en,
        value=None if value is None else str(value)[:200],
    )


def _text(value: Any) -> str:
    """A cell as text: blanks and NaN empty, whole floats without `.0` (Excel stores 2025 as 2025.0)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def basis_headers(plan: Plan) -> dict[str, str]:
    """Folded header → basis key: every key, and each Chinese name that means one key only."""
    out: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    for incentive in plan.incentives:
        for award in incentive.awards:
            for b in award.basis:
                out[fold(b.key)] = b.key
                names.setdefault(fold(b.name), set()).add(b.key)
    out.update({name: next(iter(keys)) for name, keys in names.items() if len(keys) == 1 and name not in out})
    return out


def read_applications(path: Path, data: bytes, *, plan: Plan) -> LedgerImport:
    """Read and check every application row of the file; nothing here touches the ledger."""
    try:
        raw = read_file(path, data)
    except UnreadableFile as exc:
        issue = _issue(exc.code, None, None, None, exc.message_zh, exc.message_en)
        return LedgerImport((), ValidationReport.build([issue], {"rows": 0}))
    catalog = Lexicon.from_plan(plan)
    keys = basis_headers(plan)
    rows: list[ImportRow] = []
    issues: list[RowIssue] = []
    sheets = 0
    for sheet in raw.sheets:
        found = _sheet(sheet, plan, catalog, keys, rows, issues)
        sheets += found
    if not sheets:
        issues.append(
            _issue(
                ErrorCode.NO_DATA,
                None,
                None,
                None,
                "没有找到申请表：表头应含“统一社会信用代码”“企业名称”“所在市”“政策条款”“年度”",
                "no sheet of applications: the header needs "
                "统一社会信用代码, 企业名称, 所在市, 政策条款, 年度",
            )
        )
    elif not rows and not issues:
        issues.append(_issue(ErrorCode.NO_DATA, None, None, None, "申请表没有数据行", "no application rows"))
    _duplicates(rows, issues)
    report = ValidationReport.build(issues, {"rows": len(rows)}, [s.name or "" for s in raw.sheets])
    return LedgerImport(tuple(rows) if report.valid else (), report)


def _header(sheet: RawSheet) -> tuple[int, dict[int, str]] | None:
    """The header row (the first one naming 统一社会信用代码 within the first 20 rows) and its cells."""
    codes = {fold(h) for h in FIXED_HEADERS["enterprise_code"]}
    for index, row in sheet.grid.head(20).iterrows():
        cells = {int(col): _text(v) for col, v in row.items() if _text(v)}
        if any(fold(_BRACKET.sub("", c)) in codes for c in cells.values()):
            return int(index), cells  # type: ignore[arg-type]
    return None


def _sheet(
    sheet: RawSheet,
    plan: Plan,
    catalog: Lexicon,
    keys: dict[str, str],
    rows: list[ImportRow],
    issues: list[RowIssue],
) -> int:
    found = _header(sheet)
    if found is None:
        return 0
    header_row, cells = found
    fixed = {fold(h): field for field, hs in FIXED_HEADERS.items() for h in hs}
    columns: dict[int, tuple[str, str]] = {}  # col → ("field"|"basis", name)
    for col, text in cells.items():
        plain = fold(_BRACKET.sub("", text))
        first = fold(text.split()[0]) if text.split() else ""
        if plain in fixed:
            columns[col] = ("field", fixed[plain])
        elif first in keys:
            columns[col] = ("basis", keys[first])
        elif plain in keys:
            columns[col] = ("basis", keys[plain])
        else:
            issues.append(
                _issue(
                    ErrorCode.UNKNOWN_COLUMN,
                    sheet.name,
                    header_row,
                    text,
                    f"无法识别的列“{text}”（依据列写依据代码，如 revenue，或其中文名称）",
                    f"unknown column {text!r} (basis columns are named by their key, e.g. revenue)",
                    text,
                )
            )
    present = {name for kind, name in columns.values() if kind == "field"}
    missing = [f for f in REQUIRED if f not in present]
    if missing:
        issues.append(
            _issue(
                ErrorCode.MISSING_VALUE,
                sheet.name,
                header_row,
                None,
                f"缺少列：{'、'.join(LABELS[f] for f in missing)}",
                f"missing columns: {', '.join(missing)}",
            )
        )
        return 1
    body = sheet.grid.loc[header_row + 1 :]
    if len(body) > MAX_ROWS:
        issues.append(
            _issue(
                ErrorCode.NO_DATA,
                sheet.name,
                None,
                None,
                f"一次最多导入{MAX_ROWS}行",
                f"at most {MAX_ROWS} rows a file",
            )
        )
        return 1
    names = {col: cells[col] for col in columns}
    for excel_row, row in body.iterrows():
        values = {col: _text(row.get(col)) for col in columns}
        if not any(values.values()):
            continue
        parsed = _row(sheet.name, int(excel_row), values, columns, names, plan, catalog)  # type: ignore[arg-type]
        if isinstance(parsed, ImportRow):
            rows.append(parsed)
        else:
            issues.extend(parsed)
    return 1


def _row(
    sheet: str | None,
    excel_row: int,
    values: dict[int, str],
    columns: dict[int, tuple[str, str]],
    names: dict[int, str],
    plan: Plan,
    catalog: Lexicon,
) -> ImportRow | list[RowIssue]:
    problems: list[RowIssue] = []
    field = {name: values[col] for col, (kind, name) in columns.items() if kind == "field"}
    column_of = {name: names[col] for col, (kind, name) in columns.items()}

    def bad(code: ErrorCode, name: str | None, zh: str, en: str, value: Any = None) -> None:
        problems.append(_issue(code, sheet, excel_row, column_of.get(name or "", None), zh, en, value))

    for name in REQUIRED:
        if not field.get(name):
            bad(ErrorCode.MISSING_VALUE, name, f"{LABELS[name]}为空", f"{name} is empty")
    code = field.get("enterprise_code", "")
    if code and (found := credit_code.problem(code)) is not None:
        bad(ErrorCode.INVALID_CREDIT_CODE, "enterprise_code", found.message_zh, found.message_en, code)
    name = field.get("enterprise_name", "")
    if len(name) > 200:
        bad(
            ErrorCode.INVALID_BASIS,
            "enterprise_name",
            "企业名称超过200字",
            "enterprise name over 200 characters",
        )
    city_text = field.get("city", "")
    city = catalog.region(city_text) if city_text else None
    if city_text and (city is None or plan.region(city).level is not RegionLevel.CITY):
        bad(
            ErrorCode.UNKNOWN_REGION,
            "city",
            f"未知的设区市“{city_text}”",
            f"unknown city {city_text!r}",
            city_text,
        )
    year_text = field.get("year", "").removesuffix("年")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if field.get("year") and (year is None or not 2021 <= year <= 2100):
        bad(
            ErrorCode.INVALID_BASIS,
            "year",
            f"年度应为2021—2100的四位年份：{field['year']}",
            "year must be 2021–2100",
            field["year"],
        )
    item_text = field.get("item", "")
    digits = re.fullmatch(
        r"\s*(?:若干政策)?\s*(?:第)?\s*(\d{1,2})\s*(?:条)?\s*|\s*policy-(\d{2})\s*", item_text
    )
    item = int(digits.group(1) or digits.group(2)) if digits else None
    incentive = None
    if item_text:
        try:
            incentive = plan.incentive(item) if item is not None else None
        except KeyError:
            incentive = None
        if incentive is None:
            bad(
                ErrorCode.UNKNOWN_POLICY_ITEM,
                "item",
                f"未知的政策条款“{item_text}”（写作 10 或 第10条）",
                f"unknown policy item {item_text!r}",
                item_text,
            )
    basis: dict[str, str] = {}
    for col, (kind, key) in columns.items():
        if kind == "basis" and values[col]:
            basis[key] = values[col]
    for pair in _PAIR.split(field.get("basis", "")):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        if not sep:
            key, sep, value = pair.partition("＝")
        if not sep or not key.strip():
            bad(
                ErrorCode.INVALID_BASIS,
                "basis",
                f"依据应写作 代码=数值：{pair}",
                f"basis must be KEY=VALUE: {pair!r}",
                pair,
            )
            continue
        basis[key.strip()] = value.strip()
    project = field.get("project") or None
    if project and len(project) > 200:
        bad(ErrorCode.INVALID_BASIS, "project", "项目名称超过200字", "project name over 200 characters")
    award_code = None
    if incentive is not None:
        try:
            chosen = choose_award(incentive, _award_code(incentive, field.get("award")), set(basis))
            parse_basis(chosen, basis)
            award_code = chosen.code
        except ClaimError as exc:
            column = "basis" if exc.key and exc.key not in column_of else exc.key
            bad(ErrorCode.INVALID_BASIS, column if exc.key else "award", exc.message_zh, exc.message_en)
    if problems or incentive is None or award_code is None or city is None or year is None:
        return problems
    return ImportRow(
        sheet,
        excel_row,
        credit_code.normalise(code),
        name,
        city,
        incentive.item,
        award_code,
        year,
        basis,
        project,
    )


def _award_code(incentive: Any, text: str | None) -> str | None:
    """The award named by code or by name (None: let the basis figures decide)."""
    if not text:
        return None
    for award in incentive.awards:
        if fold(text) in (fold(award.code), fold(award.name)):
            return str(award.code)
    return text


def _duplicates(rows: list[ImportRow], issues: list[RowIssue]) -> None:
    seen: dict[tuple[Any, ...], int] = {}
    for r in rows:
        key = (r.enterprise_code, r.item, r.award, r.year, r.project, tuple(sorted(r.basis.items())))
        if key in seen:
            issues.append(
                _issue(
                    ErrorCode.DUPLICATE_KEY,
                    r.sheet,
                    r.row,
                    None,
                    f"与第{seen[key]}行重复（同一企业、条款、年度、项目和依据）",
                    f"duplicates row {seen[key]}",
                )
            )
        else:
            seen[key] = r.row


def iter_errors(report: ValidationReport) -> Iterator[str]:
    """The Chinese messages, for the CLI."""
    for issue in report.errors:
        yield issue.message_zh
