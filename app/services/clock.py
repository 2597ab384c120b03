"""The one place the service reads the clock, so every use case can be given `now` in tests."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC: both backends store TIMESTAMP WITHOUT TIME ZONE."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def beijing_today() -> dt.date:
    """Today's date in Beijing, where quarters end and briefs fall due (UTC+8, no daylight saving)."""
    return (utcnow() + BEIJING_OFFSET).date()


BEIJING_OFFSET = dt.timedelta(hours=8)
