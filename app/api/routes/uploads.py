"""Uploads: send a file (staged report with diff), publish, reject, roll back, list, one report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Response, UploadFile

from app.api.deps import ContextDep, Reader, RollbackUser, Uploader
from app.api.models import DiffOut, PublishIn, PublishOut, RollbackOut, StageOut, UploadDetail, UploadOut
from app.services import uploads as upload_service
from app.services.reading import ReadOptions

router = APIRouter(prefix="/uploads", tags=["uploads"])


@router.post("", response_model=StageOut, status_code=201)
def upload(file: Annotated[UploadFile, File()], user: Uploader, context: ContextDep) -> StageOut:
    """Upload a CSV, XLSX, XLSM or XLS: validated and staged, not published; the report lists problems."""
    staged = upload_service.stage_file(
        engine=context.engine,
        plan=context.plan,
        name=file.filename or "upload",
        stream=file.file,
        actor=user,
        max_bytes=context.settings.max_upload_bytes,
        declared_size=file.size,
        archive_dir=context.settings.upload_dir,
        read_options=ReadOptions.from_settings(context.settings),
    )
    return StageOut(
        status=staged.status,
        upload_id=staged.upload_id,
        file_name=staged.file_name,
        sha256=staged.sha256,
        rows=staged.rows,
        duplicate_of=staged.duplicate_of,
        errors=list(staged.errors),
        warnings=list(staged.warnings),
        diff=DiffOut(
            new=staged.diff.new,
            revised=staged.diff.revised,
            unchanged=staged.diff.unchanged,
            revisions=staged.diff.revisions,
        ),
    )


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
    result = upload_service.publish_upload(
        engine=context.engine,
        upload_id=upload_id,
        actor=user,
        confirm_warnings=body.confirm_warnings,
        reason=body.reason,
        seen_version=body.seen_version,
    )
    return PublishOut(upload_id=result.upload_id, published_values=result.published_values)


@router.post("/{upload_id}/reject", status_code=204)
def reject(upload_id: int, user: Uploader, context: ContextDep) -> Response:
    """Discard a staged upload."""
    upload_service.reject_upload(engine=context.engine, upload_id=upload_id, actor=user)
    return Response(status_code=204)


@router.post("/{upload_id}/rollback", response_model=RollbackOut)
def rollback(upload_id: int, user: RollbackUser, context: ContextDep) -> RollbackOut:
    """Roll back a published upload: the previous values return; nothing is deleted."""
    result = upload_service.rollback_upload(engine=context.engine, upload_id=upload_id, actor=user)
    return RollbackOut(upload_id=result.upload_id, restored_values=result.restored_values)
