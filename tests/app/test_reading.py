"""The reading worker: a file that exhausts memory or time fails its upload, never the process that asked."""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import etl
from app.auth.policy import system_actor
from app.config import Settings
from app.services import reading, setup
from app.services import uploads as svc
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import snapshot
from tests.corpus.hostile import FILES, many_columns

TODAY = dt.date(2026, 12, 1)
NO_PUBLISHED = pd.DataFrame(columns=["indicator", "region", "period", "value"])
#: Limits so high that the readers themselves would allocate the bomb: only the worker's cap is left.
NO_LIMITS = etl.ReadLimits(max_rows=2_000_000, max_columns=200_000, max_cells=10**12)
#: Generous for the child's own start (its imports map about 400 MiB), far below the bomb's 500 GB.
SMALL_MEMORY_MIB = 1024
GIVE_UP_SECONDS = 60  # safety net for a child that is never stopped (not a timing assertion)


def read(path: Path, plan: Plan, options: reading.ReadOptions) -> etl.UploadResult:
    return reading.read_upload(
        path, plan=plan, published=NO_PUBLISHED, today=TODAY, sha256="0" * 64, options=options
    )


def test_settings_reach_the_readers_and_the_worker() -> None:
    settings = Settings(
        upload_max_rows=10,
        upload_max_columns=20,
        upload_max_cells=30,
        upload_max_part_mib=1,
        upload_max_archive_mib=2,
        upload_read_isolated=False,
        upload_read_memory_mib=512,
        upload_read_seconds=5,
    )
    options = reading.ReadOptions.from_settings(settings)
    assert options == reading.ReadOptions(
        limits=etl.ReadLimits(
            max_rows=10, max_columns=20, max_cells=30, max_part_bytes=1 << 20, max_archive_bytes=2 << 20
        ),
        isolated=False,
        memory_mib=512,
        seconds=5,
    )
    assert reading.ReadOptions.from_settings(Settings()) == reading.ReadOptions()  # one set of defaults


def test_a_file_that_exhausts_the_workers_memory_fails_its_upload_and_this_process_lives_on(
    plan: Plan,
) -> None:
    """calamine asks for 16,384 × 1,048,576 cells (about 500 GB) and aborts: only the worker dies."""
    options = reading.ReadOptions(limits=NO_LIMITS, memory_mib=SMALL_MEMORY_MIB)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = read(FILES / "a1_and_xfd1048576.xlsx", plan, options)
    assert result.report.flatten(["code"]) == [["read-memory-exceeded"]]
    assert "1,024 MiB" in result.report.errors[0].message_zh
    assert result.values.empty and result.sha256 == "0" * 64
    # this process never held the grid: its peak grew by far less than the worker's cap
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < SMALL_MEMORY_MIB * 1024 // 4
    assert os.getpid() > 0  # still here


def test_a_file_that_takes_too_long_is_stopped_and_refused(plan: Plan, tmp_path: Path) -> None:
    """100,000 columns with no column limit took 65 s in-process; the worker is stopped after 2 s."""
    options = reading.ReadOptions(limits=NO_LIMITS, seconds=2)
    started = time.monotonic()
    result = read(many_columns(tmp_path / "wide.csv"), plan, options)
    assert result.report.flatten(["code"]) == [["read-time-exceeded"]]
    assert "2 秒" in result.report.errors[0].message_zh
    assert time.monotonic() - started < GIVE_UP_SECONDS


