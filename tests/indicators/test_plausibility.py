"""Plausible periods and magnitudes (docs/methodology.md 第十六节), with hand-computed bounds."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from indicators.model import Plan
from indicators.periods import Period
from indicators.plausibility import FALLBACK_MAXIMUM, period_window, plausible_maximum


def test_the_window_runs_from_the_baseline_minus_the_history_to_the_month_of_today(plan: Plan) -> None:
    """Shanxi: baseline 2020, history 10 → months from 2010 × 12 + 1 = 24121; 2026-12-01 → 2026 × 12 + 12."""
    window = period_window(plan, dt.date(2026, 12, 1))
    assert (window.first_month, window.last_month, window.first_year) == (24121, 24324, 2010)
    assert period_window(plan, None).last_month is None


@pytest.mark.parametrize(
    ("period", "inside"),
    [
        (Period.quarter(2010, 1), True),  # starts in month 24121, the first
        (Period.quarter(2009, 4), False),  # starts October 2009
        (Period.annual(2010), True),
        (Period.month(2026, 12), True),  # starts in today's month
        (Period.quarter(2026, 4), True),  # starts October 2026
        (Period.annual(2026), True),  # began in January
        (Period.quarter(2027, 1), False),  # starts January 2027
        (Period.quarter(2099, 1), False),
        (Period.quarter(1900, 1), False),
    ],
)
def test_a_period_is_plausible_when_it_starts_inside_the_window(
    plan: Plan, period: Period, inside: bool
) -> None:
    assert period_window(plan, dt.date(2026, 12, 1)).contains(period) is inside


@pytest.mark.parametrize(
    ("unit", "maximum"),
    [
        ("亿元", 1e7),  # 1e15 元 / 1e8
        ("万元", 1e11),  # 1e15 / 1e4
        ("元/千瓦时", 1e3),
        ("分/kwh", 1e5),  # 1e3 元 per kWh / 0.01
        ("个", 1e10),
        ("万户", 1e6),  # 1e10 / 1e4
        ("%", 1e5),
        ("EFLOPS", 1e6),  # 1e24 / 1e18
        ("亿千瓦时", 1e6),  # 1e14 / 1e8
        ("不是单位", FALLBACK_MAXIMUM),
    ],
)
def test_the_ceiling_of_a_unit_is_its_dimensions_ceiling_in_that_unit(unit: str, maximum: float) -> None:
    assert math.isclose(plausible_maximum(unit), maximum, rel_tol=1e-12)
