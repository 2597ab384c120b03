"""The sample uploads go through `dem` exactly as a bureau's files would, on both backends.

Every file in data/sample/ must ingest and publish; every file in data/sample/broken/ must be refused
with the findings its README documents, and leave every table as it was. Expected counts come from
data/sample/README.md, not from running the code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.cli import cli
from app.services.samples import SAMPLE_REASONS, sample_files
from app.store import schema as s
from tests.app.test_uploads_service import snapshot
from tests.conftest import REPO_ROOT

runner = CliRunner()
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
BROKEN_DIR = SAMPLE_DIR / "broken"
QUARTERLY = tuple(f"{y}Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4))[:11]  # 2024Q1 … 2026Q3
QUARTERLY_WORKBOOKS = [f"{q}_统计局_数字经济主要指标.xlsx" for q in QUARTERLY]

#: Values each sample file publishes, from the README's file table: rows minus the deliberately
#: blank cells (2 in 工信厅's CSV, 9 `—` in 能源局's); the revision file revises 3 values.
EXPECTED_VALUES = {
    "2020-2023_发改委_数据中心电价.csv": 16,
    "2020-2023_工信厅_历史数据.csv": 1584 - 2,
    "2020-2023_工信厅_智能制造_GBK.csv": 384,
    "2020-2023_统计局_数字经济核心产业.csv": 192,
    "2020-2023_能源局_智能化煤矿.csv": 192 - 9,
    "2020-2023_通信管理局_历史数据.csv": 976,
    "2020-2024_工信厅_年度指标.xlsx": 39 * 5,
    "2020-2024_统计局_数字经济规模.csv": 60,
    **dict.fromkeys(QUARTERLY_WORKBOOKS, 209),
    "2025Q3_统计局_数字经济主要指标_修订.csv": 3,
    "2026Q1_工信厅_2025年度指标.csv": 39,
    "2026Q2_统计局_2025年数字经济规模.csv": 12,
}
#: 5,949 keys, 11 of them blank on purpose, plus the 3 revised values as new rows.
EXPECTED_OBSERVATIONS = 5949 - 11 + 3

WORKBOOK_SHEET = "工信厅"
#: (sheet, Excel row, column, code) of every error the broken files must report, in report order.
BROKEN_FINDINGS = {
    "2025Q3_工信厅_错误示例.xlsx": [
        (WORKBOOK_SHEET, 4, "地区", "unknown-region"),
        (WORKBOOK_SHEET, 5, "数据标注企业（家）", "non-numeric-value"),
        (WORKBOOK_SHEET, 6, "省级数字化车间（个）", "negative-count"),
        *[
            (WORKBOOK_SHEET, row, column, "duplicate-key")
            for row in (7, 8)
            for column in ("省级智能工厂（个）", "省级数字化车间（个）", "数据标注企业（家）")
        ],
    ],
    "2025Q3_通信管理局_实为CSV.xlsx": [(None, None, None, "file-type-mismatch")],
}


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment of an operator's shell: an initialised database, archives kept out of the repo."""
    env = {
        "DEM_DATABASE_URL": database_url,
        "DEM_UPLOAD_DIR": str(tmp_path / "archive"),
        "DEM_SAMPLE_DIR": str(SAMPLE_DIR),
    }
    result = runner.invoke(cli, ["init"], env=env)
    assert result.exit_code == 0, result.output
    return env


def ingest(env: dict[str, str], path: Path) -> tuple[int, dict]:
    """`dem ingest --publish`; the revision file with its README's reason, as a bureau would give it."""
    reason = ["--reason", SAMPLE_REASONS[path.name]] if path.name in SAMPLE_REASONS else []
    command = ["ingest", str(path), "--publish", "--confirm-warnings", "--json", *reason]
    result = runner.invoke(cli, command, env=env)
    return result.exit_code, json.loads(result.output)


def error_places(report: dict) -> list[tuple[str | None, int | None, str | None, str]]:
    return [(e["sheet"], e["row"], e["column"], e["code"]) for e in report["errors"]]


def test_the_expectations_cover_every_sample_and_broken_file() -> None:
    assert [p.name for p in sample_files(SAMPLE_DIR)] == sorted(EXPECTED_VALUES)
    assert sorted(p.name for p in BROKEN_DIR.iterdir()) == sorted(BROKEN_FINDINGS)


@pytest.mark.slow
def test_every_sample_file_ingests_and_publishes_then_broken_files_change_nothing(
    env: dict[str, str], engine: sa.Engine
) -> None:
    published = {}
    for path in sample_files(SAMPLE_DIR):
        code, report = ingest(env, path)
        assert (code, report["status"], report["errors"]) == (0, "published", []), path.name
        published[path.name] = report["published_values"]
    assert published == EXPECTED_VALUES
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(s.observations)).scalar_one()
    assert count == EXPECTED_OBSERVATIONS
    # a broken file arriving on a loaded database must not touch it either
    before = snapshot(engine)
    for name, findings in BROKEN_FINDINGS.items():
        code, report = ingest(env, BROKEN_DIR / name)
        assert (code, report["status"], error_places(report)) == (1, "rejected", findings)
    assert snapshot(engine) == before


@pytest.mark.parametrize("name", sorted(BROKEN_FINDINGS))
def test_a_broken_sample_exits_1_names_each_cell_and_changes_no_table(
    env: dict[str, str], engine: sa.Engine, name: str
) -> None:
    before = snapshot(engine)
    code, report = ingest(env, BROKEN_DIR / name)
    assert code == 1
    assert (report["status"], report["upload_id"], report["published_values"]) == ("rejected", None, 0)
    assert error_places(report) == BROKEN_FINDINGS[name]
    for error in report["errors"]:  # each message says where, in Chinese, for the uploader
        if error["row"] is not None:
            assert f"第{error['row']}行" in error["message"] and error["column"] in error["message"]
    assert snapshot(engine) == before


def test_the_broken_workbook_quotes_the_bad_cells_as_written(env: dict[str, str]) -> None:
    _, report = ingest(env, BROKEN_DIR / "2025Q3_工信厅_错误示例.xlsx")
    values = {(e["row"], e["code"]): e["value"] for e in report["errors"]}
    assert values[(4, "unknown-region")] == "太源"
    assert values[(5, "non-numeric-value")] == "约300"
    assert values[(6, "negative-count")] == "-5"


@pytest.mark.slow
def test_init_sample_twice_recognises_every_file_and_changes_nothing(
    env: dict[str, str], engine: sa.Engine
) -> None:
    first = runner.invoke(cli, ["init", "--sample"], env=env)
    assert first.exit_code == 0, first.output
    with engine.connect() as conn:
        statuses = conn.execute(sa.select(s.uploads.c.status)).scalars().all()
    assert statuses == ["published"] * len(EXPECTED_VALUES)
    before = snapshot(engine)
    second = runner.invoke(cli, ["init", "--sample"], env=env)
    assert second.exit_code == 0, second.output
    lines = [line for line in second.output.splitlines() if line.strip().startswith("20")]
    assert len(lines) == len(EXPECTED_VALUES)
    assert all(" duplicate " in line and " 0 values" in line for line in lines), second.output
    assert snapshot(engine) == before
