"""Uploads: stage a file (trial run with a diff), publish it in one transaction, reject or roll back.

A file with errors writes nothing at all; a staged file waits for publication; warnings must be
confirmed; publishing and rolling back add observation rows and never delete any.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd
import sqlalchemy as sa

from app.auth import policy
from app.auth.roles import Permission
from app.config import DEFAULT_MAX_UPLOAD_MB
from app.errors import DomainError
from app.services import locks, reading
from app.services.accounts import User
from app.services.clock import BEIJING_OFFSET, utcnow
from app.store import audit as audit_store
from app.store import observations as obs_store
from app.store import uploads as upload_store
from app.store import writer
from etl.readers import ACCEPTED_SUFFIXES, unsupported_suffix
from etl.report import ErrorCode, RowIssue, Severity, ValidationReport
from indicators.model import Plan

log = logging.getLogger(__name__)
MAX_PERMISSION_ERRORS = 1000
MIB = 1 << 20
CHUNK_BYTES = MIB  # an upload is copied and hashed a MiB at a time
MAX_NAME_BYTES = 200  # longer names are kept for the record but not used for the temporary file
MAX_NAME_CHARS = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: How an upload's status reads in a message (the stored codes never reach a person).
STATUS_LABELS = {
    "staged": ("已暂存", "staged"),
    "published": ("已发布", "published"),
    "rejected": ("已放弃", "discarded"),
    "rolled_back": ("已回滚", "rolled back"),
}
MAX_LISTED_REVISIONS = 1000  # the counts stay exact; the report lists at most this many old/new pairs


class Phase(StrEnum):
    """The steps of an upload, reported through `on_phase` so a long file can show where it is."""

    READING = "reading"  # read the file, normalise and validate it against what is published
    STAGING = "staging"  # write the upload and its staged values (one transaction)
    PUBLISHING = "publishing"  # make the staged values current (one transaction)


PhaseCallback = Callable[[str], None]


#: The HTTP status each upload refusal means (any other code: 400).
UPLOAD_STATUS = {
    "not-found": 404,
    "wrong-status": 409,
    "conflict": 409,
    "warnings-not-confirmed": 409,
    "reason-required": 422,
    "period-locked": 409,
    "changed-since-staging": 409,
    "file-too-large": 413,
    "unsupported-file-type": 415,
}


class UploadError(DomainError):
    """A request about an upload that cannot be honoured; `code` is stable, messages are for people."""

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        status: int | None = None,
        *,
        detail: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            code, message_zh, message_en, UPLOAD_STATUS.get(code, 400) if status is None else status
        )
        self.detail = detail or {}  # data for the caller to show (e.g. the new diff of a stale upload)

    def problem_extra(self) -> dict[str, object]:
        return dict(self.detail)


@dataclass(frozen=True)
class DiffSummary:
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    revisions: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def fetch(cls, conn: sa.Connection, *, upload_id: int) -> DiffSummary:
        """The diff of a staged upload against what is published, counted in the database."""
        counts, revised = obs_store.fetch_diff_summary(conn, upload_id=upload_id, listed=MAX_LISTED_REVISIONS)
        return cls(
            new=counts["new"],
            revised=counts["revised"],
            unchanged=counts["unchanged"],
            revisions=revised.to_dict("records") if not revised.empty else [],
        )


@dataclass(frozen=True)
class StageResult:
    """What staging a file did: `rejected` (errors, nothing written), `staged`, or `duplicate`."""

    status: str
    file_name: str
    sha256: str
    rows: int
    report: ValidationReport
    upload_id: int | None = None
    diff: DiffSummary = DiffSummary()
    duplicate_of: int | None = None
    duplicate_status: str | None = None  # status of the upload it repeats: still `staged` can be published

    @property
    def errors(self) -> tuple[RowIssue, ...]:
        return self.report.errors

    @property
    def warnings(self) -> tuple[RowIssue, ...]:
        return self.report.warnings


def stage_file(
    *,
    engine: sa.Engine,
    plan: Plan,
    name: str,
    stream: BinaryIO,
    actor: User,
    max_bytes: int | None = None,
    declared_size: int | None = None,
    archive_dir: Path | None = None,
    now: dt.datetime | None = None,
    on_phase: PhaseCallback | None = None,
    read_options: reading.ReadOptions | None = None,
) -> StageResult:
    """Stage an uploaded file: the one door every edge (API, dashboard, CLI, inbox) goes through.

    In this order, so a refusal costs as little as possible: may the actor upload at all; is the
    type one we read (before the duplicate check: the same bytes as a .pdf are refused as a .pdf,
    not answered "duplicate"); does the declared size fit `max_bytes` (default
    `DEM_MAX_UPLOAD_MB`); then the stream is copied in chunks to a temporary file, hashed on the way
    (the one sha256 pass: a non-seekable stream is fine) and cut off as soon as it passes the limit.
    A department's values outside the indicators it reports are errors like any other (nothing is
    written). The copy is read in a capped worker process with `read_options` (app.services.reading;
    from the settings), and periods that have not begun by `now` (Beijing date) are implausible.
    Refusals raise `UploadError` (413, 415) or `Refused` (403).
    """
    policy.require(actor, Permission.UPLOAD)
    file_name = display_name(name)
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        refusal = unsupported_suffix(suffix)
        raise UploadError(str(refusal.code), refusal.message_zh, refusal.message_en)
    limit = max_upload_bytes(max_bytes)
    if declared_size is not None and declared_size > limit:
        raise too_large(file_name, limit)
    _announce(on_phase, Phase.READING)
    reading.start_worker_server(read_options)  # its imports overlap with the copy and the fetch
    with tempfile.TemporaryDirectory(prefix="dem-upload-") as folder:
        path = Path(folder) / (file_name if _safe_name(file_name) else f"upload{suffix}")
        sha256 = _copy_within(stream, path, limit=limit, name=file_name)
        return _stage_copy(
            engine=engine,
            plan=plan,
            path=path,
            file_name=file_name,
            sha256=sha256,
            actor=actor,
            archive_dir=archive_dir,
            now=now or utcnow(),
            on_phase=on_phase,
            read_options=read_options,
        )


def stage_upload(
    *,
    engine: sa.Engine,
    plan: Plan,
    path: Path,
    actor: User,
    max_bytes: int | None = None,
    archive_dir: Path | None = None,
    now: dt.datetime | None = None,
    on_phase: PhaseCallback | None = None,
    read_options: reading.ReadOptions | None = None,
) -> StageResult:
    """Stage a file on disk (the CLI, the inbox, the samples): through `stage_file`, like any upload."""
    with Path(path).open("rb") as stream:
        return stage_file(
            engine=engine,
            plan=plan,
            name=Path(path).name,
            stream=stream,
            actor=actor,
            max_bytes=max_bytes,
            declared_size=Path(path).stat().st_size,
            archive_dir=archive_dir,
            now=now,
            on_phase=on_phase,
            read_options=read_options,
        )


def display_name(name: str) -> str:
    """The name an upload is recorded under: no folders (either slash), no control characters
    (PostgreSQL refuses NUL in text), at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _CONTROL.sub("", base)[-MAX_NAME_CHARS:] or "upload"


