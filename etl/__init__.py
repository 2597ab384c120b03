"""File → normalised values → validation report. Pure: no database, no clock, no app imports.

`read_upload(path, plan=…, published=…, limits=…, today=…)` is the whole public surface the service
needs. It reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX (every visible sheet),
understands three layouts (long; regions down with indicators across; periods across), maps
regions, indicators, periods and units onto the plan's catalog, and returns the valid values with
a report of every error (which blocks publication) and warning (which needs confirmation), each
located by sheet, Excel row and column, in Chinese and English.

Modules, in the order a file passes through them: `readers` (bytes → raw grids, bounded by
`limits.ReadLimits` and, for an XLSX, a streaming `workbook_scan` first), `layouts` (grid →
raw long records), `normalise` (records → codes, periods, catalog units; uses `lookup`, `periods`,
`numbers`, `indicators.units`), `validation` (errors), `consistency` (warnings against what is
published), `report` and `messages` (the report as data), `upload` (the entry point). `template`
writes the upload workbook these readers always accept.
"""

from etl.limits import ReadLimits
from etl.readers import UnreadableFile
from etl.report import ErrorCode, RowIssue, Severity, ValidationReport
from etl.upload import VALUE_COLUMNS, UploadResult, failed_upload, read_upload

__all__ = [
    "VALUE_COLUMNS",
    "ErrorCode",
    "ReadLimits",
    "RowIssue",
    "Severity",
    "UnreadableFile",
    "UploadResult",
    "ValidationReport",
    "failed_upload",
    "read_upload",
]
