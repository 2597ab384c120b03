"""Operations for administrators: a consistent backup of the running service's database."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from app.api.deps import Administrator, ContextDep
from app.services import backup as backup_service
from app.services.clock import utcnow

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get(
    "/backup",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/zip": {}}, "description": "The backup file (dem restore reads it)"}
    },
)
def backup(user: Administrator, context: ContextDep) -> FileResponse:
    """Download a consistent backup of every table (the only way while the service holds a DuckDB file)."""
    folder = Path(tempfile.mkdtemp(prefix="dem-backup-"))
    name = f"dem-backup-{utcnow():%Y%m%dT%H%M%SZ}.zip"
    summary = backup_service.write_backup(engine=context.engine, path=folder / name, user=user.username)

    def clean() -> None:
        summary.path.unlink(missing_ok=True)
        folder.rmdir()

    return FileResponse(
        summary.path, media_type="application/zip", filename=name, background=BackgroundTask(clean)
    )
