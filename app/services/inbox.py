"""The inbox: files dropped in a folder are staged (and published when clean), then filed away.

Each file ends in `processed/` or `rejected/` with its report beside it as `<name>.report.json`, so
whoever dropped it can see what happened without the dashboard.

A file is only taken once it has stopped changing for `settle_seconds` (a large workbook copied
over a network share arrives over many seconds; reading it half-written would stage half of it),
judged by its inode change time, which a copy cannot back-date as it can the modification time.
Excel's lock files (`~$name.xlsx`) and hidden files are never uploads.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.services import uploads as upload_service
from app.services.clock import utcnow
from etl.readers import ACCEPTED_SUFFIXES
from indicators.catalog import Plan

IGNORED_PREFIXES = ("~$", ".")  # Excel's owner file of an open workbook; hidden and partial files
PROCESSED = "processed"
REJECTED = "rejected"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxOutcome:
    file_name: str
    status: str  # published | staged | duplicate | rejected
    upload_id: int | None
    moved_to: Path


def pending_files(inbox_dir: Path, *, settle_seconds: float = 0.0) -> list[Path]:
    """Files waiting in the inbox, in name order (names usually start with the period).

    Files changed less than `settle_seconds` ago are left for the next run: they may still be arriving.
    """
    if not inbox_dir.is_dir():
        return []
    settled_before = time.time() - settle_seconds
    return sorted(
        p
        for p in inbox_dir.iterdir()
        if p.is_file()
        and p.suffix.lower() in ACCEPTED_SUFFIXES
        and not p.name.startswith(IGNORED_PREFIXES)
        and _last_change(p) <= settled_before
    )


def _last_change(path: Path) -> float:
    stat = path.stat()
    return max(stat.st_mtime, stat.st_ctime)


def process_inbox(
    *,
    engine: sa.Engine,
    plan: Plan,
    inbox_dir: Path,
    archive_dir: Path | None = None,
    publish_clean: bool = False,
    user: str = "inbox",
    now: dt.datetime | None = None,
    settle_seconds: float = 0.0,
    before_each: Callable[[], bool] | None = None,
) -> list[InboxOutcome]:
    """Stage every waiting file; publish those without errors or warnings when asked to.

    A file whose processing fails (the database is unreachable, say) stays in the inbox for the next
    run and does not hold up the files after it.
    """
    outcomes = []
    for path in pending_files(inbox_dir, settle_seconds=settle_seconds):
        if before_each is not None and not before_each():
            log.warning("inbox: lease lost, stopping before %s", path.name)
            break
        try:
            outcome = _process_one(engine, plan, path, archive_dir, publish_clean, user, now or utcnow())
        except Exception:  # logged and retried next run; one bad moment must not stop the others
            log.exception("inbox: %s left for the next run", path.name)
            continue
        outcomes.append(outcome)
    return outcomes


def _process_one(
    engine: sa.Engine,
    plan: Plan,
    path: Path,
    archive_dir: Path | None,
    publish_clean: bool,
    user: str,
    now: dt.datetime,
) -> InboxOutcome:
    staged = upload_service.stage_upload(
        engine=engine, plan=plan, path=path, user=user, archive_dir=archive_dir, now=now
    )
    status = staged.status
    message: dict[str, str] | None = None
    # a file staged earlier but not published (an interrupted run) is published like a new one
    publishable = status == "staged" or staged.duplicate_status == "staged"
    if publishable and (staged.diff.revised or any(w["code"] == "revision" for w in staged.warnings)):
        # a revision needs a reason, which a dropped file cannot give: it waits, staged, for a person
        message = {
            "message_zh": f"本文件修订已发布数据，已暂存为上报 #{staged.upload_id}，"
            "请在数据上报页面填写发布说明（修订原因）后发布",
            "message_en": f"the file revises published values: staged as upload #{staged.upload_id}; "
            "publish it on the uploads page with a reason",
        }
    elif publishable and publish_clean and not staged.warnings:
        try:
            upload_service.publish_upload(engine=engine, upload_id=staged.upload_id or 0, user=user, now=now)
            status = "published"
        except upload_service.UploadError as exc:  # e.g. changed since staging: a person decides
            message = {"message_zh": exc.message_zh, "message_en": exc.message_en}
    folder = path.parent / (REJECTED if status == "rejected" else PROCESSED)
    folder.mkdir(exist_ok=True)
    target = _free_name(folder / path.name)
    report = {
        "file": path.name,
        "status": status,
        "upload_id": staged.upload_id,
        "duplicate_of": staged.duplicate_of,
        "rows": staged.rows,
        "errors": staged.errors,
        "warnings": staged.warnings,
        "diff": {"new": staged.diff.new, "revised": staged.diff.revised, "unchanged": staged.diff.unchanged},
        **(message or {}),
    }
    shutil.move(path, target)
    target.with_name(target.name + ".report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return InboxOutcome(path.name, status, staged.upload_id, target)


def _free_name(path: Path) -> Path:
    """The same name dropped twice must not overwrite the first file's record."""
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
        n += 1
    return candidate
