"""The plan as users read it: one source, the validated plan file, for the API and `dem catalog` alike.

The database keeps a copy of the plan (for joins, and as the record of what a database was
initialised with); reads come from the loaded `Plan` that the progress engine also computes with, so
a listing can never disagree with the numbers. `plan_state` tells when the copy lags the file.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.services.setup import plan_sha256
from app.store import catalog as catalog_store
from app.store import migrate
from indicators.model import Plan


class CatalogPart(StrEnum):
    INDICATORS = "indicators"
    TARGETS = "targets"
    TASKS = "tasks"
    DEPARTMENTS = "departments"
    REGIONS = "regions"
    DOMAINS = "domains"


class PlanState(StrEnum):
    CURRENT = "current"  # the database holds this very file
    CHANGED = "changed"  # the file was edited since `dem init` loaded it
    MISSING = "missing"  # `dem init` never loaded this plan


def catalog_rows(*, plan: Plan, part: CatalogPart) -> list[dict[str, Any]]:
    """One part of the plan as plain rows, in plan order (targets carry their id)."""
    items = getattr(plan, part.value)
    rows = [dataclasses.asdict(item) for item in items]
    if part is CatalogPart.TARGETS:
        for row, target in zip(rows, items, strict=True):
            row["id"] = target.id
    return rows


def plan_state(*, engine: sa.Engine, plan: Plan, plan_path: Path) -> PlanState:
    """Whether the database's copy of the plan is the plan file as it is now."""
    if migrate.current_revision(engine) is None:
        return PlanState.MISSING
    with engine.connect() as conn:
        stored = catalog_store.fetch_plan_sha(conn, plan_code=plan.code)
    if stored is None:
        return PlanState.MISSING
    return PlanState.CURRENT if stored == plan_sha256(plan_path) else PlanState.CHANGED
