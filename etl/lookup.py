"""The lexicon: what a workbook's words mean in the plan: regions, indicators (with a unit in
brackets), and the role a column header names (`ColumnRole`, not to be confused with a user's role).

Everything is matched on folded text (full-width → half-width, no spaces, case-insensitive), so
`太原市 `, `太原` and `140100` are one region and `5G基站数（个）` is `base_stations_5g` in 个.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from etl.text import fold
from indicators.model import Plan
from indicators.units import is_known_unit

#: Row labels that mean the province's own reported total, whatever the plan calls its province.
TOTAL_LABELS = ("全省", "合计", "总计", "全省合计", "全省总计", "总体", "total")

#: Bracketed words in a header that qualify the number rather than give its unit: `收入(累计)`.
QUALIFIERS = frozenset(
    fold(w) for w in ("累计", "累计值", "本期", "本期值", "期末", "期末数", "当期", "本年累计")
)

_BRACKETED = re.compile(r"^(?P<name>.*?)\s*[(\[【](?P<inner>[^()\[\]【】]*)[)\]】]\s*$")
_PARTS = re.compile(r"[,，;；、]")
_UNIT_NOTE = re.compile(r"单位[:：]\s*(?P<unit>[^\s,，;；)）]+)")


class ColumnRole(StrEnum):
    """What a column of a long table holds, as its header word says (`地区` → REGION)."""

    INDICATOR = "indicator"
    REGION = "region"
    PERIOD = "period"
    VALUE = "value"
    UNIT = "unit"
    NOTE = "note"
    IGNORE = "ignore"


#: Header words of each role, Chinese as bureaus write them and English as exports write them.
ROLE_HEADERS: dict[ColumnRole, tuple[str, ...]] = {
    ColumnRole.INDICATOR: (
        "指标",
        "指标名称",
        "指标名",
        "指标代码",
        "项目",
        "项目名称",
        "indicator",
        "indicator_name",
    ),
    ColumnRole.REGION: (
        *("地区", "地市", "城市", "地区名称", "地区代码", "市", "市别", "区域", "行政区划", "行政区划代码"),
        *("region", "region_code", "city", "area"),
    ),
    ColumnRole.PERIOD: ("时期", "期别", "报告期", "统计期", "统计时期", "时间", "期间", "统计时间", "period"),
    ColumnRole.VALUE: (
        *(
            "数值",
            "本期值",
            "累计值",
            "值",
            "指标值",
            "本期数",
            "本年累计",
            "本期",
            "期末值",
            "期末数",
            "数据",
        ),
        "value",
    ),
    ColumnRole.UNIT: ("单位", "计量单位", "unit", "units"),
    ColumnRole.NOTE: ("备注", "说明", "附注", "note", "notes", "remark", "remarks"),
    ColumnRole.IGNORE: ("序号", "编号", "行次", "填报单位", "填报人", "no", "no.", "#", "id"),
}


@dataclass(frozen=True, slots=True)
class IndicatorMatch:
    code: str | None
    unit: str  # unit written in brackets in the same cell, '' when none


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every way the plan lets a region, an indicator or a column be written, built once per upload."""

    plan: Plan
    regions: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, str] = field(default_factory=dict)
    roles: dict[str, ColumnRole] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: Plan) -> Lexicon:
        """Index every way the plan lets a region or an indicator be written."""
        region_names = [
            (text, r.code) for r in plan.regions for text in (r.name, r.short_name, r.name_en, *r.aliases)
        ]
        region_names += [(label, plan.province.code) for label in TOTAL_LABELS]
        indicator_names = [
            (text, i.code) for i in plan.indicators for text in (i.name, i.name_en, *i.aliases)
        ]
        return cls(
            plan,
            regions=_unambiguous(region_names, [r.code for r in plan.regions]),
            indicators=_unambiguous(indicator_names, [i.code for i in plan.indicators]),
            roles={fold(word): role for role, words in ROLE_HEADERS.items() for word in words},
        )

    def region(self, text: str) -> str | None:
        """Region code for a cell, or None."""
        return self.regions.get(fold(text)) if text else None

    def indicator(self, text: str) -> IndicatorMatch:
        """Indicator code for a cell or header, and the unit bracketed in it (`软件业务收入(万元)`)."""
        if not text:
            return IndicatorMatch(None, "")
        match = _BRACKETED.match(unicodedata.normalize("NFKC", text).strip())
        if match:
            code = self.indicators.get(fold(match["name"]))
            if code is not None:
                return IndicatorMatch(code, _bracket_unit(match["inner"]))
        return IndicatorMatch(self.indicators.get(fold(text)), "")

    def role(self, text: str) -> ColumnRole | None:
        """The role a header word names (`地区` → region), or None."""
        return self.roles.get(fold(text)) if text else None

    def find_region(self, text: str) -> str | None:
        """The region a title or sheet name speaks of (`太原市数字经济主要指标`), longest name first."""
        return _find(self.regions, text)

    def find_indicator(self, text: str) -> str | None:
        """The indicator a title or sheet name speaks of, longest name first."""
        return _find(self.indicators, text)


def _unambiguous(names: list[tuple[str, str]], codes: list[str]) -> dict[str, str]:
    """Folded name → code, leaving out a name two entries share (two counties called 城区): only
    the code can say which one is meant. Codes always resolve."""
    seen: dict[str, set[str]] = {}
    for text, code in names:
        if text:
            seen.setdefault(fold(text), set()).add(code)
    table = {name: next(iter(found)) for name, found in seen.items() if len(found) == 1}
    table.update({fold(code): code for code in codes})
    return table


def _find(table: dict[str, str], text: str) -> str | None:
    key = fold(text)
    hits = [name for name in table if len(name) > 1 and not name.isdigit() and name in key]
    return table[max(hits, key=len)] if hits else None


def _bracket_unit(inner: str) -> str:
    """The unit among the bracketed words; qualifiers such as 累计 are dropped; anything else is kept."""
    parts = [p.strip() for p in _PARTS.split(inner) if p.strip() and fold(p) not in QUALIFIERS]
    units = [p for p in parts if is_known_unit(p)]
    if units:
        return units[0]
    return parts[0] if parts else ""


def unit_note(text: str) -> str:
    """A sheet-wide unit announced above the table: `单位：万元` → `万元`; '' when none."""
    match = _UNIT_NOTE.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return match["unit"] if match else ""
