"""Period locks (bureau, admin) and 催报 reminders (a department sees its own) with their 催报单."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from app.api.deps import ContextDep, Locker, Reader
from app.api.errors import ApiError
from app.services import locks as lock_service
from app.services import reminder_files
from app.services import reminders as reminder_service

router = APIRouter(tags=["cycle"])
DOCX_MIME = reminder_service.DOCX_MIME
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class LockIn(BaseModel):
    period: str
    note: str | None = None


@router.get("/locks")
def list_locks(user: Reader, context: ContextDep) -> list[dict[str, Any]]:
    """Locked periods, newest first."""
    return lock_service.list_locks(engine=context.engine)


@router.post("/locks", status_code=201)
def lock(body: LockIn, user: Locker, context: ContextDep) -> dict[str, str]:
    """Lock a published period: a revision then needs an unlock, or the bureau and a 年报修订 reason."""
    period = lock_service.lock_period(engine=context.engine, period=body.period, actor=user, note=body.note)
    return {"period": period, "status": "locked"}


@router.delete("/locks/{period}", status_code=204)
def unlock(period: str, user: Locker, context: ContextDep) -> Response:
    """Unlock a period so that it can be revised again (audited)."""
    lock_service.unlock_period(engine=context.engine, period=period, actor=user)
    return Response(status_code=204)


@router.get("/reminders")
def list_reminders(
    user: Reader, context: ContextDep, department: Annotated[str | None, Query()] = None
) -> list[dict[str, Any]]:
    """催报 reminders, newest first; a department sees only its own."""
    return reminder_service.reminders_for(engine=context.engine, actor=user, department=department)


@router.get("/reminders/{reminder_id}/notice.{fmt}")
def notice(reminder_id: int, fmt: str, user: Reader, context: ContextDep) -> Response:
    """The 催报单 of one reminder as Word (docx) or Excel (xlsx)."""
    reminder = reminder_service.reminder_for(engine=context.engine, actor=user, reminder_id=reminder_id)
    if reminder is None:
        raise ApiError(404, "not-found", f"没有编号为 {reminder_id} 的催报通知", f"no reminder {reminder_id}")
    if fmt == "docx":
        data, mime = reminder_files.notice_docx(reminder, context.plan), DOCX_MIME
    elif fmt == "xlsx":
        data, mime = reminder_files.notice_xlsx(reminder, context.plan), XLSX_MIME
    else:
        raise ApiError(404, "unsupported-format", "只能导出 docx 或 xlsx", "docx or xlsx only")
    name = f"reminder_{reminder_id}.{fmt}"
    return Response(data, media_type=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})
