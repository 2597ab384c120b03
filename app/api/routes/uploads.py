"""Uploads: send a file (staged report with diff), publish, reject, roll back, list, one report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile

from app.api.deps import ContextDep, Reader, RollbackUser, Uploader
from app.api.errors import ApiError
from app.api.models import (
    DiffOut,
    Issue,
    PublishIn,
    PublishOut,
    RollbackOut,
    StageOut,
    UploadDetail,
    UploadOut,
)
from app.services import uploads as upload_service
from etl.readers import ACCEPTED_SUFFIXES, unsupported_suffix

router = APIRouter(prefix="/uploads", tags=["uploads"])
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _issues(items: list[dict[str, Any]]) -> list[Issue]:
    return [Issue(**item) for item in items]


@router.post("", response_model=StageOut, status_code=201)
def upload(file: Annotated[UploadFile, File()], user: Uploader, context: ContextDep) -> StageOut:
    """Upload a CSV, XLSX, XLSM or XLS: validated and staged, not published; the report lists problems."""
    name = Path(file.filename or "upload").name
    if Path(name).suffix.lower() not in ACCEPTED_SUFFIXES:
        refusal = unsupported_suffix(Path(name).suffix.lower())
        raise ApiError(415, str(refusal.code), refusal.message_zh, refusal.message_en)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise ApiError(413, "file-too-large", "文件过大", "file too large")
        allowed = upload_service.upload_scope(plan=context.plan, user=user)
        staged = upload_service.stage_upload(
            engine=context.engine,
            plan=context.plan,
            path=path,
            user=user.username,
            archive_dir=context.settings.upload_dir,
            allowed_indicators=allowed,
        )
    return StageOut(
        status=staged.status,
        upload_id=staged.upload_id,
        file_name=staged.file_name,
        sha256=staged.sha256,
        rows=staged.rows,
        duplicate_of=staged.duplicate_of,
        errors=_issues(staged.errors),
        warnings=_issues(staged.warnings),
        diff=DiffOut(
            new=staged.diff.new,
            revised=staged.diff.revised,
            unchanged=staged.diff.unchanged,
            revisions=staged.diff.revisions,
        ),
    )


def _require_scope(upload_id: int, user: Any, context: ContextDep) -> dict[str, Any]:
    upload = upload_service.get_upload(engine=context.engine, upload_id=upload_id)
    if str(user.role) == "department" and upload["uploaded_by"] != user.username:
        raise ApiError(
            403, "forbidden", "只能处理本人上报的文件", "departments act on their own uploads only"
        )
    return upload


@router.get("", response_model=list[UploadOut])
def list_uploads(
    user: Reader, context: ContextDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[UploadOut]:
    """Uploads, newest first."""
    return [UploadOut(**u) for u in upload_service.list_uploads(engine=context.engine, limit=limit)]


@router.get("/{upload_id}", response_model=UploadDetail)
def get_upload(upload_id: int, user: Reader, context: ContextDep) -> UploadDetail:
    """One upload with its full validation report."""
    return UploadDetail(**upload_service.get_upload(engine=context.engine, upload_id=upload_id))


@router.post("/{upload_id}/publish", response_model=PublishOut)
def publish(upload_id: int, body: PublishIn, user: Uploader, context: ContextDep) -> PublishOut:
    """Publish a staged upload in one transaction; warnings must be confirmed.

    If what the upload would overwrite changed since it was staged, the answer is 409
    `changed-since-staging` with the new diff and a `data_version`: send it back as `seen_version`.
    """
    _require_scope(upload_id, user, context)
    result = upload_service.publish_upload(
        engine=context.engine,
        upload_id=upload_id,
        user=user.username,
        confirm_warnings=body.confirm_warnings,
        reason=body.reason,
        role=user.role,
        seen_version=body.seen_version,
    )
    return PublishOut(upload_id=result.upload_id, published_values=result.published_values)


@router.post("/{upload_id}/reject", status_code=204)
def reject(upload_id: int, user: Uploader, context: ContextDep) -> Response:
    """Discard a staged upload."""
    _require_scope(upload_id, user, context)
    upload_service.reject_upload(engine=context.engine, upload_id=upload_id, user=user.username)
    return Response(status_code=204)


@router.post("/{upload_id}/rollback", response_model=RollbackOut)
def rollback(upload_id: int, user: RollbackUser, context: ContextDep) -> RollbackOut:
    """Roll back a published upload: the previous values return; nothing is deleted."""
    result = upload_service.rollback_upload(engine=context.engine, upload_id=upload_id, user=user.username)
    return RollbackOut(upload_id=result.upload_id, restored_values=result.restored_values)