def test_a_good_file_reads_the_same_in_the_worker_as_in_process(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "good.csv"
    path.write_text(
        '指标,地区,时期,数值\n5G基站数,太原,2025Q1,20000\n5G基站数,大同,2025Q1,"9,000"\n', "utf-8"
    )
    isolated = read(path, plan, reading.ReadOptions())
    in_process = read(path, plan, reading.ReadOptions(isolated=False))
    pd.testing.assert_frame_equal(isolated.values, in_process.values)
    assert isolated.report == in_process.report
    assert isolated.values["value"].tolist() == [20000.0, 9000.0]


SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.mark.parametrize(
    "name", ["2024Q3_统计局_数字经济主要指标.xlsx", "2020-2023_统计局_数字经济核心产业.csv", "README.md"]
)
def test_the_worker_sends_values_as_codes_that_give_back_the_same_frame(name: str, plan: Plan) -> None:
    in_process = read(SAMPLE / name, plan, reading.ReadOptions(isolated=False))
    sent = reading._compacted(in_process.values)
    assert all(isinstance(sent[c], tuple) for c in ("indicator", "region", "period", "note", "sheet"))
    pd.testing.assert_frame_equal(reading._expanded(sent), in_process.values)
    isolated = read(SAMPLE / name, plan, reading.ReadOptions())
    pd.testing.assert_frame_equal(isolated.values, in_process.values)
    assert isolated.report == in_process.report


def test_stage_upload_refuses_the_memory_bomb_and_writes_nothing(engine: sa.Engine, plan: Plan) -> None:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    before = snapshot(engine)
    staged = svc.stage_upload(
        engine=engine,
        plan=plan,
        path=FILES / "a1_and_xfd1048576.xlsx",
        actor=system_actor("bureau"),
        read_options=reading.ReadOptions(limits=NO_LIMITS, memory_mib=SMALL_MEMORY_MIB),
    )
    assert (staged.status, [str(e.code) for e in staged.errors]) == ("rejected", ["read-memory-exceeded"])
    assert snapshot(engine) == before


@pytest.mark.parametrize("name", ["xfd1048576.xlsx", "a1_and_xfd1048576.xlsx", "z1048576.xlsx"])
def test_with_the_default_limits_the_far_cell_is_refused_before_anything_is_allocated(
    plan: Plan, name: str
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = read(FILES / name, plan, reading.ReadOptions(isolated=False))
    assert result.report.flatten(["code"])[0][0] in {"too-many-columns", "too-many-cells"}
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # under 50 MB


UNGUARDED_SCRIPT = """
import datetime as dt
from pathlib import Path
import pandas as pd
from app.services import reading
from indicators.plan import load_plan
print("script ran")
result = reading.read_upload(
    Path({path!r}),
    plan=load_plan(),
    published=pd.DataFrame(columns=["indicator", "region", "period", "value"]),
    today=dt.date(2026, 12, 1),
    sha256="0" * 64,
)
print("read", len(result.values), [e.code.value for e in result.report.errors])
"""


def test_a_script_without_a_main_guard_is_not_run_again_inside_the_worker(tmp_path: Path) -> None:
    """multiprocessing would re-import the script in every worker (running it again, and again …)."""
    good = tmp_path / "good.csv"
    good.write_text("指标,地区,时期,数值\n5G基站数,太原,2025Q1,20000\n", "utf-8")
    script = tmp_path / "stage.py"
    script.write_text(UNGUARDED_SCRIPT.format(path=str(good)), "utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=GIVE_UP_SECONDS, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["script ran", "read 1 []"]


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def test_the_worker_server_starts_with_the_allocators_that_keep_its_address_space_small() -> None:
    """The memory cap is on address space; without these settings an 11.6M-value CSV needed 4.35 GB
    of it and was refused at the default 4 GiB cap (docs/performance.md). They are read when a process
    starts, so they must be in the environment the forkserver began with, not set later."""
    reading.start_worker_server()
    servers = [
        pid for pid in _children(os.getpid()) if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert servers, "no forkserver among this process's children"
    environ = Path(f"/proc/{servers[0]}/environ").read_bytes().split(b"\0")
    started_with = dict(item.decode().split("=", 1) for item in environ if b"=" in item)
    assert {"ARROW_DEFAULT_MEMORY_POOL", "MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_"} <= set(started_with)
    for name, value in reading.WORKER_ENVIRONMENT.items():
        assert started_with[name] == os.environ.get(name, value)  # an operator's own value wins
