"""Deterministic Chinese wording of the engine's output: numbers, periods, statuses, sentences.

Every sentence is a template filled from one progress record (the service's row as a dict); nothing
here computes a number the engine did not. Statuses are worded through a mapping with a fallback,
so a status the engine adds later (e.g. one for targets awaiting their final data) still reads
sensibly: it is named by the engine's own label.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeGuard

from indicators.periods import Frequency, Period

CHINESE_NUMERALS = "〇一二三四五六七八九"
QUARTER_WORDS = {1: "一", 2: "二", 3: "三", 4: "四"}
COUNT_UNITS = {"个", "家", "户", "架", "座", "处", "项", "人", "台", "条"}
TEN_THOUSAND = 10_000
SMALL = 1.0  # below this a value keeps up to 4 decimals (0.3055 元/千瓦时)

STATUS_ORDER = ("achieved", "ahead", "on_track", "behind", "severely_behind", "missed", "no_data")
"""The order in which status counts are listed; statuses not named here follow, in order of appearance."""

STATUS_PHRASES: dict[str, str] = {
    "ahead": "进度超前",
    "on_track": "进度正常",
    "behind": "进度滞后",
    "severely_behind": "进度严重滞后",
}
"""How a sentence ends for a target still in progress; any other status falls back to its label."""


def period_title(period: Period) -> str:
    """2025Q3 → 2025年第三季度; 2025 → 2025年; 2025-09 → 2025年9月."""
    if period.frequency is Frequency.QUARTERLY:
        return f"{period.year}年第{QUARTER_WORDS[period.index]}季度"
    if period.frequency is Frequency.ANNUAL:
        return f"{period.year}年"
    return f"{period.year}年{period.index}月"


def period_short(text: str | None) -> str:
    """The as-of words after 截至: 2025Q3 → 2025年三季度; 2025 → 2025年底; None → —."""
    if not text:
        return "—"
    try:
        period = Period.parse(text)
    except ValueError:
        return text
    if period.frequency is Frequency.QUARTERLY:
        return f"{period.year}年{QUARTER_WORDS[period.index]}季度"
    if period.frequency is Frequency.ANNUAL:
        return f"{period.year}年底"
    return f"{period.year}年{period.index}月"


def is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: Any, *, grouped: bool = True) -> str:
    """A value without its unit: 6,230 (6230 in running text), 3,177.3, 0.3055; — when missing."""
    if not is_number(value):
        return "—"
    if abs(value) < SMALL and value != 0:
        return _trim(f"{value:.4f}")
    sep = "," if grouped else ""
    if float(value).is_integer():
        return f"{value:{sep}.0f}"
    return _trim(f"{value:{sep}.2f}")


def quantity(value: Any, unit: str) -> str:
    """A value with its unit as running text writes it: 6230亿元, counts from 10,000 in 万 (12.54万个)."""
    if not is_number(value):
        return "—"
    if unit in COUNT_UNITS and abs(value) >= TEN_THOUSAND:
        return f"{_trim(f'{value / TEN_THOUSAND:.2f}')}万{unit}"
    return f"{number(value, grouped=False)}{unit}"


def percent(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage: 0.779 → 77.9%."""
    return f"{value * 100:.{digits}f}%" if is_number(value) else "—"


def points(value: Any) -> str:
    return f"{value:.1f}" if is_number(value) else "—"


def status_label(record: Mapping[str, Any]) -> str:
    """The status as the engine labels it, else its code (a status no label table knows yet)."""
    label = record.get("status_zh")
    return str(label) if isinstance(label, str) and label else str(record.get("status") or "—")


def comparator_words(comparator: str | None) -> str:
    return {">": "突破", "<=": "不高于", "<": "低于"}.get(comparator or "", "")


def target_words(record: Mapping[str, Any]) -> str:
    """2022年3万个 / 2025年8000亿元 / 2025年不高于0.3元/千瓦时."""
    unit = str(record.get("unit") or "")
    return f"{record['year']}年{comparator_words(record.get('comparator'))}{quantity(record['target'], unit)}"


def yoy_words(yoy: Any) -> str:
    """同比增长12.3% / 同比下降1.2% / 同比持平; empty when there is no YoY."""
    if not is_number(yoy):
        return ""
    if round(yoy * 100, 1) == 0:
        return "同比持平"
    return f"同比{'增长' if yoy > 0 else '下降'}{abs(yoy) * 100:.1f}%"