def max_upload_bytes(max_bytes: int | None = None) -> int:
    """The upload limit in bytes: the one given (from `Settings.max_upload_bytes`), else the default."""
    return DEFAULT_MAX_UPLOAD_MB * MIB if max_bytes is None else max_bytes


def too_large(name: str | None, limit: int) -> UploadError:
    """The refusal of a file over the limit, worded the same wherever it arrives (HTTP 413)."""
    mb = limit / MIB
    shown = f"{mb:g}" if mb >= 1 else f"{mb:.2g}"
    what_zh, what_en = (f"“{name}”", name) if name else ("文件", "the file")
    return UploadError(
        "file-too-large",
        f"未上传{what_zh}：文件超过 {shown} MB，请拆分后上传",
        f"{what_en} was not uploaded: it is larger than {shown} MB; split it",
    )


def _safe_name(name: str) -> bool:
    """A name that can be a file in the temporary folder as it is (it shows in the report)."""
    return name not in {".", ".."} and len(name.encode()) <= MAX_NAME_BYTES


def _copy_within(stream: BinaryIO, path: Path, *, limit: int, name: str) -> str:
    """Copy the stream to `path` in chunks, hashing as it goes; stop as soon as it passes `limit`."""
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise too_large(name, limit)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _stage_copy(
    *,
    engine: sa.Engine,
    plan: Plan,
    path: Path,
    file_name: str,
    sha256: str,
    actor: User,
    archive_dir: Path | None,
    now: dt.datetime,
    on_phase: PhaseCallback | None,
    read_options: reading.ReadOptions | None,
) -> StageResult:
    """Read and validate the copied file; stage its values with a diff, or report why it cannot be."""
    with engine.connect() as conn:
        earlier = upload_store.fetch_live_upload_by_sha(conn, sha256=sha256)
        if earlier is not None:
            # the same bytes again: answer with the report made the first time, without re-reading
            return _duplicate(file_name, earlier)
        published = obs_store.fetch_current_values(conn)
    result = reading.read_upload(
        path,
        plan=plan,
        published=published[["indicator", "region", "period", "value"]],
        today=(now + BEIJING_OFFSET).date(),
        sha256=sha256,
        options=read_options,
    )
    report = result.report
    allowed = policy.upload_scope(plan=plan, actor=actor)
    if allowed is not None:
        report = _with_permission_errors(report, result.values, allowed, plan)
    if report.errors:
        return StageResult("rejected", file_name, sha256, result.rows_read, report)
    _announce(on_phase, Phase.STAGING)
    with engine.begin() as conn:
        existing = upload_store.fetch_live_upload_by_sha(conn, sha256=sha256)
        if existing is not None:  # staged by someone else while this file was being read
            return _duplicate(file_name, existing)
        # read before the diff: a publication committed in between can only make publishing re-check
        basis_version = obs_store.fetch_data_version(conn) or 0
        upload_id = upload_store.insert_upload(
            conn,
            file_name=file_name,
            sha256=sha256,
            size_bytes=path.stat().st_size,
            uploaded_by=actor.username,
            uploaded_at=now,
            rows=len(result.values),
            n_errors=0,
            n_warnings=int(report.stats["warnings"]),
            report=report.to_dict(),
            basis_version=basis_version,
        )
        upload_store.insert_staged_values(conn, upload_id=upload_id, values=result.values)
        diff = DiffSummary.fetch(conn, upload_id=upload_id)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="upload.stage",
            object_type="upload",
            object_id=str(upload_id),
            after={"file": file_name, "rows": len(result.values), "new": diff.new, "revised": diff.revised},
        )
    if archive_dir is not None:
        archive_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, archive_dir / f"{sha256}{path.suffix.lower()}")
    return StageResult("staged", file_name, sha256, len(result.values), report, upload_id, diff)


