"""The upload workflow through `dem`: ingest, uploads, publish, rollback, template."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.cli import cli
from app.services import setup
from app.store import schema as s
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import FIRST, REVISED, snapshot, write_csv
from tests.conftest import REPO_ROOT

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"DEM_DATABASE_URL": database_url, "DEM_UPLOAD_DIR": str(tmp_path / "archive")}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    return env


def ingest(env: dict[str, str], *args: str) -> tuple[int, dict]:
    result = runner.invoke(cli, ["ingest", *args, "--json"], env=env)
    return result.exit_code, json.loads(result.output)


def test_ingest_publish_prints_json_and_archives_the_file(env: dict[str, str], tmp_path: Path) -> None:
    code, report = ingest(env, str(write_csv(tmp_path / "a.csv", FIRST)), "--publish", "--user", "统计局")
    assert code == 0
    assert report["status"] == "published"
    assert (report["rows"], report["published_values"], report["errors"]) == (3, 3, [])
    assert set(report) >= {"upload_id", "status", "rows", "errors", "warnings"}
    assert (tmp_path / "archive" / f"{report['sha256']}.csv").exists()


def test_ingest_of_a_broken_file_exits_1_names_the_cell_and_writes_nothing(
    env: dict[str, str], engine: sa.Engine, tmp_path: Path
) -> None:
    before = snapshot(engine)
    bad = write_csv(tmp_path / "bad.csv", [("5G基站数", "太源", "2025Q1", "100")])
    code, report = ingest(env, str(bad), "--publish")
    assert code == 1
    assert report["status"] == "rejected"
    [error] = report["errors"]
    assert (error["row"], error["column"], error["code"]) == (2, "地区", "unknown-region")
    assert "太源" in error["message"]
    assert snapshot(engine) == before


def test_unconfirmed_warnings_exit_1_and_leave_the_upload_staged(
    env: dict[str, str], engine: sa.Engine, tmp_path: Path
) -> None:
    assert ingest(env, str(write_csv(tmp_path / "a.csv", FIRST)), "--publish")[0] == 0
    code, report = ingest(env, str(write_csv(tmp_path / "b.csv", REVISED)), "--publish")
    assert code == 1
    assert report["status"] == "staged"
    assert any(w["code"] == "revision" for w in report["warnings"])
    no_reason = runner.invoke(cli, ["publish", str(report["upload_id"]), "--confirm-warnings"], env=env)
    assert no_reason.exit_code != 0 and "发布说明" in no_reason.output  # a revision needs a reason
    still = json.loads(runner.invoke(cli, ["uploads", "--json"], env=env).output)
    assert [u["status"] for u in still] == ["staged", "published"]
    published = runner.invoke(
        cli, ["publish", str(report["upload_id"]), "--confirm-warnings", "--reason", "更正录入错误"], env=env
    )
    assert published.exit_code == 0, published.output
    listed = json.loads(runner.invoke(cli, ["uploads", "--json"], env=env).output)
    assert [u["status"] for u in listed] == ["published", "published"]
    rolled = runner.invoke(cli, ["rollback", str(report["upload_id"])], env=env)
    assert rolled.exit_code == 0, rolled.output
    with engine.connect() as conn:
        statuses = conn.execute(sa.select(s.uploads.c.status).order_by(s.uploads.c.id)).scalars().all()
    assert statuses == ["published", "rolled_back"]


def test_template_default_name_is_the_one_every_edge_gives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No -o: the file is 数据上报模板_2025Q3_comms_admin.xlsx here; the period may be written in Chinese."""
    monkeypatch.chdir(tmp_path)
    args = ["template", "--period", "2025年第三季度", "--department", "comms_admin"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["数据上报模板_2025Q3_comms_admin.xlsx"]
    bad = runner.invoke(cli, ["template", "--period", "2025Q5"])
    assert bad.exit_code == 1 and "时期格式有误" in bad.output
    unknown = runner.invoke(cli, ["template", "--period", "2025Q3", "--department", "nobody"])
    assert unknown.exit_code == 1 and "未知部门" in unknown.output


def test_template_is_written_and_a_filled_template_ingests(env: dict[str, str], tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "tpl.xlsx"
    result = runner.invoke(cli, ["template", "-o", str(path), "--period", "2025Q3"], env=env)
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    sheet = workbook["省通信管理局"]
    assert sheet["A1"].value.startswith("2025年第三季度")
    headers = [c.value for c in sheet[3]]
    assert "5G基站数（个）" in headers
    column = headers.index("5G基站数（个）") + 1
    for row in range(4, sheet.max_row + 1):
        sheet.cell(row=row, column=column, value=1000 + row)
    workbook.save(path)
    code, report = ingest(env, str(path), "--publish", "--confirm-warnings")
    assert code == 0, report
    assert report["rows"] == sheet.max_row - 3


DEM = Path(sys.executable).parent / "dem"
BOMB = REPO_ROOT / "tests" / "corpus" / "files" / "a1_and_xfd1048576.xlsx"
#: Limits raised so far that the readers would allocate the bomb's 17 billion cells: only the
#: reading worker's memory cap stands between the file and the process.
NO_READER_LIMITS = {
    "DEM_UPLOAD_MAX_COLUMNS": "20000",
    "DEM_UPLOAD_MAX_ROWS": "2000000",
    "DEM_UPLOAD_MAX_CELLS": str(10**12),
    "DEM_UPLOAD_READ_MEMORY_MIB": "1024",
}


@pytest.mark.parametrize(
    ("extra", "code", "words"),
    [
        ({}, "too-many-columns", "单元格 XFD1048576 有内容"),
        (NO_READER_LIMITS, "read-memory-exceeded", "内存超过 1,024 MiB"),
    ],
)
def test_ingest_of_the_xfd1048576_bomb_exits_1_with_a_clear_message_not_134(
    database_url: str, engine: sa.Engine, tmp_path: Path, extra: dict[str, str], code: str, words: str
) -> None:
    """It used to abort the interpreter (exit 134) while calamine allocated 16,384 × 1,048,576 cells."""
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    before = snapshot(engine)
    engine.dispose()  # DuckDB: let the command open the file
    env = {"DEM_DATABASE_URL": database_url, "DEM_UPLOAD_DIR": str(tmp_path / "archive")}
    done = subprocess.run(
        [str(DEM), "ingest", str(BOMB), "--publish"],
        env=os.environ | env | extra,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, (done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert "有错误，未发布" in done.stdout, done.stdout
    json_run = subprocess.run(
        [str(DEM), "ingest", str(BOMB), "--json"],
        env=os.environ | env | extra,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert json_run.returncode == 1
    errors = json.loads(json_run.stdout)["errors"]
    assert [e["code"] for e in errors] == [code]
    assert words in errors[0]["message"]
    assert snapshot(engine) == before
