"""Completeness of a period's reporting: which region × indicator values are expected, received, missing.

Expected values follow the plan: an indicator is expected for the regions whose level it allows
(counties only when the plan has them), quarterly indicators every quarter, annual ones for the year.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd
import sqlalchemy as sa

from app.store import observations as obs_store
from indicators.catalog import Plan
from indicators.periods import Frequency, Period

REPORTING_DAYS = 45  # values are due this many days after the period ends; missing after that is late


def expected_values(plan: Plan, period: Period) -> pd.DataFrame:
    """Every indicator × region × period the plan expects for the reporting period."""
    rows = []
    for indicator in plan.indicators:
        if indicator.frequency is Frequency.ANNUAL:
            if period.end_month != 12:
                continue
            expected_period = str(Period.annual(period.year))
        elif indicator.frequency is Frequency.QUARTERLY:
            expected_period = str(period.to_quarter())
        else:
            expected_period = str(period)
        for region in plan.regions:
            if region.level in indicator.levels:
                rows.append((indicator.code, region.code, expected_period, indicator.department))
    return pd.DataFrame(rows, columns=["indicator", "region", "period", "department"])


def completeness(
    *,
    engine: sa.Engine,
    plan: Plan,
    period: str,
    today: dt.date | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    """One row per expected value with `status` received / missing / late and when it was published.

    `data_version` reads the values as they stood at that version (a brief's, so it can be reproduced).
    """
    when = Period.parse(period)
    expected = expected_values(plan, when)
    with engine.connect() as conn:
        current = obs_store.fetch_current_values(
            conn,
            indicators=sorted(set(expected["indicator"])),
            regions=sorted(set(expected["region"])),
            up_to_version=data_version,
        )
    merged = expected.merge(
        current[["indicator", "region", "period", "value", "published_at"]],
        on=["indicator", "region", "period"],
        how="left",
    )
    end = dt.date(when.year, when.end_month, calendar.monthrange(when.year, when.end_month)[1])
    overdue = today is not None and today > end + dt.timedelta(days=REPORTING_DAYS)
    merged["status"] = "received"
    merged.loc[merged["value"].isna(), "status"] = "late" if overdue else "missing"
    return merged


def departments_not_reported(frame: pd.DataFrame) -> list[str]:
    """Reporting departments with at least one expected value not received."""
    missing = frame[frame["status"] != "received"]
    return sorted(set(missing["department"]))
