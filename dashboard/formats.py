"""Numbers, percentages, periods and times as a reader expects them: 67,300 个, 99.2%, 2025年第三季度.

Every page formats through here, so a value looks the same on a card, in a table and in a chart
label. Missing values are an em dash, never `nan`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from dashboard.i18n import Lang, t
from indicators.periods import Frequency, Period

MISSING = "—"
MINUS = "−"  # U+2212: a real minus sign lines up with the plus in tables
BEIJING = dt.timezone(dt.timedelta(hours=8))
_TIGHT_UNITS = {"%", "‰"}


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def decimals_for(value: float) -> int:
    """Enough decimals to read a value, no more: counts whole, large sums whole, prices to 0.01."""
    return 0 if float(value).is_integer() else _decimals_for_magnitude(abs(value))


def _decimals_for_magnitude(magnitude: float) -> int:
    if magnitude >= 1000:
        return 0
    if magnitude >= 100:
        return 1
    if magnitude >= 1:
        return 2
    return 3 if magnitude >= 0.001 else 4


def shared_decimals(values: Iterable[Any]) -> int:
    """One number of decimals for a column or a chart, so 1,910.8 and 544.0 line up.

    Chosen from the median magnitude; whole numbers (counts) get none.
    """
    finite = [float(v) for v in values if not is_missing(v)]
    if not finite or all(v.is_integer() for v in finite):
        return 0
    magnitudes = sorted(abs(v) for v in finite)
    return _decimals_for_magnitude(magnitudes[len(magnitudes) // 2])


def number(value: Any, unit: str | None = None, *, decimals: int | None = None) -> str:
    """`67,300 个`, `4,962 亿元`, `0.33 元/千瓦时`, `62.5%`; `—` when missing."""
    if is_missing(value):
        return MISSING
    x = float(value)
    places = decimals_for(x) if decimals is None else decimals
    text = f"{abs(x):,.{places}f}"
    if places:
        text = text.rstrip("0").rstrip(".") if "." in text and decimals is None else text
    sign = MINUS if x < 0 and float(text.replace(",", "")) != 0 else ""
    if not unit:
        return f"{sign}{text}"
    return f"{sign}{text}{unit}" if unit in _TIGHT_UNITS else f"{sign}{text} {unit}"


def percent(fraction: Any, *, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.9924 → `99.2%`; signed: `+22.5%` / `−3.8%`."""
    if is_missing(fraction):
        return MISSING
    x = float(fraction) * 100
    text = f"{abs(x):,.{decimals}f}%"
    if x < 0 and float(f"{abs(x):.{decimals}f}") != 0:
        return MINUS + text
    return ("+" + text) if signed and x > 0 else text


def schedule_gap(pp: Any, lang: Lang) -> str:
    """序时差 in words: `快于序时进度 4.6 个百分点` / `4.6 pp behind schedule`."""
    if is_missing(pp):
        return MISSING
    rounded = round(float(pp), 1)
    if rounded == 0:
        return t("on_schedule", lang)
    key = "ahead_of_schedule" if rounded > 0 else "behind_schedule"
    return t(key, lang, pp=f"{abs(rounded):.1f}")


def points(pp: Any) -> str:
    """序时差 as a signed number of percentage points, for tables: `+124.3`, `−0.8`."""
    if is_missing(pp):
        return MISSING
    rounded = round(float(pp), 1)
    if rounded == 0:
        return "0.0"
    return f"+{rounded:.1f}" if rounded > 0 else f"{MINUS}{abs(rounded):.1f}"


def period_label(period: Any, lang: Lang) -> str:
    """`2025Q3` → `2025年第三季度` (zh) or `2025 Q3` (en); `2024` → `2024年` / `2024`."""
    if period is None or (isinstance(period, float) and math.isnan(period)):
        return MISSING
    try:
        p = Period.parse(str(period))
    except ValueError:
        return str(period)
    if p.frequency is Frequency.QUARTERLY:
        return f"{p.year} Q{p.index}" if lang == "en" else p.label_zh
    if p.frequency is Frequency.MONTHLY:
        return f"{p.year}-{p.index:02d}" if lang == "en" else p.label_zh
    return str(p.year) if lang == "en" else p.label_zh


def beijing_time(value: dt.datetime | str | None, lang: Lang) -> str:
    """A stored naive-UTC time in Beijing time: `2025-10-20 16:05（北京时间）`."""
    if value is None:
        return MISSING
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    label = t("beijing_time", lang)
    return f"{local} ({label})" if lang == "en" else f"{local}（{label}）"


def comparator_text(comparator: str) -> str:
    """`>=` → `≥`; the comparators as a reader writes them."""
    symbols = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
    return symbols.get(comparator, comparator)
