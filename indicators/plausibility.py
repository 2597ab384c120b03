"""What a published value can plausibly be: its period and its magnitude (docs/methodology.md).

Periods. A value is plausible for a period that
- starts no earlier than 1 January of the plan's baseline year minus its `history_years` (plan file,
  default 10: a Shanxi plan with baseline 2020 takes data from 2010 on, enough for trends and
  baselines), and
- has begun by the day of the upload (as-of date, passed in): no one has figures for a quarter that
  has not started. The reporting lag only ever makes figures arrive later than their period, so a
  period is never "too late" while the plan is monitored (a value for the plan's final year arrives
  months after it), and a later plan continues the same series.
So 1900Q1 and 2099Q1 are errors, and so is a progress note for a quarter that has not begun.

Magnitudes. Each unit dimension has a ceiling in base units, far above anything real (several
times the national total) and far below the absurd (1e308): a value beyond it, in the catalog unit,
is an error. See `MAXIMA`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indicators.model import Plan
from indicators.periods import Period
from indicators.units import parse_unit

DEFAULT_HISTORY_YEARS = 10
MONTHS_PER_YEAR = 12

#: Ceilings per unit dimension, in base units (yuan, kWh, FLOPS, one of a counted noun, percent).
MAXIMA: dict[str, float] = {
    "money": 1e15,  # 1,000万亿元: about 8 × China's GDP
    "energy": 1e14,  # 100万亿千瓦时: about 10 × China's annual electricity use
    "flops": 1e24,  # 1,000,000 EFLOPS: hundreds of times the world's installed computing
    "count": 1e10,  # ten billion of anything counted (people, firms, base stations, households)
    "percent": 1e5,  # a 1,000-fold change still fits; a share never comes close
    "money/energy": 1e3,  # a price of 1,000 元/千瓦时, thousands of times any real tariff
}
#: For a unit the table does not know: no float beyond it keeps integer precision either.
FALLBACK_MAXIMUM = 1e15


@dataclass(frozen=True, slots=True)
class PeriodWindow:
    """Months (year × 12 + month, 1-based) in which a plausible period may start: first … last."""

    first_month: int
    last_month: int | None  # None: no as-of date was given, no upper bound

    @property
    def first_year(self) -> int:
        return (self.first_month - 1) // MONTHS_PER_YEAR

    def contains(self, period: Period) -> bool:
        """Whether the period starts within the window."""
        start = period.ordinal - period.months + 1
        return start >= self.first_month and (self.last_month is None or start <= self.last_month)


def period_window(plan: Plan, today: dt.date | None) -> PeriodWindow:
    """The plausible periods of a plan as of `today` (None: only the lower bound)."""
    first = (plan.baseline_year - plan.history_years) * MONTHS_PER_YEAR + 1
    last = None if today is None else today.year * MONTHS_PER_YEAR + today.month
    return PeriodWindow(first, last)


def plausible_maximum(unit: str) -> float:
    """The largest absolute value plausible in `unit` (e.g. 1e7 for 亿元, 1e10 for 个)."""
    parsed = parse_unit(unit)
    if parsed is None:
        return FALLBACK_MAXIMUM
    dimension = "count" if parsed.dimension.startswith("count:") else parsed.dimension
    ceiling = MAXIMA.get(dimension)
    return FALLBACK_MAXIMUM if ceiling is None else ceiling / parsed.scale
