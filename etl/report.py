"""The validation report: every problem of an upload as data, with a stable code and both languages.

Codes are kebab-case and never renamed: the API, the CLI's `--json` and the dashboard key on them.
Errors block publication; warnings are shown and need the uploader's confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

#: Issues of one code spelled out in a report; the total count is always in `stats["issue_counts"]`.
MAX_ISSUES_PER_CODE = 1000


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class ErrorCode(StrEnum):
    # the file as a whole
    FILE_TYPE_MISMATCH = "file-type-mismatch"
    UNSUPPORTED_FILE_TYPE = "unsupported-file-type"
    UNREADABLE_ENCODING = "unreadable-encoding"
    NO_DATA = "no-data"
    UNKNOWN_LAYOUT = "unknown-layout"
    RAGGED_ROW = "ragged-row"  # a row wider or narrower than its header: a value would be misread
    EMPTY_FILE = "empty-file"  # 0 bytes
    UNBALANCED_QUOTE = "unbalanced-quote"  # a CSV quote never closed: the rest would be one field
    MALFORMED_CSV = "malformed-csv"  # a CSV the csv module cannot split (a NUL, a stray CR in a field)
    TOO_MANY_ROWS = "too-many-rows"
    TOO_MANY_COLUMNS = "too-many-columns"
    TOO_MANY_CELLS = "too-many-cells"
    ARCHIVE_TOO_LARGE = "archive-too-large"  # an XLSX part, or all of them, too large uncompressed
    MALFORMED_WORKBOOK = "malformed-workbook"  # an XLSX whose XML is broken or declares a DTD
    READ_MEMORY_EXCEEDED = "read-memory-exceeded"  # reading the file needed more memory than allowed
    READ_TIME_EXCEEDED = "read-time-exceeded"  # reading the file took longer than allowed
    READ_FAILED = "read-failed"  # the reading worker stopped without an answer
    # one cell or one row
    UNKNOWN_REGION = "unknown-region"
    UNKNOWN_INDICATOR = "unknown-indicator"
    UNREADABLE_PERIOD = "unreadable-period"
    FREQUENCY_MISMATCH = "frequency-mismatch"
    NON_NUMERIC_VALUE = "non-numeric-value"
    NEGATIVE_COUNT = "negative-count"
    UNIT_MISMATCH = "unit-mismatch"
    DUPLICATE_KEY = "duplicate-key"
    REGION_NOT_ALLOWED = "region-not-allowed"
    EXCEL_ERROR_VALUE = "excel-error-value"  # #DIV/0!, #N/A, #VALUE! … where a value should be
    FORMULA_WITHOUT_VALUE = "formula-without-value"  # a formula saved without its result
    BOOLEAN_VALUE = "boolean-value"  # TRUE/FALSE where a number should be
    IMPLAUSIBLE_PERIOD = "implausible-period"  # before the plan's history or not begun yet
    IMPLAUSIBLE_VALUE = "implausible-value"  # beyond what the unit can plausibly hold
    # policy-ledger applications (etl/ledger_import.py)
    INVALID_CREDIT_CODE = "invalid-credit-code"
    UNKNOWN_POLICY_ITEM = "unknown-policy-item"
    INVALID_BASIS = "invalid-basis"
    MISSING_VALUE = "missing-value"
    UNKNOWN_COLUMN = "unknown-column"
    ITEM_NOT_PERMITTED = "item-not-permitted"
    # added by the service, which knows who uploads: a department's value of another's indicator
    INDICATOR_NOT_PERMITTED = "indicator-not-permitted"
    # warnings: plausible but worth a second look
    LARGE_CHANGE = "large-change"
    CITY_SUM_MISMATCH = "city-sum-mismatch"
    STOCK_DECREASED = "stock-decreased"
    YTD_DECREASED = "ytd-decreased"
    REVISION = "revision"

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self in WARNING_CODES else Severity.ERROR


WARNING_CODES: frozenset[ErrorCode] = frozenset(
    {
        ErrorCode.LARGE_CHANGE,
        ErrorCode.CITY_SUM_MISMATCH,
        ErrorCode.STOCK_DECREASED,
        ErrorCode.YTD_DECREASED,
        ErrorCode.REVISION,
    }
)


@dataclass(frozen=True, slots=True)
class RowIssue:
    """One problem, located as the uploader sees it: sheet, Excel row (1-based) and column header."""

    sheet: str | None
    row: int | None
    column: str | None
    code: ErrorCode
    severity: Severity
    message_zh: str
    message_en: str
    value: str | None = None
    old: float | None = None
    new: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["code"] = str(self.code)
        data["severity"] = str(self.severity)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowIssue:
        """An issue as `to_dict` wrote it (stored with the upload)."""
        code = ErrorCode(data["code"])
        return cls(
            sheet=data.get("sheet"),
            row=data.get("row"),
            column=data.get("column"),
            code=code,
            severity=Severity(data.get("severity") or code.severity),
            message_zh=data.get("message_zh") or "",
            message_en=data.get("message_en") or "",
            value=data.get("value"),
            old=data.get("old"),
            new=data.get("new"),
        )


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Everything found in one upload; `valid` is False as soon as there is one error."""

    valid: bool
    stats: dict[str, Any]
    errors: tuple[RowIssue, ...] = ()
    warnings: tuple[RowIssue, ...] = ()

    @classmethod
    def build(
        cls, issues: Iterable[RowIssue], stats: dict[str, Any], sheet_order: Sequence[str] = ()
    ) -> ValidationReport:
        """Split issues by severity and sort them as the file reads: sheet, then row (file-level first).

        The sort is stable: within one row, issues keep the order the rules ran in (ErrorCode order).
        """
        rank = {name: i for i, name in enumerate(sheet_order)}

        def key(issue: RowIssue) -> tuple[int, str, int]:
            return (rank.get(issue.sheet or "", -1), issue.sheet or "", issue.row or 0)

        ordered = sorted(issues, key=key)
        errors = tuple(i for i in ordered if i.severity is Severity.ERROR)
        warnings = tuple(i for i in ordered if i.severity is Severity.WARNING)
        totals = stats.get("issue_counts", {})  # counts issues not spelled out (see IssueList.cap)
        n_errors = sum(n for code, n in totals.items() if ErrorCode(code).severity is Severity.ERROR)
        n_warnings = sum(n for code, n in totals.items() if ErrorCode(code).severity is Severity.WARNING)
        stats = {**stats, "errors": max(n_errors, len(errors)), "warnings": max(n_warnings, len(warnings))}
        return cls(valid=not errors, stats=stats, errors=errors, warnings=warnings)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        """The report as stored with an upload (`to_dict`), typed again."""
        return cls(
            valid=bool(data.get("valid", not data.get("errors"))),
            stats=dict(data.get("stats", {})),
            errors=tuple(RowIssue.from_dict(i) for i in data.get("errors", [])),
            warnings=tuple(RowIssue.from_dict(i) for i in data.get("warnings", [])),
        )

    def with_errors(self, errors: Sequence[RowIssue], *, total: int | None = None) -> ValidationReport:
        """This report with more errors (`total` of them counted, `errors` spelled out)."""
        if not errors:
            return self
        counts = dict(self.stats.get("issue_counts", {}))
        for code in {str(e.code) for e in errors}:
            counts[code] = counts.get(code, 0) + (
                total if total is not None else sum(1 for e in errors if str(e.code) == code)
            )
        stats = {
            **self.stats,
            "issue_counts": counts,
            "errors": int(self.stats.get("errors", len(self.errors))) + (total or len(errors)),
        }
        return ValidationReport(False, stats, self.errors + tuple(errors), self.warnings)

    @property
    def issues(self) -> tuple[RowIssue, ...]:
        return self.errors + self.warnings

    def codes(self) -> set[str]:
        """The distinct codes present, for quick checks."""
        return {str(i.code) for i in self.issues}

    def flatten(self, fields: Sequence[str], *, severity: Severity | str | None = None) -> list[list[Any]]:
        """The issues as a table of the given fields (errors first), as tests and the upload page use it."""
        chosen = self.issues if severity is None else tuple(i for i in self.issues if i.severity == severity)
        return [[_plain(getattr(issue, name)) for name in fields] for issue in chosen]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored with the upload and returned by the API."""
        return {
            "valid": self.valid,
            "stats": self.stats,
            "errors": [i.to_dict() for i in self.errors],
            "warnings": [i.to_dict() for i in self.warnings],
        }


@dataclass
class IssueList:
    """Issues of one upload as rules find them, spelled out up to the cap, with every code's total."""

    cap: int = MAX_ISSUES_PER_CODE  # issues of one code spelled out at most; the rest are counted
    issues: list[RowIssue] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    shown: dict[str, int] = field(default_factory=dict)

    def add(self, code: ErrorCode, items: Iterator[RowIssue], total: int) -> None:
        """Count `total` issues of `code`; keep items (lazily built) until the code's cap is reached."""
        key = str(code)
        if total:
            self.totals[key] = self.totals.get(key, 0) + total
        for item in items:
            if self.shown.get(key, 0) >= self.cap:
                break
            self.issues.append(item)
            self.shown[key] = self.shown.get(key, 0) + 1

    @property
    def truncated(self) -> dict[str, int]:
        """How many issues of each code are counted but not spelled out."""
        return {
            code: n - self.shown.get(code, 0)
            for code, n in self.totals.items()
            if n > self.shown.get(code, 0)
        }


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, StrEnum) else value
