"""Reads that pages make of the current values, aggregated or narrowed in the database.

At national scale (about 12M current values) reading every value into pandas takes seconds, and a
page shows a few hundred numbers: the overview the province's series, the freshness line one
period and one time per indicator. These statements return only what such a page is made of.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import sqlalchemy as sa

from app.store.bulk import read_frame
from app.store.observations import current_values_query, fetch_data_version


def _version(
    conn: sa.Connection, published_before: dt.datetime | None, up_to_version: int | None
) -> int | None:
    """A data version that is still the newest reads the current-values table (as fetch_current_values)."""
    if up_to_version is not None and published_before is None and fetch_data_version(conn) == up_to_version:
        return None
    return up_to_version


def fetch_period_freshness(
    conn: sa.Connection, *, published_before: dt.datetime | None = None
) -> pd.DataFrame:
    """`indicator, period, published_at`: each pair with a current value, and when one last changed."""
    current = current_values_query(published_before=published_before).subquery("current")
    query = sa.select(
        current.c.indicator,
        current.c.period,
        sa.func.max(current.c.published_at).label("published_at"),
    ).group_by(current.c.indicator, current.c.period)
    return read_frame(conn, query)


def fetch_region_values(
    conn: sa.Connection,
    *,
    region: str,
    below: Sequence[str] | None,
    indicators: Sequence[str] | None = None,
    published_before: dt.datetime | None = None,
    up_to_version: int | None = None,
) -> pd.DataFrame:
    """The current values a region's own totals are made of: its own, and those of the regions `below`
    it (None: every region) at the indicator × period pairs where it reported none.

    A region that reported a value has that value whatever its children say, so their rows matter
    only where it has none; the database skips the rest (an anti-join on the key), which at national
    scale is nearly every row. Columns as `fetch_current_values`.
    """
    version = _version(conn, published_before, up_to_version)
    current = current_values_query(
        published_before=published_before, indicators=indicators, up_to_version=version
    ).cte("current")
    own = current.alias("own")
    reported = (
        sa.select(sa.literal(1))
        .where(
            own.c.region == region, own.c.indicator == current.c.indicator, own.c.period == current.c.period
        )
        .exists()
    )
    elsewhere = sa.and_(current.c.region != region, ~reported)
    if below is not None:
        elsewhere = sa.and_(current.c.region.in_(list(below)), elsewhere)
    query = sa.select(current).where(sa.or_(current.c.region == region, elsewhere))
    frame = read_frame(conn, query)
    return frame.astype({"period_ordinal": "int64", "value": "float64", "upload_id": "int64"})