def file_sha256(path: Path) -> str:
    """The identity of a file: the same bytes are the same file, whatever its name (briefs use it)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def _duplicate(file_name: str, existing: dict[str, Any]) -> StageResult:
    return StageResult(
        "duplicate",
        file_name,
        existing["sha256"],
        int(existing["rows"]),
        ValidationReport.from_dict(existing["report"] or {}),
        upload_id=existing["id"],
        duplicate_of=existing["id"],
        duplicate_status=existing["status"],
    )


def _with_permission_errors(
    report: ValidationReport, values: pd.DataFrame, allowed: set[str], plan: Plan
) -> ValidationReport:
    """Values of indicators another department reports are errors, named as people know them."""
    outside = values[~values["indicator"].isin(allowed)]
    if outside.empty:
        return report

    def error(row: Any) -> RowIssue:
        indicator = plan.indicator(row.indicator)
        owner = plan.department(indicator.department)
        where_zh = f"工作表“{row.sheet}”第{row.row}行" if row.sheet else f"第{row.row}行"
        return RowIssue(
            sheet=row.sheet,
            row=int(row.row),
            column=None,
            code=ErrorCode.INDICATOR_NOT_PERMITTED,
            severity=Severity.ERROR,
            message_zh=f"{where_zh}：指标“{indicator.name}”由{owner.short_name or owner.name}报送，"
            "本部门无权上报",
            message_en=f"row {row.row}: {indicator.name_en or indicator.name} is reported by "
            f"{owner.name_en or owner.name}; your department may not upload it",
            value=indicator.name,
        )

    errors = tuple(error(row) for row in outside.head(MAX_PERMISSION_ERRORS).itertuples())
    return report.with_errors(errors, total=len(outside))


@dataclass(frozen=True)
class PublishResult:
    upload_id: int
    published_values: int


def publish_upload(
    *,
    engine: sa.Engine,
    upload_id: int,
    actor: User,
    confirm_warnings: bool = False,
    reason: str | None = None,
    now: dt.datetime | None = None,
    on_phase: PhaseCallback | None = None,
    seen_version: int | None = None,
) -> PublishResult:
    """Publish a staged upload in one transaction: new and revised values become current.

    The diff shown at staging must still hold: if a value the upload would write was published,
    revised or rolled back since (by anyone), publishing is refused with the new diff
    (`changed-since-staging`, the changes and the `data_version` in `UploadError.detail`) until the
    publisher confirms again by passing that `seen_version`. A publication that revises published
    values needs a `reason`, and one that revises a locked period needs the documented override
    (`app.services.locks`), judged by the actor's role. A department publishes only its own uploads
    (`policy.require_act_on_upload`). Publications run one at a time per database
    (`app.store.writer`). A refusal changes nothing.
    """
    policy.require(actor, Permission.UPLOAD)
    reason = (reason or "").strip() or None
    _announce(on_phase, Phase.PUBLISHING)
    given = now

    def publish(conn: sa.Connection) -> PublishResult:
        # the time is taken once the writer lock is held: publication times follow commit order,
        # so the history's newest row per key is always the current value
        now = given or utcnow()
        upload = _require(conn, upload_id, "staged")
        policy.require_act_on_upload(actor=actor, upload=upload)
        _refuse_if_changed(conn, upload, seen_version)
        if upload["n_warnings"] and not confirm_warnings:
            raise UploadError(
                "warnings-not-confirmed",
                f"上报 #{upload_id} 有 {upload['n_warnings']} 条警告，请确认后再发布",
                f"upload #{upload_id} has {upload['n_warnings']} warnings; confirm them to publish",
            )
        try:
            revised = locks.check_revisions(conn, upload_id=upload_id, reason=reason, role=actor.role)
        except locks.LockError as exc:
            raise UploadError(exc.code, exc.message_zh, exc.message_en) from None
        count = obs_store.insert_published(conn, upload_id=upload_id, now=now)
        if not upload_store.update_status(
            conn,
            upload_id=upload_id,
            status="published",
            expected="staged",
            published_at=now,
            published_by=actor.username,
            reason=reason,
        ):
            raise _conflict(upload_id)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="upload.publish",
            object_type="upload",
            object_id=str(upload_id),
            before={"status": "staged"},
            after={
                "status": "published",
                "values": count,
                "revised": sum(revised.values()),
                "reason": reason,
            },
        )
        return PublishResult(upload_id, count)

    return _one_writer(engine, upload_id, publish)


#: A write conflict that the writer lock cannot prevent (another kind of writer) is retried this often.
WRITE_ATTEMPTS = 3


def _one_writer(engine: sa.Engine, upload_id: int, work: Callable[[sa.Connection], Any]) -> Any:
    """Run `work` in a serialised transaction; a write conflict is retried, then answered as one."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with writer.serialised(engine) as conn:
                return work(conn)
        except sa.exc.DBAPIError as exc:
            if not writer.is_write_conflict(exc):
                raise
            log.info("write conflict on upload #%s (attempt %s)", upload_id, attempt + 1, exc_info=True)
    raise UploadError(
        "conflict",
        f"上报 #{upload_id} 与同时进行的其他操作冲突，未做任何更改，请稍后重试",
        f"upload #{upload_id} conflicted with a concurrent change; nothing was changed, try again",
    )


