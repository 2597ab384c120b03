"""Published values with provenance, and the revision history of one value."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import ContextDep, Reader
from app.api.models import Observation, Revision
from app.api.periods import period_param
from app.services import observations as obs_service

router = APIRouter(prefix="/observations", tags=["observations"])
MAX_ROWS = 10000


def _ordinal(text: str | None, name: str) -> int | None:
    return None if text is None else period_param(text, name).ordinal


@router.get("", response_model=list[Observation])
def list_observations(
    user: Reader,
    context: ContextDep,
    indicator: Annotated[list[str] | None, Query()] = None,
    region: Annotated[list[str] | None, Query()] = None,
    period_from: Annotated[str | None, Query(alias="from", description="e.g. 2021Q1")] = None,
    period_to: Annotated[str | None, Query(alias="to", description="e.g. 2025Q3")] = None,
    published_on: dt.date | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = MAX_ROWS,
) -> list[Observation]:
    """Current values (or as published on a date), with the upload, file and user that brought each."""
    rows = obs_service.current_observations(
        engine=context.engine,
        indicators=indicator,
        regions=region,
        ordinal_from=_ordinal(period_from, "from"),
        ordinal_to=_ordinal(period_to, "to"),
        published_on=published_on,
        limit=limit,
    )
    return [Observation(**r) for r in rows]


@router.get("/history", response_model=list[Revision])
def history(user: Reader, context: ContextDep, indicator: str, region: str, period: str) -> list[Revision]:
    """Every revision of one value, oldest first: publications, rollbacks and retractions."""
    rows = obs_service.value_history(engine=context.engine, indicator=indicator, region=region, period=period)
    return [Revision(**r) for r in rows]
