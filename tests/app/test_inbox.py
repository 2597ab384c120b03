"""The inbox and its scheduled job: dropped files are staged or published, filed with their report,
and the job runs in one instance at a time.

The lease tests run two "instances" as two engines with two holder ids in two threads of this
process. On PostgreSQL that is what two app servers look like to the database. DuckDB lets only one
process open the file, so there the only contenders are threads of one process (APScheduler's
`max_instances=1` already keeps one job from overlapping itself); the lease must still hold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.config import Settings
from app.scheduler import build_scheduler, inbox_job, run_exclusively
from app.services import inbox, setup
from app.services import uploads as svc
from app.services.clock import utcnow
from app.store import locks, migrate
from app.store import schema as s
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import FIRST, REVISED, current, snapshot, write_csv
from tests.conftest import REPO_ROOT

T1 = dt.datetime(2025, 10, 20, 9, 0)  # after every period the files carry (2025Q1, 2025Q3) began
TTL = dt.timedelta(minutes=5)
BAD = [("5G基站数", "太源", "2025Q1", "100"), ("5G基站数", "大同", "2025Q1", "约300")]
BROKEN_WORKBOOK = REPO_ROOT / "data" / "sample" / "broken" / "2025Q3_工信厅_错误示例.xlsx"
#: How long a racing contender's job runs: long enough for the others to try meanwhile (the
#: assertions hold whatever the timing; this only makes the race a real one).
JOB_SECONDS = 0.3
#: Safety net for a thread that never gets where it should (not a timing assertion).
GIVE_UP_SECONDS = 60


@pytest.fixture
def db(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


@pytest.fixture
def inbox_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def run_inbox(db: sa.Engine, plan: Plan, inbox_dir: Path, **options: Any) -> list[inbox.InboxOutcome]:
    return inbox.process_inbox(engine=db, plan=plan, inbox_dir=inbox_dir, now=T1, **options)


def report_of(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".report.json").read_text(encoding="utf-8"))


def statuses(db: sa.Engine) -> list[str]:
    with db.connect() as conn:
        return list(conn.execute(sa.select(s.uploads.c.status).order_by(s.uploads.c.id)).scalars())


# ------------------------------------------------------------------------------------ the inbox


def test_a_clean_file_is_staged_and_filed_in_processed_with_its_report(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    write_csv(inbox_dir / "a.csv", FIRST)
    [outcome] = run_inbox(db, plan, inbox_dir)
    assert (outcome.file_name, outcome.status) == ("a.csv", "staged")
    assert outcome.moved_to == inbox_dir / "processed" / "a.csv"
    assert not (inbox_dir / "a.csv").exists()
    report = report_of(outcome.moved_to)
    assert report == {
        "file": "a.csv",
        "status": "staged",
        "upload_id": outcome.upload_id,
        "duplicate_of": None,
        "rows": 3,
        "errors": [],
        "warnings": [],
        "diff": {"new": 3, "revised": 0, "unchanged": 0},
    }
    assert statuses(db) == ["staged"]
    assert current(db) == {}


def test_with_publish_clean_a_file_without_warnings_is_published(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    write_csv(inbox_dir / "a.csv", FIRST)
    [outcome] = run_inbox(db, plan, inbox_dir, publish_clean=True)
    assert outcome.status == "published"
    assert report_of(outcome.moved_to)["status"] == "published"
    assert statuses(db) == ["published"]
    assert current(db)[("base_stations_5g", "140100", "2025Q1")] == 20000.0


def test_a_file_with_warnings_waits_staged_even_with_publish_clean(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    write_csv(inbox_dir / "a.csv", FIRST)
    run_inbox(db, plan, inbox_dir, publish_clean=True)
    write_csv(inbox_dir / "b.csv", REVISED)
    [outcome] = run_inbox(db, plan, inbox_dir, publish_clean=True)
    assert outcome.status == "staged"
    report = report_of(outcome.moved_to)
    revisions = [
        (w["row"], w["column"], w["old"], w["new"]) for w in report["warnings"] if w["code"] == "revision"
    ]
    assert revisions == [(2, "数值", 20000.0, 20500.0), (4, "数值", 29000.0, 29500.0)]
    assert statuses(db) == ["published", "staged"]
    assert current(db)[("base_stations_5g", "140100", "2025Q1")] == 20000.0


def test_a_file_with_errors_goes_to_rejected_with_each_error_located_and_writes_nothing(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    before = snapshot(db)
    write_csv(inbox_dir / "bad.csv", BAD)
    [outcome] = run_inbox(db, plan, inbox_dir, publish_clean=True)
    assert (outcome.status, outcome.upload_id) == ("rejected", None)
    assert outcome.moved_to == inbox_dir / "rejected" / "bad.csv"
    report = report_of(outcome.moved_to)
    assert report["status"] == "rejected"
    assert [(e["row"], e["column"], e["code"], e["value"]) for e in report["errors"]] == [
        (2, "地区", "unknown-region", "太源"),
        (3, "数值", "non-numeric-value", "约300"),
    ]
    assert all(e["message_zh"] and e["message_en"] for e in report["errors"])
    assert snapshot(db) == before


def test_a_broken_workbook_is_rejected_with_sheet_row_and_column(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    shutil.copyfile(BROKEN_WORKBOOK, inbox_dir / BROKEN_WORKBOOK.name)
    [outcome] = run_inbox(db, plan, inbox_dir)
    assert outcome.status == "rejected"
    first = report_of(outcome.moved_to)["errors"][0]
    assert (first["sheet"], first["row"], first["column"], first["code"]) == (
        "工信厅",
        4,
        "地区",
        "unknown-region",
    )


def test_the_same_name_dropped_again_keeps_every_file_and_report(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    processed = inbox_dir / "processed"
    write_csv(inbox_dir / "a.csv", FIRST)
    [first] = run_inbox(db, plan, inbox_dir)
    write_csv(inbox_dir / "a.csv", REVISED)  # a corrected file under the same name
    [second] = run_inbox(db, plan, inbox_dir)
    write_csv(inbox_dir / "a.csv", REVISED)  # and the same bytes once more
    [third] = run_inbox(db, plan, inbox_dir)
    assert [first.moved_to, second.moved_to, third.moved_to] == [
        processed / "a.csv",
        processed / "a.1.csv",
        processed / "a.2.csv",
    ]
    assert sorted(p.name for p in processed.iterdir()) == [
        "a.1.csv",
        "a.1.csv.report.json",
        "a.2.csv",
        "a.2.csv.report.json",
        "a.csv",
        "a.csv.report.json",
    ]
    assert "20000" in (processed / "a.csv").read_text(encoding="utf-8")
    assert [report_of(o.moved_to)["status"] for o in (first, second, third)] == [
        "staged",
        "staged",
        "duplicate",
    ]
    assert report_of(third.moved_to)["duplicate_of"] == second.upload_id
    assert report_of(first.moved_to)["upload_id"] == first.upload_id != second.upload_id


def test_a_file_staged_by_an_interrupted_run_is_published_when_dropped_again(
    db: sa.Engine, plan: Plan, inbox_dir: Path, tmp_path: Path
) -> None:
    staged = svc.stage_upload(
        engine=db, plan=plan, path=write_csv(tmp_path / "a.csv", FIRST), actor=system_actor("u"), now=T1
    )
    shutil.copyfile(tmp_path / "a.csv", inbox_dir / "a.csv")
    [outcome] = run_inbox(db, plan, inbox_dir, publish_clean=True)
    assert (outcome.status, outcome.upload_id) == ("published", staged.upload_id)
    assert statuses(db) == ["published"]


def test_files_still_arriving_lock_files_and_other_types_wait_in_the_inbox(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    write_csv(inbox_dir / "a.csv", FIRST)
    ignored = ["~$book.xlsx", ".a.csv.part.csv", "notes.txt"]
    for name in ignored:
        (inbox_dir / name).write_text("x", encoding="utf-8")
    assert run_inbox(db, plan, inbox_dir, settle_seconds=3600) == []  # just written: may be incomplete
    assert [o.file_name for o in run_inbox(db, plan, inbox_dir, settle_seconds=0)] == ["a.csv"]
    assert sorted(p.name for p in inbox_dir.iterdir() if p.is_file()) == sorted(ignored)


def test_a_file_that_fails_stays_for_the_next_run_and_does_not_stop_the_others(
    db: sa.Engine, plan: Plan, inbox_dir: Path, tmp_path: Path
) -> None:
    write_csv(inbox_dir / "a.csv", FIRST)
    write_csv(inbox_dir / "b.csv", [("5G基站数", "朔州", "2025Q1", "3000")])
    not_a_folder = tmp_path / "archive"
    not_a_folder.write_text("", encoding="utf-8")  # archiving, after staging, fails for every file
    assert run_inbox(db, plan, inbox_dir, archive_dir=not_a_folder, publish_clean=True) == []
    assert sorted(p.name for p in inbox_dir.iterdir()) == ["a.csv", "b.csv"]
    assert statuses(db) == ["staged", "staged"]  # the first failure did not stop the second file
    outcomes = run_inbox(db, plan, inbox_dir, archive_dir=tmp_path / "archive-ok", publish_clean=True)
    assert [(o.file_name, o.status) for o in outcomes] == [("a.csv", "published"), ("b.csv", "published")]
    assert statuses(db) == ["published", "published"]


# ----------------------------------------------------------------------------- the job's lease


class Recorder:
    """A job body that records who ran it and how many ran at the same time, at most."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.most_at_once = 0
        self._active = 0
        self._lock = threading.Lock()

    def job(
        self, name: str, *, started: threading.Event | None = None, release: threading.Event | None = None
    ) -> Callable[[], None]:
        """The job of instance `name`: it holds on until `release` is set, or sleeps briefly."""

        def run() -> None:
            with self._lock:
                self._active += 1
                self.most_at_once = max(self.most_at_once, self._active)
            if started is not None:
                started.set()
            if release is not None:
                assert release.wait(timeout=GIVE_UP_SECONDS)
            else:
                time.sleep(JOB_SECONDS)
            with self._lock:
                self._active -= 1
                self.ran.append(name)

        return run


