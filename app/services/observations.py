"""Published values with their provenance, and the revision history of one value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.services.progress import vintage_cutoff
from app.store import observations as obs_store


def current_observations(
    *,
    engine: sa.Engine,
    indicators: Sequence[str] | None = None,
    regions: Sequence[str] | None = None,
    ordinal_from: int | None = None,
    ordinal_to: int | None = None,
    published_on: dt.date | None = None,
    limit: int,
) -> list[dict[str, Any]]:
    """Current values, or as published on a Beijing day, with the upload, file and user behind each."""
    with engine.connect() as conn:
        return obs_store.fetch_observations(
            conn,
            indicators=indicators,
            regions=regions,
            ordinal_from=ordinal_from,
            ordinal_to=ordinal_to,
            published_before=vintage_cutoff(published_on),
            limit=limit,
        )


def provenance(
    *,
    engine: sa.Engine,
    indicator: str,
    region: str | None = None,
    published_on: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Current values of one indicator with the upload, file, user and time that brought each."""
    with engine.connect() as conn:
        return obs_store.fetch_observations(
            conn,
            indicators=[indicator],
            regions=[region] if region else None,
            published_before=vintage_cutoff(published_on),
        )


def value_history(*, engine: sa.Engine, indicator: str, region: str, period: str) -> list[dict[str, Any]]:
    """Every revision of one value, oldest first: publications, rollbacks and retractions."""
    with engine.connect() as conn:
        return obs_store.fetch_history(conn, indicator=indicator, region=region, period=period)
