"""The page warm-up runs once per data version: at its first check, after a publish, after a rollback,
never for a staged file, and a failing warm-up neither stops the scheduler nor repeats every check."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.config import Settings
from app.scheduler import build_scheduler
from app.services import setup
from app.services import uploads as upload_service
from app.services.warmup import Warmup
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN

BUREAU = system_actor("bureau")


@pytest.fixture
def database(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


def stage(engine: sa.Engine, plan: Plan, folder: Path, value: int) -> int:
    path = folder / f"2025Q4_通信管理局_{value}.csv"
    path.write_text(f"指标,地区,时期,数值\n5G基站数,全省,2025Q4,{value}\n", encoding="utf-8")
    staged = upload_service.stage_upload(engine=engine, plan=plan, path=path, actor=BUREAU)
    assert staged.status == "staged", staged.errors
    return staged.upload_id or 0


def test_warms_at_the_first_check_and_again_only_when_a_publication_changes_the_data(
    database: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    runs: list[int] = []
    warmup = Warmup(engine=database, warm=lambda: runs.append(1))
    assert warmup() is True  # the empty database is a data version too: the pages start warm
    assert warmup() is False
    upload_id = stage(database, plan, tmp_path, 52_000)
    assert warmup() is False  # a staged file changes no published number
    upload_service.publish_upload(engine=database, upload_id=upload_id, actor=BUREAU, confirm_warnings=True)
    assert warmup() is True
    assert warmup() is False
    upload_service.rollback_upload(engine=database, upload_id=upload_id, actor=BUREAU)
    assert warmup() is True
    assert len(runs) == 3


def test_a_failing_warm_up_is_logged_and_not_retried_for_the_same_data(
    database: sa.Engine, plan: Plan, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise RuntimeError("a page failed to render")

    warmup = Warmup(engine=database, warm=broken)
    with caplog.at_level(logging.ERROR, logger="app.services.warmup"):
        assert warmup() is True
    assert "a page failed to render" in caplog.text
    assert warmup() is False and len(calls) == 1
    upload_id = stage(database, plan, tmp_path, 53_000)
    upload_service.publish_upload(engine=database, upload_id=upload_id, actor=BUREAU, confirm_warnings=True)
    assert warmup() is True and len(calls) == 2  # new data: tried again


def test_the_scheduler_warms_at_once_and_then_every_few_seconds_unless_turned_off(
    settings: Settings, database: sa.Engine
) -> None:
    scheduler = build_scheduler(settings, database, warm=lambda: None)
    job = scheduler.get_job("warm")
    assert job is not None and job.trigger.interval.total_seconds() == settings.page_warm_seconds == 5
    first = job.next_run_time  # the first check runs as the scheduler starts, not an interval later
    assert first is not None and first - dt.datetime.now(dt.UTC) < dt.timedelta(seconds=1)
    assert build_scheduler(settings, database).get_job("warm") is None  # no dashboard, nothing to warm
    off = settings.model_copy(update={"page_warm_seconds": 0})
    assert build_scheduler(off, database, warm=lambda: None).get_job("warm") is None


def test_a_database_it_cannot_read_skips_the_warm_up_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A database without its tables (not initialised, or gone) is no reason to fail a job every
    five seconds: the check is skipped, logged, and tried again at the next one."""
    unset = make_engine(f"duckdb:///{tmp_path / 'not-initialised.duckdb'}")
    runs: list[int] = []
    warmup = Warmup(engine=unset, warm=lambda: runs.append(1))
    with caplog.at_level(logging.WARNING, logger="app.services.warmup"):
        assert warmup() is False
    assert "data version could not be read" in caplog.text and runs == []
    setup.init_database(engine=unset, plan_path=DEFAULT_PLAN)
    assert warmup() is True and runs == [1]
    unset.dispose()
