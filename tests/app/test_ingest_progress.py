"""`dem ingest` shows which phase a large file is in, on a terminal only; the services announce them.

The display is checked on a real pseudo terminal (rich decides by `isatty`), running the installed
`dem` script, since Typer's CliRunner is never a terminal.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.cli.uploads import PROGRESS_MIN_BYTES
from app.services import setup
from app.services import uploads as svc
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.periods import Frequency
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import FIRST, write_csv

DEM = Path(sys.executable).parent / "dem"
GIVE_UP_SECONDS = 120  # safety net for a process that hangs, not a timing assertion
LABELS = ("读取与校验 reading and validating", "暂存 staging", "发布 publishing", "完成 done")


@pytest.fixture
def db(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


def test_stage_and_publish_announce_their_phases_in_order(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    phases: list[str] = []
    staged = svc.stage_upload(
        engine=db,
        plan=plan,
        path=write_csv(tmp_path / "a.csv", FIRST),
        actor=system_actor("u"),
        on_phase=phases.append,
    )
    svc.publish_upload(
        engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), on_phase=phases.append
    )
    assert phases == ["reading", "staging", "publishing"]


def test_a_rejected_file_is_only_read(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    phases: list[str] = []
    bad = write_csv(tmp_path / "bad.csv", [("5G基站数", "太源", "2025Q1", "100")])
    staged = svc.stage_upload(engine=db, plan=plan, path=bad, actor=system_actor("u"), on_phase=phases.append)
    assert staged.status == "rejected"
    assert phases == ["reading"]


@pytest.fixture(scope="module")
def large_csv(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    """A long CSV just over the size from which progress is shown (every quarterly key, 2010–2025).

    The years are the plan's plausible ones (from 2020 − 10, begun by now); a note on each row
    brings the file over the threshold.
    """
    keys = [
        (i.code, r.code)
        for i in plan.indicators
        if i.frequency is Frequency.QUARTERLY
        for r in plan.regions
        if r.level in i.levels
    ]
    note = "按季度报送的累计数据，经市统计局审核后汇总上报" * 2
    lines = ["指标,地区,时期,数值,备注"]
    for year in range(2010, 2026):
        lines.extend(f"{ind},{reg},{year}Q{q},{q},{note}" for q in range(1, 5) for ind, reg in keys)
    path = tmp_path_factory.mktemp("progress") / "large.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size >= PROGRESS_MIN_BYTES
    return path


def on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `dem` with a pseudo terminal as stdout; its exit code and everything it wrote."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(DEM), *args], stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output = bytearray()
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], GIVE_UP_SECONDS)
            assert ready, "dem wrote nothing for too long"
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(leader)
    return process.wait(timeout=GIVE_UP_SECONDS), output.decode("utf-8", errors="replace")


@pytest.fixture
def terminal_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """An initialised database (closed again: DuckDB lets one process hold it) and a terminal's env."""
    engine = make_engine(database_url)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    engine.dispose()
    return {
        **os.environ,
        "DEM_DATABASE_URL": database_url,
        "DEM_UPLOAD_DIR": str(tmp_path / "archive"),
        "TERM": "xterm-256color",
        "COLUMNS": "160",
    }


@pytest.mark.parametrize("database_url", ["duckdb"], indirect=True)  # the display does not depend on it
def test_ingest_on_a_terminal_shows_each_phase_of_a_large_file(
    terminal_env: dict[str, str], large_csv: Path
) -> None:
    code, output = on_terminal(["ingest", str(large_csv), "--publish", "--confirm-warnings"], terminal_env)
    assert code == 0, output[-2000:]
    positions = [output.find(label) for label in LABELS]
    assert -1 not in positions, output[:2000]
    assert positions == sorted(positions)
    assert "more not shown" in output  # thousands of change warnings: the table shows the first ones


@pytest.mark.parametrize("database_url", ["duckdb"], indirect=True)
def test_ingest_json_on_a_terminal_prints_nothing_but_the_json(
    terminal_env: dict[str, str], large_csv: Path
) -> None:
    code, output = on_terminal(["ingest", str(large_csv), "--json"], terminal_env)
    assert code == 0, output[-2000:]
    assert json.loads(output)["status"] == "staged"


@pytest.mark.parametrize("database_url", ["duckdb"], indirect=True)
def test_ingest_of_a_small_file_shows_no_progress(terminal_env: dict[str, str], tmp_path: Path) -> None:
    code, output = on_terminal(["ingest", str(write_csv(tmp_path / "a.csv", FIRST))], terminal_env)
    assert code == 0, output
    assert not any(label in output for label in LABELS)
    assert "已暂存 staged" in output
