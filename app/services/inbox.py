"""The inbox: files dropped in a folder are staged (and published when clean), then filed away.

Each file ends in `processed/`, `rejected/` or `quarantine/` with its report beside it as
`<name>.report.json`, so whoever dropped it can see what happened without the dashboard.

A file is moved into `processing/` while it is worked on. If the run dies there (the service
crashed or was killed on it), the next run finds it still in `processing/` and quarantines it
instead of trying it again: a file that killed the service once is never retried blindly, so it
cannot become a crash loop. A file whose processing raises an error of our own (not of the
database or the disk) is quarantined too. A database outage or a disk problem is the moment's
fault, not the file's: that file goes back to the inbox for the next run. An operator who has
looked at a quarantined file moves it back into the inbox to try it again.

A file is only taken once it has stopped changing for `settle_seconds` (a large workbook copied
over a network share arrives over many seconds; reading it half-written would stage half of it),
judged by its inode change time, which a copy cannot back-date as it can the modification time.
Excel's lock files (`~$name.xlsx`) and hidden files are never uploads.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import uploads as upload_service
from app.services.accounts import User
from app.services.clock import utcnow
from app.services.reading import ReadOptions
from etl.readers import ACCEPTED_SUFFIXES
from indicators.model import Plan

IGNORED_PREFIXES = ("~$", ".")  # Excel's owner file of an open workbook; hidden and partial files
PROCESSED = "processed"
REJECTED = "rejected"
PROCESSING = "processing"
QUARANTINE = "quarantine"
#: Failures of the moment, after which the same file is tried again at the next run.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
    OSError,
)
INBOX = system_actor("inbox")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboxOutcome:
    file_name: str
    status: str  # published | staged | duplicate | rejected | quarantined
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
    actor: User = INBOX,
    max_bytes: int | None = None,
    now: dt.datetime | None = None,
    settle_seconds: float = 0.0,
    before_each: Callable[[], bool] | None = None,
    read_options: ReadOptions | None = None,
) -> list[InboxOutcome]:
    """Stage every waiting file; publish those without errors or warnings when asked to.

    Files a previous run died on are quarantined first. A file whose processing fails for the
    moment (the database is unreachable, say) goes back to the inbox for the next run; one that
    fails in our own code is quarantined; neither holds up the files after it. A file the upload
    door refuses (too large for `max_bytes`, say) is filed under `rejected/` with the refusal as its
    report.
    """
    outcomes = _quarantine_leftovers(inbox_dir, now or utcnow())
    for path in pending_files(inbox_dir, settle_seconds=settle_seconds):
        if before_each is not None and not before_each():
            log.warning("inbox: lease lost, stopping before %s", path.name)
            break
        working = _claim(path)
        try:
            outcome = _process_one(
                engine,
                plan,
                working,
                inbox_dir,
                archive_dir,
                publish_clean,
                actor,
                max_bytes,
                now or utcnow(),
                read_options,
            )
        except TRANSIENT_ERRORS:  # logged and retried next run; one bad moment must not stop the others
            log.exception("inbox: %s left for the next run", path.name)
            shutil.move(working, _free_name(path))
            continue
        except Exception as exc:  # the file made our code fail: never again without a person
            log.exception("inbox: %s quarantined", path.name)
            outcome = _quarantine(working, inbox_dir, _failed_report(path.name, exc))
        outcomes.append(outcome)
    with contextlib.suppress(OSError):  # only when empty: what a dead run left there stays
        (inbox_dir / PROCESSING).rmdir()
    return outcomes


def _claim(path: Path) -> Path:
    """Move a file into processing/ (a rename: atomic) for as long as it is worked on."""
    folder = path.parent / PROCESSING
    folder.mkdir(exist_ok=True)
    target = _free_name(folder / path.name)
    path.rename(target)
    return target


def _quarantine_leftovers(inbox_dir: Path, now: dt.datetime) -> list[InboxOutcome]:
    """Files left in processing/ by a run that died on them are quarantined, not retried."""
    folder = inbox_dir / PROCESSING
    if not folder.is_dir():
        return []
    outcomes = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        log.error("inbox: %s was being processed when a run died: quarantined", path.name)
        report = {
            "file": path.name,
            "status": "quarantined",
            "code": "interrupted",
            "message_zh": "上次处理该文件时服务中断（可能正是该文件导致），为免反复崩溃已隔离，不再自动重试。"
            "请检查文件；确认无误后可将其移回收件箱重新处理",
            "message_en": "the service stopped while processing this file (perhaps because of it); it is "
            "quarantined and will not be retried automatically. Check it, then move it back into the inbox",
            "quarantined_at": now.isoformat(),
        }
        outcomes.append(_quarantine(path, inbox_dir, report))
    return outcomes


def _failed_report(name: str, exc: Exception) -> dict[str, object]:
    return {
        "file": name,
        "status": "quarantined",
        "code": "processing-failed",
        "message_zh": f"处理该文件时出错（{type(exc).__name__}），已隔离，不再自动重试。"
        "请检查文件；确认无误后可将其移回收件箱重新处理",
        "message_en": f"processing the file failed ({type(exc).__name__}: {exc}); it is quarantined and "
        "will not be retried automatically. Check it, then move it back into the inbox",
    }


def _quarantine(path: Path, inbox_dir: Path, report: Mapping[str, object]) -> InboxOutcome:
    return _file_away(path, inbox_dir / QUARANTINE, report, "quarantined", None)


def _write_report(target: Path, report: Mapping[str, object]) -> None:
    target.with_name(target.name + ".report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )


def _process_one(
    engine: sa.Engine,
    plan: Plan,
    path: Path,
    inbox_dir: Path,
    archive_dir: Path | None,
    publish_clean: bool,
    actor: User,
    max_bytes: int | None,
    now: dt.datetime,
    read_options: ReadOptions | None,
) -> InboxOutcome:
    try:
        staged = upload_service.stage_upload(
            engine=engine,
            plan=plan,
            path=path,
            actor=actor,
            max_bytes=max_bytes,
            archive_dir=archive_dir,
            now=now,
            read_options=read_options,
        )
    except upload_service.UploadError as exc:  # refused at the door: no report to keep but the refusal
        refusal = {
            "file": path.name,
            "status": "rejected",
            "code": exc.code,
            "message_zh": exc.message_zh,
            "message_en": exc.message_en,
        }
        return _file_away(path, inbox_dir / REJECTED, refusal, "rejected", None)
    status = staged.status
    message: dict[str, str] | None = None
    # a file staged earlier but not published (an interrupted run) is published like a new one
    publishable = status == "staged" or staged.duplicate_status == "staged"
    if publishable and (staged.diff.revised or any(w.code == "revision" for w in staged.warnings)):
        # a revision needs a reason, which a dropped file cannot give: it waits, staged, for a person
        message = {
            "message_zh": f"本文件修订已发布数据，已暂存为上报 #{staged.upload_id}，"
            "请在数据上报页面填写发布说明（修订原因）后发布",
            "message_en": f"the file revises published values: staged as upload #{staged.upload_id}; "
            "publish it on the uploads page with a reason",
        }
    elif publishable and publish_clean and not staged.warnings:
        try:
            upload_service.publish_upload(
                engine=engine, upload_id=staged.upload_id or 0, actor=actor, now=now
            )
            status = "published"
        except upload_service.UploadError as exc:  # e.g. changed since staging: a person decides
            message = {"message_zh": exc.message_zh, "message_en": exc.message_en}
    report = {
        "file": path.name,
        "status": status,
        "upload_id": staged.upload_id,
        "duplicate_of": staged.duplicate_of,
        "rows": staged.rows,
        "errors": [i.to_dict() for i in staged.errors],
        "warnings": [i.to_dict() for i in staged.warnings],
        "diff": {"new": staged.diff.new, "revised": staged.diff.revised, "unchanged": staged.diff.unchanged},
        **(message or {}),
    }
    folder = inbox_dir / (REJECTED if status == "rejected" else PROCESSED)
    return _file_away(path, folder, report, status, staged.upload_id)


def _file_away(
    path: Path, folder: Path, report: Mapping[str, object], status: str, upload_id: int | None
) -> InboxOutcome:
    """Move the file into `folder` with its report beside it."""
    folder.mkdir(exist_ok=True)
    target = _free_name(folder / path.name)
    shutil.move(path, target)
    _write_report(target, report)
    return InboxOutcome(path.name, status, upload_id, target)


def _free_name(path: Path) -> Path:
    """The same name dropped twice must not overwrite the first file's record."""
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.{n}{path.suffix}")
        n += 1
    return candidate