@pytest.fixture
def instances(database_url: str, engine: sa.Engine) -> Iterator[list[sa.Engine]]:
    """Two app instances on one database: two engines (two connection pools) after migrating it."""
    migrate.upgrade(engine)
    engines = [make_engine(database_url) for _ in range(2)]
    yield engines
    for each in engines:
        each.dispose()


def test_while_one_instance_runs_the_job_the_other_is_refused_then_may_run_it(
    instances: list[sa.Engine],
) -> None:
    first, second = instances
    recorder = Recorder()
    started, release = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def instance_a() -> None:
        results["a"] = run_exclusively(
            engine=first,
            name="inbox",
            holder="a",
            ttl=TTL,
            job=recorder.job("a", started=started, release=release),
        )

    thread = threading.Thread(target=instance_a)
    thread.start()
    assert started.wait(timeout=GIVE_UP_SECONDS)
    refused = run_exclusively(engine=second, name="inbox", holder="b", ttl=TTL, job=recorder.job("b"))
    release.set()
    thread.join(timeout=GIVE_UP_SECONDS)
    assert (results["a"], refused) == (True, False)
    assert run_exclusively(engine=second, name="inbox", holder="b", ttl=TTL, job=recorder.job("b"))
    assert recorder.ran == ["a", "b"]


