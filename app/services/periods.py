"""Which periods a reader may pick: as-of quarters with data, and quarters still open for notes.

Periods themselves are `indicators.periods.Period`; free text is read by `etl.periods.read_period`
(through `app.services.progress.parse_as_of` where a scope error is wanted).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.services.notes import is_closed
from app.services.progress import latest_period
from indicators.model import Plan
from indicators.periods import Period


def as_of_options(*, engine: sa.Engine, plan: Plan, published_on: dt.date | None = None) -> list[str]:
    """Quarters a reader can judge progress at, newest first: the baseline year's Q4 to the latest data."""
    latest = latest_period(engine=engine, published_on=published_on)
    if latest is None:
        return []
    last = Period.parse(latest).to_quarter()
    first = Period.quarter(plan.baseline_year, 4)
    quarters = []
    current = last
    while current >= first:
        quarters.append(str(current))
        current = current.previous()
    return quarters


def open_note_periods(*, today: dt.date, edit_days: int, earliest: int = 8) -> list[str]:
    """Quarters whose progress notes can still be written, newest first (the current one included)."""
    current = Period.containing(today)
    candidates = [current.shift(-k) for k in range(earliest)]
    return [str(p) for p in candidates if not is_closed(p, today=today, edit_days=edit_days)]
