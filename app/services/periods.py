"""Which periods a reader may pick: as-of quarters with data, and quarters still open for notes.

Periods themselves are `indicators.periods.Period`; free text is read by `etl.periods.read_period`
(through `app.services.progress.parse_as_of` where a scope error is wanted).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.services.notes import is_closed
from app.services.progress import vintage_cutoff
from app.store import observations as obs_store
from indicators.model import Plan
from indicators.periods import Period
from indicators.series import parse_periods


def as_of_options(*, engine: sa.Engine, plan: Plan, published_on: dt.date | None = None) -> list[str]:
    """Quarters a reader can judge progress at, newest first: the baseline year's Q4 to the latest data.

    The database lists the distinct periods with a current value (tens of rows, not every value).
    """
    with engine.connect() as conn:
        periods = obs_store.fetch_current_periods(conn, published_before=vintage_cutoff(published_on))
    latest = newest_period(periods)
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


def newest_period(periods: list[str]) -> str | None:
    """The latest of the periods: the latest end; of equal ends the shortest (2024Q4, not 2024)."""
    distinct = pd.Series(sorted(set(periods)), dtype=object)
    if distinct.empty:
        return None
    ordinal, months = parse_periods(distinct)
    return str(distinct.iloc[np.lexsort((months, -ordinal))[0]])


def open_note_periods(*, today: dt.date, edit_days: int, earliest: int = 8) -> list[str]:
    """Quarters whose progress notes can still be written, newest first (the current one included)."""
    current = Period.containing(today)
    candidates = [current.shift(-k) for k in range(earliest)]
    return [str(p) for p in candidates if not is_closed(p, today=today, edit_days=edit_days)]
