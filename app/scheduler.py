"""Scheduled jobs (APScheduler), each run under a database lease so two instances never run it twice.

Jobs are defined in code with a memory job store: a restart re-creates them, and the lease in
`job_locks` (not the job store) is what keeps instances from doubling up.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable

import duckdb
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from app.config import Settings
from app.services import brief_schedule, inbox, reminders
from app.services.clock import beijing_today, utcnow
from app.services.reading import ReadOptions
from app.services.warmup import Warmup
from app.store import locks
from indicators.plan import load_plan

log = logging.getLogger(__name__)
#: A dropped file must be unchanged this long before the inbox job takes it (it may still be copying).
INBOX_SETTLE_SECONDS = 5.0
REMINDER_LEASE = dt.timedelta(minutes=30)


def instance_id() -> str:
    """Identifies this process in lock rows: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_exclusively(
    *, engine: sa.Engine, name: str, holder: str, ttl: dt.timedelta, job: Callable[[], object]
) -> bool:
    """Run `job` only if this holder gets the lease; False when another instance is running it."""
    try:
        with engine.begin() as conn:
            if not locks.try_acquire(conn, name=name, holder=holder, now=utcnow(), ttl=ttl):
                return False
    except sa.exc.DBAPIError as exc:
        # PostgreSQL makes a second writer of the lease row wait, then re-checks it; DuckDB instead
        # fails the later writer (a conflict, or a duplicate key for the first row of a new lease).
        # Either way the other holder won the lease.
        if isinstance(exc.orig, duckdb.TransactionException | duckdb.ConstraintException):
            return False
        raise
    try:
        job()
    finally:
        with engine.begin() as conn:
            locks.release(conn, name=name, holder=holder)
    return True


def inbox_job(
    settings: Settings, engine: sa.Engine, holder: str, *, settle_seconds: float = INBOX_SETTLE_SECONDS
) -> None:
    """Stage (and, if configured, publish) what waits in the inbox, unless another instance is at it."""
    plan = load_plan(settings.plan)
    ttl = dt.timedelta(seconds=max(60, settings.inbox_interval_seconds * 10))

    def renew() -> bool:
        """Extend the lease before each file, so a long run is never taken over half-way."""
        with engine.begin() as conn:
            return locks.try_acquire(conn, name="inbox", holder=holder, now=utcnow(), ttl=ttl)

    def work() -> None:
        outcomes = inbox.process_inbox(
            before_each=renew,
            engine=engine,
            plan=plan,
            inbox_dir=settings.inbox_dir,
            archive_dir=settings.upload_dir,
            publish_clean=settings.inbox_publish,
            max_bytes=settings.max_upload_bytes,
            settle_seconds=settle_seconds,
            read_options=ReadOptions.from_settings(settings),
        )
        for outcome in outcomes:
            log.info("inbox %s -> %s (upload %s)", outcome.file_name, outcome.status, outcome.upload_id)

    run_exclusively(engine=engine, name="inbox", holder=holder, ttl=ttl, job=work)


def brief_job(settings: Settings, engine: sa.Engine, holder: str, *, today: dt.date | None = None) -> None:
    """Write the last complete quarter's missing briefs once they are due, unless another instance is at it.

    Each brief takes seconds (a PDF goes through LibreOffice), so the lease is renewed before each one.
    """
    plan = load_plan(settings.plan)
    ttl = dt.timedelta(minutes=max(10, settings.brief_interval_minutes))

    def renew() -> bool:
        with engine.begin() as conn:
            return locks.try_acquire(conn, name="briefs", holder=holder, now=utcnow(), ttl=ttl)

    def work() -> None:
        outcomes = brief_schedule.write_quarterly_briefs(
            engine=engine, plan=plan, settings=settings, today=today or beijing_today(), before_each=renew
        )
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            log.warning(
                "brief job: %d of %d briefs failed; retried at the next check", len(failed), len(outcomes)
            )

    run_exclusively(engine=engine, name="briefs", holder=holder, ttl=ttl, job=work)


def reminders_job(
    settings: Settings, engine: sa.Engine, holder: str, *, today: dt.date | None = None
) -> None:
    """Create today's 催报 reminders and mail them, unless another instance is at it."""
    plan = load_plan(settings.plan)

    def work() -> None:
        day = today or beijing_today()
        created = reminders.create_reminders(
            engine=engine, plan=plan, offsets=settings.reminder_days, today=day
        )
        sent = reminders.send_reminders(engine=engine, plan=plan, settings=settings)
        log.info("reminders: %d created, %d mailed", len(created), sent)

    run_exclusively(engine=engine, name="reminders", holder=holder, ttl=REMINDER_LEASE, job=work)


def build_scheduler(
    settings: Settings, engine: sa.Engine, *, warm: Callable[[], object] | None = None
) -> BackgroundScheduler:
    """A scheduler with every job registered; the caller starts and stops it with the app.

    Each job runs at most once at a time in this process and a missed run is not repeated; across
    instances, `run_exclusively`'s lease keeps a second instance from running it too. `warm`
    (app.main passes the dashboard's page renders) runs as soon as the scheduler starts and after
    each publication (`app.services.warmup.Warmup`), in every instance: each has its own cache.
    """
    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    if warm is not None and settings.page_warm_seconds > 0:
        scheduler.add_job(
            Warmup(engine=engine, warm=warm),
            "interval",
            id="warm",
            seconds=settings.page_warm_seconds,
            next_run_time=dt.datetime.now(dt.UTC),
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )
    holder = instance_id()
    jobs: list[tuple[str, Callable[..., None], str, dict[str, int]]] = [
        ("inbox", inbox_job, "interval", {"seconds": settings.inbox_interval_seconds}),
        ("briefs", brief_job, "interval", {"minutes": settings.brief_interval_minutes}),
        ("reminders", reminders_job, "cron", {"hour": settings.reminder_hour}),
    ]
    for job_id, job, trigger, timing in jobs:
        scheduler.add_job(
            job,
            trigger,
            args=(settings, engine, holder),
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            **timing,
        )
    return scheduler
