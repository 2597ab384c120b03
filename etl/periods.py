"""Periods as bureaus write them → the canonical `indicators.periods.Period` of an indicator.

Parsing knows only the calendar: `2024年1-9月` is "the nine months to September 2024", `2024年三季度`
the third quarter. Resolving then fits that to the indicator's frequency:
- a finer period ending on a boundary maps up: 2024年9月 and 2024年1-9月 → 2024Q3 for a quarterly
  indicator; 2024Q4, 2024年12月 and 2024年1-12月 → 2024 for an annual one (every measure);
- a coarser period maps down to the finer period ending with it only for stocks and flows, whose
  year-end value is by definition the Q4 (or December) value: 2024年 → 2024Q4 for a quarterly stock
  or flow; a quarterly rate (a price) given for a whole year is `frequency-mismatch`;
- anything else (2024Q3 for an annual indicator, 2024年8月 for a quarterly one) is `frequency-mismatch`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from etl.text import fold
from indicators.model import Measure
from indicators.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR, Frequency, Period

_YEAR = r"(?P<y>(?:19|20|21)\d{2})"
_CN = r"[一二三四五六七八九十]{1,2}"
_NUM_CN = rf"(?:\d{{1,2}}|{_CN})"
_DASH = r"[-—–~～至到]"
_CHINESE_NUMBERS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}
_MONTHS = {Frequency.ANNUAL: MONTHS_PER_YEAR, Frequency.QUARTERLY: MONTHS_PER_QUARTER, Frequency.MONTHLY: 1}


@dataclass(frozen=True, slots=True)
class ParsedPeriod:
    """A period as written: its year, how long it is, and the month it ends in."""

    year: int
    span: Frequency  # ANNUAL, QUARTERLY or MONTHLY (a year-to-date range counts as its last month)
    end_month: int


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _CHINESE_NUMBERS.get(text, 0)


def _quarter(match: re.Match[str]) -> tuple[Frequency, int]:
    return Frequency.QUARTERLY, _number(match["n"]) * MONTHS_PER_QUARTER


def _month(match: re.Match[str]) -> tuple[Frequency, int]:
    return Frequency.MONTHLY, _number(match["n"])


def _ytd_quarters(match: re.Match[str]) -> tuple[Frequency, int]:
    return Frequency.MONTHLY, _number(match["n"]) * MONTHS_PER_QUARTER


def _half(match: re.Match[str]) -> tuple[Frequency, int]:
    return Frequency.MONTHLY, 6


def _year(match: re.Match[str]) -> tuple[Frequency, int]:
    return Frequency.ANNUAL, MONTHS_PER_YEAR


# Most specific first: a title is searched and `2024年` must not win over `2024年第三季度`.
# (pattern, builder, allowed when searching inside a longer text such as a title)
_Builder = Callable[[re.Match[str]], tuple[Frequency, int]]
_PATTERNS: tuple[tuple[str, _Builder, bool], ...] = (
    (rf"{_YEAR}年?(?:1|一)月?{_DASH}(?P<n>{_NUM_CN})月(?:份)?(?:累计)?", _month, True),
    (rf"{_YEAR}年?前(?P<n>[1-4一二三四])(?:个)?季度?", _ytd_quarters, True),
    (rf"{_YEAR}年?(?:1|一){_DASH}(?P<n>[1-4一二三四])季度", _ytd_quarters, True),
    (rf"{_YEAR}年?上半年", _half, True),
    (rf"{_YEAR}[-/年.]?q(?P<n>[1-4])", _quarter, True),
    (rf"{_YEAR}年?第?(?P<n>[1-4一二三四])季(?:度)?(?:末)?", _quarter, True),
    (rf"{_YEAR}年(?P<n>{_NUM_CN})月(?:份)?(?:末|底)?", _month, True),
    (rf"{_YEAR}m(?P<n>\d{{1,2}})", _month, False),
    (rf"{_YEAR}[-/.](?P<n>\d{{1,2}})(?:[-/.]\d{{1,2}})?", _month, False),
    (rf"{_YEAR}(?P<n>0[1-9]|1[0-2])", _month, False),
    (rf"{_YEAR}年(?:度)?(?:全年|末|底)?", _year, True),
    (rf"{_YEAR}", _year, False),
)
_ANCHORED = tuple((re.compile(rf"^{p}$"), build) for p, build, _ in _PATTERNS)
_SEARCHING = tuple((re.compile(rf"(?<!\d){p}"), build) for p, build, searchable in _PATTERNS if searchable)


def _build(match: re.Match[str], build: _Builder) -> ParsedPeriod | None:
    span, end_month = build(match)
    if not 1 <= end_month <= MONTHS_PER_YEAR:
        return None
    return ParsedPeriod(int(match["y"]), span, end_month)


def parse_period(text: str | None) -> ParsedPeriod | None:
    """Parse a whole cell (`2024Q3`, `2024年1-9月`, `2024-09`, `2024年` …); None when unreadable."""
    if not text:
        return None
    key = fold(text)
    for pattern, build in _ANCHORED:
        match = pattern.match(key)
        if match:
            return _build(match, build)
    return None


def find_period(text: str | None) -> ParsedPeriod | None:
    """Find a period inside a longer text, such as `2024年第三季度全省数字经济主要指标` or a sheet name."""
    if not text:
        return None
    whole = parse_period(text)
    if whole is not None:
        return whole
    key = fold(text)
    for pattern, build in _SEARCHING:
        match = pattern.search(key)
        if match:
            return _build(match, build)
    return None


def resolve(parsed: ParsedPeriod, frequency: Frequency, measure: Measure) -> Period | None:
    """Fit a parsed period to an indicator's frequency; None is a frequency mismatch."""
    target_months, span_months = _MONTHS[frequency], _MONTHS[parsed.span]
    if parsed.end_month % target_months:
        return None  # does not end on a boundary of the indicator's periods
    if span_months > target_months and measure is Measure.RATE:
        return None  # a year's price is not its last quarter's price
    index = parsed.end_month // target_months
    return Period(parsed.year, frequency, index)


def read_period(text: str | None) -> Period | None:
    """A period as a person types it (`2025Q3`, `2025q3`, `2025年第三季度`, `2025年1-9月`, `2024`).

    The one reading of free-text periods for the CLI, the API and the services (an as-of period, a
    template's period, a lock). Canonical text keeps its frequency (`2025M09` is a month); a free
    form ending on a quarter's last month is that quarter (`2025年1-9月` → 2025Q3), since what
    people name that way is the quarter's year-to-date report. None when unreadable.
    """
    if not text or not text.strip():
        return None
    try:
        return Period.parse(text.strip().upper())
    except ValueError:
        pass
    parsed = parse_period(text)
    if parsed is None:
        return None
    if parsed.span is Frequency.MONTHLY and parsed.end_month % MONTHS_PER_QUARTER == 0:
        return Period.quarter(parsed.year, parsed.end_month // MONTHS_PER_QUARTER)
    return Period(parsed.year, parsed.span, parsed.end_month // _MONTHS[parsed.span])


def period_text(parsed: ParsedPeriod) -> str:
    """Write a parsed period back in a form `parse_period` reads (for periods found in a title)."""
    if parsed.span is Frequency.ANNUAL:
        return str(parsed.year)
    if parsed.span is Frequency.QUARTERLY:
        return f"{parsed.year}Q{parsed.end_month // MONTHS_PER_QUARTER}"
    return f"{parsed.year}-{parsed.end_month:02d}"
