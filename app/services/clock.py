"""The one place the service reads the clock, so every use case can be given `now` in tests."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Naive UTC: both backends store TIMESTAMP WITHOUT TIME ZONE."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
