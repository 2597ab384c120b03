"""Reporting periods: years, quarters and months, and the arithmetic progress needs.

A period is written `2024` (annual), `2024Q3` (quarterly) or `2024M09` (monthly). Every period ends
at the end of a month, so the elapsed share of a plan is a count of months.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import total_ordering


class Frequency(StrEnum):
    ANNUAL = "annual"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


MONTHS_PER_YEAR = 12
"""The one months-per-year constant: ordinals, year ends and YoY offsets all count in months."""
MONTHS_PER_QUARTER = 3
_MONTHS_PER = {
    Frequency.ANNUAL: MONTHS_PER_YEAR,
    Frequency.QUARTERLY: MONTHS_PER_QUARTER,
    Frequency.MONTHLY: 1,
}
PERIOD_PATTERN = r"^((?:19|20|21)\d{2})(?:Q([1-4])|M(0[1-9]|1[0-2]))?$"  # years 1900–2199
_CANONICAL = re.compile(PERIOD_PATTERN)


@total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period; ordered by its end month, then by length (a quarter before its year)."""

    year: int
    frequency: Frequency
    index: int = 1

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse the canonical form (`2024`, `2024Q3`, `2024M09`); etl handles the free forms."""
        match = _CANONICAL.match(text.strip())
        if not match:
            raise ValueError(f"not a canonical period: {text!r}")
        year = int(match.group(1))
        if match.group(2):
            return cls(year, Frequency.QUARTERLY, int(match.group(2)))
        if match.group(3):
            return cls(year, Frequency.MONTHLY, int(match.group(3)))
        return cls(year, Frequency.ANNUAL, 1)

    @classmethod
    def of(cls, value: str | Period) -> Period:
        """A period given as a `Period` or as its canonical text (what the engine's `as_of` accepts)."""
        return value if isinstance(value, Period) else cls.parse(value)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(year, Frequency.QUARTERLY, quarter)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, Frequency.MONTHLY, month)

    @classmethod
    def annual(cls, year: int) -> Period:
        return cls(year, Frequency.ANNUAL, 1)

    @classmethod
    def containing(cls, day: dt.date, frequency: Frequency = Frequency.QUARTERLY) -> Period:
        """The period of `frequency` in which `day` falls (2026-12-01 → 2026Q4)."""
        months = _MONTHS_PER[frequency]
        return cls(day.year, frequency, (day.month - 1) // months + 1)

    def __post_init__(self) -> None:
        limit = MONTHS_PER_YEAR // _MONTHS_PER[self.frequency]
        if not 1 <= self.index <= limit:
            raise ValueError(f"{self.frequency} index out of range: {self.index}")

    def __str__(self) -> str:
        if self.frequency is Frequency.QUARTERLY:
            return f"{self.year}Q{self.index}"
        if self.frequency is Frequency.MONTHLY:
            return f"{self.year}M{self.index:02d}"
        return str(self.year)

    @property
    def label_zh(self) -> str:
        """How a Chinese message names the period: 2025年第三季度, 2025年9月, 2025年."""
        if self.frequency is Frequency.QUARTERLY:
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        if self.frequency is Frequency.MONTHLY:
            return f"{self.year}年{self.index}月"
        return f"{self.year}年"

    @property
    def end_month(self) -> int:
        """Month of the year (1–12) in which the period ends."""
        return self.index * _MONTHS_PER[self.frequency]

    @property
    def months(self) -> int:
        return _MONTHS_PER[self.frequency]

    @property
    def ordinal(self) -> int:
        """Months since year 0 at the period's end: a single number to subtract and compare."""
        return self.year * MONTHS_PER_YEAR + self.end_month

    @property
    def end_date(self) -> dt.date:
        """The last day of the period (2024Q1 → 2024-03-31): deadlines and due dates count from it."""
        return dt.date(self.year, self.end_month, calendar.monthrange(self.year, self.end_month)[1])

    def _key(self) -> tuple[int, int]:
        return (self.ordinal, self.months)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    def shift(self, steps: int) -> Period:
        """The period `steps` periods later (negative: earlier), same frequency."""
        per_year = MONTHS_PER_YEAR // self.months
        zero_based = self.year * per_year + (self.index - 1) + steps
        return Period(zero_based // per_year, self.frequency, zero_based % per_year + 1)

    def previous(self) -> Period:
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        return Period(self.year - 1, self.frequency, self.index)

    def to_quarter(self) -> Period:
        """The quarter in which this period ends (annual → Q4, 2024M08 → 2024Q3)."""
        return Period(self.year, Frequency.QUARTERLY, (self.end_month - 1) // MONTHS_PER_QUARTER + 1)

    @property
    def year_fraction(self) -> float:
        """Share of its year elapsed at the period's end: Q1 0.25 … Q4 1.0 (the 序时进度 of a YTD flow)."""
        return self.end_month / MONTHS_PER_YEAR
