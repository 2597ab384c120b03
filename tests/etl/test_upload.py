"""The public surface: `read_upload` and what it returns, as the service relies on it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pandas as pd

import etl
from indicators.model import Plan
from tests.etl.conftest import long_rows, published


def test_exported_members() -> None:
    """`__all__` is exactly the package's public names, no more and no fewer (httpx's check).

    Submodules (`etl.readers` …) are attributes of the package once imported, not exports.
    """
    public = [
        name
        for name, value in vars(etl).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)
    ]
    assert etl.__all__ == [
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
    assert sorted(public) == sorted(etl.__all__)


def test_error_codes_are_stable_kebab_case() -> None:
    assert {str(c) for c in etl.ErrorCode} == {
        "file-type-mismatch",
        "unsupported-file-type",
        "unreadable-encoding",
        "no-data",
        "unknown-layout",
        "ragged-row",
        "empty-file",
        "unbalanced-quote",
        "malformed-csv",
        "too-many-rows",
        "too-many-columns",
        "too-many-cells",
        "archive-too-large",
        "malformed-workbook",
        "read-memory-exceeded",
        "read-time-exceeded",
        "read-failed",
        "unknown-region",
        "unknown-indicator",
        "unreadable-period",
        "frequency-mismatch",
        "non-numeric-value",
        "negative-count",
        "unit-mismatch",
        "duplicate-key",
        "region-not-allowed",
        "excel-error-value",
        "formula-without-value",
        "boolean-value",
        "implausible-period",
        "implausible-value",
        "indicator-not-permitted",
        "invalid-credit-code",
        "unknown-policy-item",
        "invalid-basis",
        "missing-value",
        "unknown-column",
        "item-not-permitted",
        "large-change",
        "city-sum-mismatch",
        "stock-decreased",
        "ytd-decreased",
        "revision",
    }
    warnings = {c for c in etl.ErrorCode if c.severity is etl.Severity.WARNING}
    assert {str(c) for c in warnings} == {
        "large-change",
        "city-sum-mismatch",
        "stock-decreased",
        "ytd-decreased",
        "revision",
    }


def test_values_have_exactly_the_staging_columns(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    rows = [
        ["指标", "地区", "时期", "数值", "备注"],
        ["5G基站数", "太原", "2024年第三季度", "1,200", "快报"],
        ["数字经济规模", "全省", "2023年", "5000", ""],
    ]
    path = write_csv(rows)
    result = ingest(path)
    assert (
        list(result.values.columns)
        == list(etl.VALUE_COLUMNS)
        == [
            "indicator",
            "region",
            "period",
            "period_ordinal",
            "value",
            "note",
            "sheet",
            "row",
        ]
    )
    assert result.values.to_dict("records") == [
        {
            "indicator": "base_stations_5g",
            "region": "140100",
            "period": "2024Q3",
            "period_ordinal": 24297,  # 2024·12 + 9
            "value": 1200.0,
            "note": "快报",
            "sheet": None,
            "row": 2,
        },
        {
            "indicator": "digital_economy_scale",
            "region": "140000",
            "period": "2023",
            "period_ordinal": 24288,  # 2023·12 + 12
            "value": 5000.0,
            "note": None,
            "sheet": None,
            "row": 3,
        },
    ]
    assert str(result.values["value"].dtype) == "float64"
    assert str(result.values["period_ordinal"].dtype) == "int64"
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.rows_read == 2


def test_the_report_is_json_ready_and_flattens_for_tables(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    pub = published([("base_stations_5g", "140100", "2024Q3", 1.0)])
    result = ingest(
        write_csv(long_rows(["5G基站数", "太原", "2024Q3", "2"], ["5G基站数", "太源", "2024Q3", "1"])), pub
    )
    data = json.loads(json.dumps(result.report.to_dict(), ensure_ascii=False))
    assert data["valid"] is False
    assert [e["code"] for e in data["errors"]] == ["unknown-region"]
    assert [(w["code"], w["old"], w["new"]) for w in data["warnings"]] == [("revision", 1.0, 2.0)]
    assert set(data["errors"][0]) == {
        "sheet",
        "row",
        "column",
        "code",
        "severity",
        "message_zh",
        "message_en",
        "value",
        "old",
        "new",
    }
    assert result.report.flatten(["row", "code"]) == [[3, "unknown-region"], [2, "revision"]]
    assert result.report.flatten(["row", "code"], severity="warning") == [[2, "revision"]]
    assert data["stats"]["rows_read"] == 2 and data["stats"]["values"] == 1


def test_published_may_carry_more_columns_and_the_file_may_be_a_str_path(
    write_csv: Callable[..., Path], plan: Plan
) -> None:
    pub = published([("base_stations_5g", "140100", "2024Q2", 100.0)]).assign(period_ordinal=0, upload_id=7)
    path = write_csv(long_rows(["5G基站数", "太原", "2024Q3", "100"]))
    result = etl.read_upload(str(path), plan=plan, published=pub)  # type: ignore[arg-type]
    assert result.report.valid and result.report.warnings == ()


def test_the_same_bytes_give_the_same_result(
    write_csv: Callable[..., Path], ingest: Callable[..., etl.UploadResult]
) -> None:
    path = write_csv(long_rows(["5G基站数", "太原", "2024Q3", "100"]))
    first, second = ingest(path), ingest(path)
    assert first.sha256 == second.sha256
    pd.testing.assert_frame_equal(first.values, second.values)
    assert first.report == second.report
