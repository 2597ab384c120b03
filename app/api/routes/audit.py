"""The audit log: every write with who, when, from where, and before/after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import Auditor, ContextDep
from app.api.models import AuditOut
from app.services import audit as audit_service

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=list[AuditOut])
def audit_log(
    user: Auditor, context: ContextDep, limit: Annotated[int, Query(ge=1, le=5000)] = 200
) -> list[AuditOut]:
    """The newest audit entries (administrators only)."""
    return [AuditOut(**row) for row in audit_service.audit_log(engine=context.engine, limit=limit)]