def _refuse_if_changed(conn: sa.Connection, upload: dict[str, Any], seen_version: int | None) -> None:
    """Refuse a stale upload: what it would overwrite changed since its diff was shown."""
    basis = seen_version if seen_version is not None else upload["basis_version"]
    if basis is None:  # staged before basis versions were recorded: nothing to compare with
        return
    version = obs_store.fetch_data_version(conn) or 0
    if version == basis:
        return
    changes = obs_store.fetch_changed_since(conn, upload_id=upload["id"], version=basis)
    if changes.empty:
        return
    diff = DiffSummary.fetch(conn, upload_id=upload["id"])
    listed = changes.head(MAX_LISTED_REVISIONS).astype(object)
    listed = listed.where(listed.notna(), None)
    raise UploadError(
        "changed-since-staging",
        f"上报 #{upload['id']} 暂存后，其中 {len(changes)} 个数值已被其他发布或回滚更改；"
        f"请查看新的差异（新增 {diff.new}、修订 {diff.revised}、未变 {diff.unchanged}）后再次确认发布",
        f"since upload #{upload['id']} was staged, {len(changes)} of its values were changed by another "
        f"publication or rollback; review the new diff (new {diff.new}, revised {diff.revised}, "
        f"unchanged {diff.unchanged}) and confirm again",
        detail={
            "data_version": version,
            "changed": len(changes),
            "changes": listed.to_dict("records"),
            "diff": {
                "new": diff.new,
                "revised": diff.revised,
                "unchanged": diff.unchanged,
                "revisions": diff.revisions,
            },
        },
    )


