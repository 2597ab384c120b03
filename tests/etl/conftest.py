"""Helpers that write real upload files (CSV in any encoding, XLSX with openpyxl) into tmp_path."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import etl
from indicators.model import Plan

Rows = Sequence[Sequence[object]]
LONG_HEADER = ["指标", "地区", "时期", "数值"]


def csv_text(rows: Rows, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (or raw text) as a CSV file in the given encoding."""

    def write(
        rows: Rows | str, *, name: str = "upload.csv", encoding: str = "utf-8", delimiter: str = ","
    ) -> Path:
        text = rows if isinstance(rows, str) else csv_text(rows, delimiter)
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write sheets (name → rows, row 1 first) as an XLSX workbook; `hidden` sheets are hidden."""

    def write(sheets: dict[str, Rows], *, name: str = "upload.xlsx", hidden: Iterable[str] = ()) -> Path:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for title, rows in sheets.items():
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(list(row))
            if title in set(hidden):
                sheet.sheet_state = "hidden"
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


@pytest.fixture
def ingest(plan: Plan) -> Callable[..., etl.UploadResult]:
    """`read_upload` with the real plan."""

    def run(path: Path, published: pd.DataFrame | None = None, **options: int) -> etl.UploadResult:
        return etl.read_upload(path, plan=plan, published=published, **options)

    return run


def published(rows: Iterable[tuple[str, str, str, float]]) -> pd.DataFrame:
    """A published-values frame as the service passes it: indicator, region, period, value."""
    return pd.DataFrame(list(rows), columns=["indicator", "region", "period", "value"])


def long_rows(*rows: Sequence[object]) -> list[Sequence[object]]:
    """A long table with the Chinese header first (so the first data row is row 2)."""
    return [LONG_HEADER, *rows]
