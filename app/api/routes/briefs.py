"""Monitoring briefs: generate one for a scope and period, list them, download a file, reproduce one.

Who may export which scope is decided by `app.services.briefs.may_export` alone (a department its
own scope, a leader any); the service raises `BriefError`, which the error handler maps to HTTP.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse

from app.api.deps import ContextDep, Requires
from app.api.models import BriefIn, BriefOut
from app.api.periods import period_param
from app.auth.roles import Permission
from app.context import AppContext
from app.services import briefs as brief_service
from app.services.accounts import User
from app.services.brief_downloads import MEDIA_TYPES, content_disposition, file_url, media_type

router = APIRouter(prefix="/briefs", tags=["briefs"])
Exporter = Annotated[User, Depends(Requires(Permission.EXPORT_BRIEFS))]


def brief_out(record: brief_service.BriefRecord, context: AppContext) -> BriefOut:
    scope = brief_service.BriefScope.parse(record.scope, plan=context.plan)
    return BriefOut(
        id=record.id,
        title=record.title,
        scope=record.scope,
        scope_label=scope.label_zh(context.plan),
        period=record.period,
        format=record.format,
        sha256=record.sha256,
        data_version=record.data_version,
        published_on=record.published_on,
        created_by=record.created_by,
        created_at=record.created_at,
        reproduces=record.reproduces,
        download=file_url(record.id),
    )


@router.post("", response_model=BriefOut, status_code=201)
def generate(body: BriefIn, user: Exporter, context: ContextDep) -> BriefOut:
    """Generate a brief (Word, Excel or PDF) for a scope and period the caller may export."""
    record = brief_service.generate_brief(
        engine=context.engine,
        plan=context.plan,
        settings=context.settings,
        actor=user,
        scope=brief_service.BriefScope.parse(body.scope, plan=context.plan),
        period=period_param(body.period) if body.period is not None else None,
        fmt=brief_service.BriefFormat(body.format),
        published_on=body.published_on,
    )
    return brief_out(record, context)


@router.get("", response_model=list[BriefOut])
def list_briefs(
    user: Exporter, context: ContextDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[BriefOut]:
    """The briefs the caller may see, newest first (a department: its own scope only)."""
    records = brief_service.list_briefs(engine=context.engine, actor=user, limit=limit)
    return [brief_out(r, context) for r in records]


@router.get("/{brief_id}", response_model=BriefOut)
def get_brief(brief_id: int, user: Exporter, context: ContextDep) -> BriefOut:
    """One brief's record: scope, period, data version, sha256, who made it and when."""
    record, _ = brief_service.brief_file(engine=context.engine, actor=user, brief_id=brief_id)
    return brief_out(record, context)


@router.get(
    "/{brief_id}/file",
    response_class=FileResponse,
    responses={200: {"content": {kind: {} for kind in MEDIA_TYPES.values()}}},
)
def download(brief_id: int, user: Exporter, context: ContextDep) -> FileResponse:
    """The brief's file, under its Chinese title (RFC 5987 file name)."""
    record, path = brief_service.brief_file(engine=context.engine, actor=user, brief_id=brief_id)
    return FileResponse(
        path, media_type=media_type(record), headers={"Content-Disposition": content_disposition(record)}
    )


@router.post("/{brief_id}/reproduce", response_model=BriefOut, status_code=201)
def reproduce(brief_id: int, user: Exporter, context: ContextDep) -> BriefOut:
    """Generate the brief again on the data version it used: the same numbers after any revision."""
    record = brief_service.reproduce_brief(
        engine=context.engine, plan=context.plan, settings=context.settings, actor=user, brief_id=brief_id
    )
    return brief_out(record, context)