def test_instances_racing_for_the_lease_never_run_the_job_together(
    database_url: str, engine: sa.Engine
) -> None:
    migrate.upgrade(engine)
    contenders = 4
    engines = [make_engine(database_url) for _ in range(contenders)]
    recorder = Recorder()
    barrier = threading.Barrier(contenders)
    won: list[bool] = []

    def contend(n: int) -> None:
        barrier.wait(timeout=GIVE_UP_SECONDS)
        won.append(
            run_exclusively(
                engine=engines[n], name="inbox", holder=f"i{n}", ttl=TTL, job=recorder.job(f"i{n}")
            )
        )

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=GIVE_UP_SECONDS)
    for each in engines:
        each.dispose()
    assert len(won) == contenders  # nobody crashed on the race
    assert recorder.most_at_once == 1
    assert won.count(True) == len(recorder.ran) >= 1


def test_the_lease_of_an_instance_that_died_is_taken_over_once_it_expires(engine: sa.Engine) -> None:
    migrate.upgrade(engine)
    long_ago = dt.datetime(2020, 1, 1)
    with engine.begin() as conn:  # an instance took the lease and never gave it back
        assert locks.try_acquire(conn, name="inbox", holder="dead", now=long_ago, ttl=TTL)
    recorder = Recorder()
    assert run_exclusively(engine=engine, name="inbox", holder="alive", ttl=TTL, job=recorder.job("alive"))
    assert recorder.ran == ["alive"]