def schedule_words(gap_pp: Any) -> str:
    """快于序时进度5.3个百分点 / 慢于… / 与序时进度持平."""
    if not is_number(gap_pp):
        return ""
    if round(gap_pp, 1) == 0:
        return "与序时进度持平"
    return f"{'快于' if gap_pp > 0 else '慢于'}序时进度{abs(gap_pp):.1f}个百分点"


def value_words(record: Mapping[str, Any], *, flow: bool) -> str:
    """累计X / 达到X: year-to-date flows are 累计, levels 达到."""
    unit = str(record.get("unit") or "")
    return f"{'累计' if flow else '达到'}{quantity(record.get('current'), unit)}"


def target_sentence(record: Mapping[str, Any], *, flow: bool = False, region: str = "") -> str:
    """One target's progress in a sentence, from its record alone (no computation of our own).

    Examples: 5G基站数达到12.54万个，已完成2022年3万个的目标; 数字经济规模2024年底达到6230亿元，
    完成2025年8000亿元目标的77.9%，慢于序时进度5.3个百分点，进度滞后. The value's period is
    named when it is not the brief's own (an annual value, or a target judged at its deadline).
    """
    name = f"{region}{record.get('name') or record.get('indicator')}"
    status = str(record.get("status") or "")
    if status == "no_data" or not is_number(record.get("current")):
        return f"{name}暂无数据（{status_label(record)}）"
    current_period = record.get("current_period")
    when = (
        period_short(str(current_period)) if current_period and current_period != record.get("as_of") else ""
    )
    parts = [f"{name}{when}{value_words(record, flow=flow)}"]
    yoy = yoy_words(record.get("yoy"))
    if yoy:
        parts.append(yoy)
    goal = target_words(record)
    if status == "achieved":
        early = record.get("as_of") and _before_deadline(record)
        parts.append(f"{'提前' if early else '已'}完成{goal}的目标")
    elif status == "missed":
        parts.append(f"未完成{goal}的目标，完成率{percent(record.get('completion'))}")
    else:
        parts.append(f"完成{goal}目标的{percent(record.get('completion'))}")
        gap = schedule_words(record.get("schedule_gap_pp"))
        if gap:
            parts.append(gap)
        parts.append(STATUS_PHRASES.get(status, f"状态为“{status_label(record)}”"))
    return "，".join(parts)


def _before_deadline(record: Mapping[str, Any]) -> bool:
    try:
        return Period.parse(str(record["as_of"])).year <= int(record["year"])
    except (KeyError, ValueError):
        return False


def status_counts_sentence(records: Iterable[Mapping[str, Any]], *, subject: str) -> str:
    """全省9项量化目标中，已完成3项、正常2项…: every status the records carry, known ones in order."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for record in records:
        status = str(record.get("status") or "")
        counts[status] = counts.get(status, 0) + 1
        labels[status] = status_label(record)
    if not counts:
        return f"{subject}暂无量化目标"
    known = [s for s in STATUS_ORDER if s in counts]
    order = known + [s for s in counts if s not in STATUS_ORDER]
    listed = "、".join(f"{labels[s]}{counts[s]}项" for s in order)
    return f"{subject}{sum(counts.values())}项量化目标中，{listed}"


def ranking_sentence(names: list[str], *, indicator: str) -> str:
    """从各市看，X居前三位的是太原、晋中、大同."""
    if not names:
        return ""
    top = "、".join(names[:3])
    return f"从各市看，{indicator}居前{CHINESE_NUMERALS[min(3, len(names))]}位的是{top}"


def city_sentence(row: Mapping[str, Any], *, city: str, name: str, unit: str, peers: int) -> str:
    """太原市5G基站数达到3.2万个，同比增长8.1%，居全省第1位，占全省的25.6%."""
    parts = [f"{city}{name}{'达到' if is_number(row.get('value')) else ''}{quantity(row.get('value'), unit)}"]
    yoy = yoy_words(row.get("yoy"))
    if yoy:
        parts.append(yoy)
    rank = row.get("rank")
    if is_number(rank):
        parts.append(f"居全省第{int(rank)}位（共{peers}市）")
    if is_number(row.get("share")):
        parts.append(f"占全省的{percent(row.get('share'))}")
    return "，".join(parts)
