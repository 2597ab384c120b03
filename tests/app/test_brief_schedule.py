"""The scheduled brief job, end to end on both backends with a fixed `today`: due only from
DEM_BRIEF_DAY days after the quarter, the province's and every department's brief written once per
data version, a revision bringing fresh ones, a failure leaving nothing behind and retried next time.

The job writes xlsx here (DEM_BRIEF_FORMATS): it is the quickest format, and the job's logic does not
depend on the format. Expected counts: 1 province + the 28 departments with tasks in the plan = 29.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.config import Settings
from app.scheduler import brief_job, build_scheduler
from app.services import briefs as brief_service
from app.services import progress as progress_service
from app.services import setup
from app.services import uploads as upload_service
from app.services.brief_schedule import SCHEDULER_USER, due_date, scheduled_scopes, write_quarterly_briefs
from app.services.clock import utcnow
from app.services.samples import load_samples, sample_files
from app.store import locks
from app.store import schema as s
from indicators.model import Plan
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN
from tests.conftest import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "data" / "sample"
REVISION = SAMPLE_DIR / "2025Q3_统计局_数字经济主要指标_修订.csv"
BEFORE_DUE = dt.date(2025, 10, 14)  # 2025Q3 ends 2025-09-30; + 15 days = 2025-10-15
DUE = dt.date(2025, 10, 15)
SCOPES = 29


@pytest.mark.parametrize(
    ("period", "day", "expected"),
    [
        ("2025Q3", 15, dt.date(2025, 10, 15)),  # 30 September + 15 days
        ("2025Q4", 15, dt.date(2026, 1, 15)),  # over the year end
        ("2024Q1", 1, dt.date(2024, 4, 1)),  # 31 March (a leap year changes nothing here) + 1
        ("2026Q2", 31, dt.date(2026, 7, 31)),  # 30 June + 31
    ],
)
def test_due_date_is_brief_day_days_after_the_quarter_ends(period: str, day: int, expected: dt.date) -> None:
    assert due_date(Period.parse(period), brief_day=day) == expected


def test_the_schedule_covers_the_province_and_every_department_with_tasks(plan: Plan) -> None:
    scopes = [str(scope) for scope in scheduled_scopes(plan)]
    assert scopes[0] == "province"
    assert scopes[1:] == [f"department:{d.code}" for d in plan.departments if plan.department_tasks(d.code)]
    assert len(scopes) == SCOPES


@pytest.fixture
def job_settings(settings: Settings, engine: sa.Engine, plan: Plan, tmp_path: Path) -> Settings:
    """The sample data without the 2025Q3 revision, so the test can publish it as a later revision."""
    samples = tmp_path / "samples"
    samples.mkdir()
    for path in sample_files(SAMPLE_DIR):
        if path.name != REVISION.name:
            shutil.copy(path, samples / path.name)
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    load_samples(engine=engine, plan=plan, sample_dir=samples)
    return settings.model_copy(
        update={"brief_day": 15, "brief_formats": "xlsx", "brief_dir": tmp_path / "out" / "briefs"}
    )


def brief_rows(engine: sa.Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(s.briefs).order_by(s.briefs.c.id))]


def publish_revision(engine: sa.Engine, plan: Plan) -> None:
    staged = upload_service.stage_upload(
        engine=engine, plan=plan, path=REVISION, actor=system_actor("tongji")
    )
    upload_service.publish_upload(
        engine=engine,
        upload_id=staged.upload_id,
        actor=system_actor("tongji"),
        confirm_warnings=True,
        reason="修订",
    )


def test_the_job_end_to_end(
    job_settings: Settings, engine: sa.Engine, plan: Plan, caplog: pytest.LogCaptureFixture
) -> None:
    """Through the scheduler's own job function (`brief_job`, as APScheduler calls it) and the service.

    Not due yet → nothing; another instance's lease → nothing; a failing run → nothing recorded and no
    file, every failure logged; the next check → all 29 written; again → all present; a revision →
    all 29 missing for the new data version (a renewal that fails at once shows it without writing),
    and the next brief written carries the new version.
    """
    brief_job(job_settings, engine, "instance-1", today=BEFORE_DUE)
    assert brief_rows(engine) == []

    with engine.begin() as conn:
        assert locks.try_acquire(
            conn, name="briefs", holder="instance-2", now=utcnow(), ttl=dt.timedelta(minutes=5)
        )
    brief_job(job_settings, engine, "instance-1", today=DUE)
    assert brief_rows(engine) == []  # the other instance holds the lease
    with engine.begin() as conn:
        locks.release(conn, name="briefs", holder="instance-2")

    # The brief folder cannot be created: a file stands where it should be.
    folder = job_settings.brief_dir
    folder.parent.mkdir(parents=True)
    folder.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        brief_job(job_settings, engine, "instance-1", today=DUE)
    assert brief_rows(engine) == []
    assert f"cannot create the brief folder {folder}; retried at the next check" in caplog.text
    assert f"{SCOPES} of {SCOPES} briefs failed; retried at the next check" in caplog.text
    assert list(folder.parent.iterdir()) == [folder]  # nothing half-written beside it

    folder.unlink()
    brief_job(job_settings, engine, "instance-1", today=DUE)
    rows = brief_rows(engine)
    version = progress_service.data_version(engine=engine)
    assert len(rows) == SCOPES
    assert {(r["period"], r["format"], r["data_version"], r["created_by"]) for r in rows} == {
        ("2025Q3", "xlsx", version, "scheduler")
    }
    assert sorted(Path(str(r["path"])) for r in rows) == sorted(folder.iterdir())  # no temporary file
    for row in rows:  # every file complete: its sha256 is the recorded one, and it opens
        path = Path(str(row["path"]))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"]
        assert openpyxl.load_workbook(path, read_only=True).sheetnames
    listed = brief_service.list_briefs(engine=engine, actor=SCHEDULER_USER, limit=100)
    assert {r.scope for r in listed} == {str(scope) for scope in scheduled_scopes(plan)}
    with engine.connect() as conn:  # the lease is given back
        holders = conn.execute(sa.select(s.job_locks.c.holder).where(s.job_locks.c.name == "briefs"))
        assert holders.scalars().all() == [None]

    again = write_quarterly_briefs(engine=engine, plan=plan, settings=job_settings, today=DUE)
    assert [o.status for o in again] == ["present"] * SCOPES
    assert len(brief_rows(engine)) == SCOPES

    publish_revision(engine, plan)
    revised = progress_service.data_version(engine=engine)
    assert revised != version
    lost = write_quarterly_briefs(
        engine=engine, plan=plan, settings=job_settings, today=DUE, before_each=lambda: False
    )
    assert lost == []  # the first brief was already missing: the run stopped before writing it
    renewals = iter([True, False])
    one = write_quarterly_briefs(
        engine=engine, plan=plan, settings=job_settings, today=DUE, before_each=lambda: next(renewals)
    )
    assert [(o.scope, o.status) for o in one] == [("province", "written")]
    newest = brief_rows(engine)[-1]
    assert (newest["scope_type"], newest["data_version"]) == ("province", revised)


def test_build_scheduler_registers_the_brief_job(settings: Settings, engine: sa.Engine) -> None:
    scheduler = build_scheduler(settings, engine)
    scheduler.start(paused=True)  # paused: the job is fully set up but never fires here
    try:
        job = scheduler.get_job("briefs")
        assert job is not None
        assert job.func is brief_job
        assert job.trigger.interval == dt.timedelta(minutes=settings.brief_interval_minutes)
        assert (job.max_instances, job.coalesce) == (1, True)
    finally:
        scheduler.shutdown(wait=False)
