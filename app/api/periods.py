"""Period parameters of the API, read by the one free-text reading (`etl.periods.read_period`)."""

from __future__ import annotations

from app.api.errors import ApiError
from etl.periods import read_period
from indicators.periods import Period


def period_param(text: str, name: str | None = None) -> Period:
    """The period of a query or body field; 422 `bad-period` (naming the field) when unreadable."""
    period = read_period(text)
    if period is None:
        where_zh, where_en = (f"{name} ", f" in {name}") if name else ("", "")
        raise ApiError(422, "bad-period", f"{where_zh}时期格式有误：{text}", f"bad period{where_en}: {text}")
    return period
