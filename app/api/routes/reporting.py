"""What the bureau hands out and checks: the upload template and a period's completeness."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import ContextDep, Reader
from app.api.errors import ApiError
from app.api.models import CompletenessOut, CompletenessRow
from app.services import completeness as completeness_service
from app.services.clock import utcnow
from etl.template import write_template
from indicators.periods import PERIOD_PATTERN, Period

router = APIRouter(tags=["reporting"])
PeriodParam = Annotated[str, Query(pattern=PERIOD_PATTERN, description="e.g. 2025Q3 or 2025")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise ApiError(422, "bad-period", f"时期格式有误：{text}", f"bad period: {text}") from None


@router.get("/template", response_class=Response, responses={200: {"content": {XLSX: {}}}})
def template(
    user: Reader, context: ContextDep, period: PeriodParam, department: str | None = None
) -> Response:
    """The upload template workbook for a period (and optionally one reporting department)."""
    when = _period(period)
    if department is not None and department not in {d.code for d in context.plan.departments}:
        raise ApiError(
            422, "unknown-department", f"未知部门：{department}", f"unknown department {department}"
        )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.xlsx"
        try:
            write_template(path, plan=context.plan, period=when, department=department)
        except ValueError as exc:
            raise ApiError(422, "no-indicators", "该部门没有上报指标", str(exc)) from None
        content = path.read_bytes()
    name = f"template_{when}{'_' + department if department else ''}.xlsx"
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/completeness", response_model=CompletenessOut)
def completeness(
    user: Reader, context: ContextDep, period: str, today: dt.date | None = None
) -> CompletenessOut:
    """Which region × indicator values a period expects, which arrived, which are missing or late."""
    _period(period)
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