def reject_upload(*, engine: sa.Engine, upload_id: int, actor: User, now: dt.datetime | None = None) -> None:
    """Discard a staged upload; its staged rows stay for the record, nothing is published."""
    now = now or utcnow()
    policy.require(actor, Permission.UPLOAD)

    def reject(conn: sa.Connection) -> None:
        upload = _require(conn, upload_id, "staged")
        policy.require_act_on_upload(actor=actor, upload=upload)
        if not upload_store.update_status(conn, upload_id=upload_id, status="rejected", expected="staged"):
            raise _conflict(upload_id)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="upload.reject",
            object_type="upload",
            object_id=str(upload_id),
            before={"status": "staged"},
            after={"status": "rejected"},
        )

    _one_writer(engine, upload_id, reject)


@dataclass(frozen=True)
class RollbackResult:
    upload_id: int
    restored_values: int


def rollback_upload(
    *, engine: sa.Engine, upload_id: int, actor: User, now: dt.datetime | None = None
) -> RollbackResult:
    """Undo a publication: the previous values return, and the history keeps both (bureau, admin)."""
    policy.require(actor, Permission.ROLLBACK)
    given = now

    def rollback(conn: sa.Connection) -> RollbackResult:
        now = given or utcnow()  # under the writer lock, as for publishing
        _require(conn, upload_id, "published")
        try:
            locks.check_rollback(conn, upload_id=upload_id)
        except locks.LockError as exc:
            raise UploadError(exc.code, exc.message_zh, exc.message_en) from None
        count = obs_store.insert_rollback(conn, upload_id=upload_id, now=now)
        if not upload_store.update_status(
            conn,
            upload_id=upload_id,
            status="rolled_back",
            expected="published",
            rolled_back_at=now,
            rolled_back_by=actor.username,
        ):
            raise _conflict(upload_id)
        audit_store.insert_audit(
            conn,
            at=now,
            username=actor.username,
            action="upload.rollback",
            object_type="upload",
            object_id=str(upload_id),
            before={"status": "published"},
            after={"status": "rolled_back", "values": count},
        )
        return RollbackResult(upload_id, count)

    return _one_writer(engine, upload_id, rollback)


def list_uploads(*, engine: sa.Engine, limit: int = 100) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return upload_store.fetch_uploads(conn, limit=limit)


def get_upload(*, engine: sa.Engine, upload_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        upload = upload_store.fetch_upload(conn, upload_id=upload_id)
    if upload is None:
        raise _missing(upload_id)
    return upload


def _announce(on_phase: PhaseCallback | None, phase: Phase) -> None:
    if on_phase is not None:
        on_phase(phase)


def _require(conn: sa.Connection, upload_id: int, status: str) -> dict[str, Any]:
    upload = upload_store.fetch_upload(conn, upload_id=upload_id)
    if upload is None:
        raise _missing(upload_id)
    if upload["status"] != status:
        now_zh, now_en = STATUS_LABELS.get(upload["status"], (upload["status"], upload["status"]))
        want_zh, want_en = STATUS_LABELS.get(status, (status, status))
        raise UploadError(
            "wrong-status",
            f"上报 #{upload_id} {now_zh}，不是{want_zh}状态，无法执行此操作",
            f"upload #{upload_id} is {now_en}, not {want_en}",
        )
    return upload


def _missing(upload_id: int) -> UploadError:
    return UploadError("not-found", f"没有编号为 {upload_id} 的上报", f"no upload with id {upload_id}")


def _conflict(upload_id: int) -> UploadError:
    return UploadError(
        "conflict",
        f"上报 #{upload_id} 已被其他操作更改",
        f"upload #{upload_id} was changed by another request",
    )
