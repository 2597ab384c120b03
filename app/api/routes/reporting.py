"""What the bureau hands out and checks: the upload template and a period's completeness."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import ContextDep, Reader
from app.api.errors import ApiError
from app.api.models import CompletenessOut, CompletenessRow
from app.api.periods import period_param
from app.services import completeness as completeness_service
from app.services import templates as template_service
from app.services.clock import utcnow
from app.services.templates import XLSX_MEDIA_TYPE as XLSX
from indicators.periods import PERIOD_PATTERN

router = APIRouter(tags=["reporting"])
PeriodParam = Annotated[str, Query(pattern=PERIOD_PATTERN, description="e.g. 2025Q3 or 2025")]


@router.get("/template", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def template(
    user: Reader, context: ContextDep, period: PeriodParam, department: str | None = None
) -> Response:
    """The upload template workbook for a period (and optionally one reporting department)."""
    try:
        workbook = template_service.template_workbook(plan=context.plan, period=period, department=department)
    except template_service.TemplateError as exc:
        raise ApiError(422, exc.code, exc.message_zh, exc.message_en) from None
    return Response(
        workbook.content, media_type=XLSX, headers={"Content-Disposition": workbook.content_disposition}
    )


@router.get("/completeness", response_model=CompletenessOut)
def completeness(
    user: Reader, context: ContextDep, period: str, today: dt.date | None = None
) -> CompletenessOut:
    """Which region × indicator values a period expects, which arrived, which are missing or late."""
    period = str(period_param(period))
    frame = completeness_service.completeness(
        engine=context.engine, plan=context.plan, period=period, today=today or utcnow().date()
    )
    frame = frame.astype(object).where(frame.notna(), None)
    rows = [CompletenessRow(**r) for r in frame.to_dict("records")]
    received = sum(1 for r in rows if r.status == "received")
    return CompletenessOut(
        period=period,
        expected=len(rows),
        received=received,
        missing=len(rows) - received,
        departments_not_reported=completeness_service.departments_not_reported(frame),
        values=rows,
    )
