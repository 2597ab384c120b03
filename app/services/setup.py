"""Create or upgrade a database and load the plan into it; running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.services.clock import utcnow
from app.store import catalog as catalog_store
from app.store import migrate
from indicators.plan import load_plan


@dataclass(frozen=True)
class InitSummary:
    revision_before: str | None
    revision_after: str | None
    plan_code: str
    plan_changed: bool
    counts: dict[str, int]


def plan_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def init_database(*, engine: sa.Engine, plan_path: Path, now: dt.datetime | None = None) -> InitSummary:
    """Migrate to the newest schema, then (re)load the plan only if its file changed."""
    plan = load_plan(plan_path)
    before = migrate.current_revision(engine)
    migrate.upgrade(engine)
    sha = plan_sha256(plan_path)
    with engine.begin() as conn:
        changed = catalog_store.fetch_plan_sha(conn, plan_code=plan.code) != sha
        if changed:
            catalog_store.replace_plan(conn, plan=plan, content_sha256=sha, now=now or utcnow())
        counts = catalog_store.count_rows(conn, plan_code=plan.code)
    return InitSummary(before, migrate.current_revision(engine), plan.code, changed, counts)