def test_a_failing_job_gives_the_lease_back(engine: sa.Engine) -> None:
    migrate.upgrade(engine)

    def broken() -> None:
        raise RuntimeError("job failed")

    with pytest.raises(RuntimeError, match="job failed"):
        run_exclusively(engine=engine, name="inbox", holder="a", ttl=TTL, job=broken)
    recorder = Recorder()
    assert run_exclusively(engine=engine, name="inbox", holder="b", ttl=TTL, job=recorder.job("b"))


# --------------------------------------------------------------------------------- the scheduler


def test_build_scheduler_registers_the_inbox_job(settings: Settings, engine: sa.Engine) -> None:
    scheduler = build_scheduler(settings, engine)
    scheduler.start(paused=True)  # paused: the job is fully set up but never fires here
    try:
        job = scheduler.get_job("inbox")
        assert job is not None
        assert job.func is inbox_job
        assert job.trigger.interval == dt.timedelta(seconds=settings.inbox_interval_seconds)
        assert (job.max_instances, job.coalesce) == (1, True)
        assert job.args[:2] == (settings, engine)
    finally:
        scheduler.shutdown(wait=False)


@pytest.fixture
def job_settings(settings: Settings, db: sa.Engine) -> Settings:
    settings.inbox_dir.mkdir(parents=True)
    return settings.model_copy(update={"inbox_publish": True})


def test_inbox_job_publishes_a_dropped_file_and_archives_it(job_settings: Settings, db: sa.Engine) -> None:
    path = write_csv(job_settings.inbox_dir / "a.csv", FIRST)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    inbox_job(job_settings, db, "instance-1", settle_seconds=0)
    assert report_of(job_settings.inbox_dir / "processed" / "a.csv")["status"] == "published"
    assert (job_settings.upload_dir / f"{digest}.csv").exists()
    assert current(db)[("base_stations_5g", "140000", "2025Q1")] == 29000.0
    with db.connect() as conn:  # the lease is given back
        assert conn.execute(sa.select(s.job_locks.c.holder)).scalars().all() == [None]


def test_inbox_job_leaves_the_files_alone_while_another_instance_holds_the_lease(
    job_settings: Settings, db: sa.Engine
) -> None:
    write_csv(job_settings.inbox_dir / "a.csv", FIRST)
    with db.begin() as conn:
        assert locks.try_acquire(conn, name="inbox", holder="instance-2", now=utcnow(), ttl=TTL)
    inbox_job(job_settings, db, "instance-1", settle_seconds=0)
    assert (job_settings.inbox_dir / "a.csv").exists()
    assert statuses(db) == []


