"""Due dates: when the values of an indicator for a period must have been reported.

Pure: the plan's reporting calendar and the period in, a date out. Completeness marks a value late
after its due date, and the reminder job chases departments on days around it.
"""

from __future__ import annotations

import datetime as dt

from indicators.model import Indicator, Plan
from indicators.periods import Frequency, Period


def due_days(plan: Plan, indicator: Indicator) -> int:
    """Days after a period ends by which the indicator's values are due (its own, else its frequency's)."""
    if indicator.due_days is not None:
        return indicator.due_days
    by_frequency = {
        Frequency.ANNUAL: plan.reporting.annual,
        Frequency.QUARTERLY: plan.reporting.quarterly,
        Frequency.MONTHLY: plan.reporting.monthly,
    }
    return by_frequency[indicator.frequency]


def due_date(plan: Plan, indicator: Indicator, period: Period) -> dt.date:
    """The date by which the indicator's value for `period` is due."""
    return period.end_date + dt.timedelta(days=due_days(plan, indicator))
