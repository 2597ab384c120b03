"""Progress against the plan's targets and the composite index, for any scope and data vintage."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ContextDep, Reader
from app.api.models import IndexRow, ProgressRow
from app.services import composite as composite_service
from app.services import progress as progress_service
from indicators.periods import PERIOD_PATTERN

router = APIRouter(tags=["progress"])


@router.get("/progress", response_model=list[ProgressRow])
def progress(
    user: Reader,
    context: ContextDep,
    year: int | None = None,
    as_of: str | None = None,
    region: str | None = None,
    department: str | None = None,
    published_on: dt.date | None = None,
) -> list[ProgressRow]:
    """Completion, 序时进度, status, trend and projection for every target in scope."""
    query = progress_service.ProgressQuery(
        as_of=as_of, region=region, department=department, year=year, published_on=published_on
    )
    records = progress_service.progress_records(
        engine=context.engine, plan=context.plan, query=query, explain=True, cache=context.cache
    )
    return [ProgressRow(**(r | {"explanation": r.get("explanation_zh")})) for r in records]


@router.get("/index", response_model=list[IndexRow])
def composite_index(
    user: Reader,
    context: ContextDep,
    region: str | None = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN)] = None,
    published_on: dt.date | None = None,
) -> list[IndexRow]:
    """数字经济发展指数: the composite index per region and period, by dimension and in total."""
    frame = composite_service.composite_index(
        engine=context.engine, plan=context.plan, region=region, period=period, published_on=published_on
    )
    return [IndexRow(**r) for r in progress_service.records(frame)]
