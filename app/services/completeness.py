"""Completeness of a period's reporting: which region × indicator values are expected, received, missing.

Expected values follow the plan: an indicator is expected for the regions whose level it allows
(counties only when the plan has them), quarterly indicators every quarter, annual ones for the year.
Each value is due on its indicator's date in the plan's reporting calendar (`indicators.calendar`):
an annual statistic is late only months after the year, a quarterly one weeks after the quarter.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from app.store import observations as obs_store
from indicators.calendar import due_date
from indicators.model import Plan
from indicators.periods import MONTHS_PER_YEAR, Frequency, Period


def expected_values(plan: Plan, period: Period) -> pd.DataFrame:
    """Every indicator × region × period the plan expects for the reporting period."""
    rows = []
    for indicator in plan.indicators:
        if indicator.frequency is Frequency.ANNUAL:
            if period.end_month != MONTHS_PER_YEAR:
                continue
            expected_period = str(Period.annual(period.year))
        elif indicator.frequency is Frequency.QUARTERLY:
            expected_period = str(period.to_quarter())
        else:
            expected_period = str(period)
        due = due_date(plan, indicator, Period.parse(expected_period))
        for region in plan.regions:
            if region.level in indicator.levels:
                rows.append((indicator.code, region.code, expected_period, indicator.department, due))
    return pd.DataFrame(rows, columns=["indicator", "region", "period", "department", "due_date"])


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
    overdue = (merged["due_date"] < today).to_numpy() if today is not None else False
    merged["status"] = "received"
    missing = merged["value"].isna().to_numpy()
    merged.loc[missing & overdue, "status"] = "late"
    merged.loc[missing & ~overdue, "status"] = "missing"
    return merged


def departments_not_reported(frame: pd.DataFrame) -> list[str]:
    """Reporting departments with at least one expected value not received."""
    missing = frame[frame["status"] != "received"]
    return sorted(set(missing["department"]))