def test_a_run_stops_before_the_next_file_when_its_lease_cannot_be_renewed(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    for n in range(3):
        write_csv(inbox_dir / f"{n}.csv", [("5G基站数", "太原市", f"202{n}Q4", "1000")])
    renewals = iter([True, False, True])
    outcomes = run_inbox(db, plan, inbox_dir, before_each=lambda: next(renewals))
    assert [o.file_name for o in outcomes] == ["0.csv"]
    assert sorted(p.name for p in inbox_dir.glob("*.csv")) == ["1.csv", "2.csv"]


# ------------------------------------------------------------------ hostile files: no crash loop

BOMB = REPO_ROOT / "tests" / "corpus" / "files" / "a1_and_xfd1048576.xlsx"
#: A run of the inbox as it was before uploads were read in a capped worker, with no reader limits:
#: calamine allocates the bomb's 17 billion cells and the whole process aborts (exit 134 in a shell).
CRASHING_RUN = """
import sys
from pathlib import Path
import etl
from app.services import inbox
from app.services.reading import ReadOptions
from app.store.engine import make_engine
from indicators.plan import load_plan
limits = etl.ReadLimits(max_rows=2_000_000, max_columns=20_000, max_cells=10**12)
inbox.process_inbox(
    engine=make_engine(sys.argv[1]),
    plan=load_plan(),
    inbox_dir=Path(sys.argv[2]),
    publish_clean=True,
    read_options=ReadOptions(limits=limits, isolated=False),
)
"""


def test_the_xfd1048576_bomb_is_rejected_with_its_report_and_the_next_file_goes_through(
    db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    shutil.copyfile(BOMB, inbox_dir / "a_bomb.xlsx")
    write_csv(inbox_dir / "b.csv", FIRST)
    outcomes = run_inbox(db, plan, inbox_dir, publish_clean=True)
    assert [(o.file_name, o.status) for o in outcomes] == [
        ("a_bomb.xlsx", "rejected"),
        ("b.csv", "published"),
    ]
    report = report_of(inbox_dir / "rejected" / "a_bomb.xlsx")
    assert [e["code"] for e in report["errors"]] == ["too-many-columns"]
    assert "XFD1048576" in report["errors"][0]["message_zh"]
    assert current(db) == {("base_stations_5g", c, "2025Q1"): v for c, v in EXPECTED_FIRST}


EXPECTED_FIRST = [("140100", 20000.0), ("140200", 9000.0), ("140000", 29000.0)]


def test_a_file_a_run_died_on_is_quarantined_not_retried_and_the_next_file_goes_through(
    database_url: str, db: sa.Engine, plan: Plan, inbox_dir: Path
) -> None:
    """The crash loop: the service died on a file, restarted, took the same file, died again …"""
    shutil.copyfile(BOMB, inbox_dir / "a_bomb.xlsx")
    write_csv(inbox_dir / "b.csv", FIRST)
    before = snapshot(db)
    db.dispose()  # DuckDB: the crashing run must be able to open the file
    died = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, database_url, str(inbox_dir)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert died.returncode == -signal.SIGABRT, (died.returncode, died.stderr[-2000:])
    assert (inbox_dir / "processing" / "a_bomb.xlsx").exists()  # where the dead run left it
    assert snapshot(db) == before
    outcomes = run_inbox(db, plan, inbox_dir, publish_clean=True)  # the restarted service's run
    assert [(o.file_name, o.status) for o in outcomes] == [
        ("a_bomb.xlsx", "quarantined"),
        ("b.csv", "published"),
    ]
    quarantined = inbox_dir / "quarantine" / "a_bomb.xlsx"
    assert quarantined.read_bytes() == BOMB.read_bytes()
    report = report_of(quarantined)
    assert (report["status"], report["code"]) == ("quarantined", "interrupted")
    assert "已隔离" in report["message_zh"]
    assert not (inbox_dir / "processing").exists()
    assert run_inbox(db, plan, inbox_dir, publish_clean=True) == []  # never retried
    assert statuses(db) == ["published"]
