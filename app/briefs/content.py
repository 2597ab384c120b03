"""What a brief says, independent of its format: sections of paragraphs, tables and charts.

Frozen dataclasses only: the renderers read them, tests compare them, and `content_sha256` hashes
them, so a reproduced brief can be checked against its original without comparing file bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum

Cell = str | float | int | None


class ColumnKind(StrEnum):
    """How a column's numbers are written: the docx formats them as text, the xlsx as number formats."""

    TEXT = "text"
    NUMBER = "number"  # a value in the indicator's unit, thousands separated
    INTEGER = "integer"
    PERCENT = "percent"  # a fraction shown as %
    POINTS = "points"  # percentage points, already ×100


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float = 10.0  # in characters, for the xlsx column and the docx proportion


@dataclass(frozen=True, slots=True)
class Table:
    """A table: the xlsx writes each as its own sheet named `sheet`."""

    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


class ChartKind(StrEnum):
    TRAJECTORY = "trajectory"  # the values over time against the target path
    RANKING = "ranking"  # horizontal bars, one per region, best first
    STATUS = "status"  # how many targets have each status


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    x: tuple[str, ...]  # period labels (trajectory) or categories (ranking, status)
    y: tuple[float | None, ...]
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Panel:
    """One plot of a chart; a trajectory chart has one panel per key target (small multiples)."""

    title: str
    unit: str
    series: tuple[Series, ...]
    highlight: str | None = None  # a category drawn in the accent colour (the brief's city)


@dataclass(frozen=True, slots=True)
class Chart:
    key: str  # file-name-safe, unique within the brief
    kind: ChartKind
    title: str
    panels: tuple[Panel, ...]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    bold_lead: str = ""  # a lead-in written in bold before the text (e.g. "（一）网络基础设施。")


Block = Paragraph | Table | Chart


@dataclass(frozen=True, slots=True)
class Section:
    heading: str  # with its numbering, e.g. "一、总体情况"
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True, slots=True)
class BriefContent:
    """One brief: the title block, the written summary, then the sections."""

    title: str
    subtitle: str  # the period, e.g. （2025年第三季度）
    issuer: str
    date_text: str  # e.g. 2026年12月1日
    summary: tuple[str, ...]
    sections: tuple[Section, ...]
    footer: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)  # scope, period, data version: shown in notes

    def tables(self) -> list[Table]:
        """Every table in reading order (the xlsx's sheets)."""
        return [b for b in self._blocks() if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for b in self._blocks() if isinstance(b, Chart)]

    def paragraphs(self) -> list[str]:
        return list(self.summary) + [b.bold_lead + b.text for b in self._blocks() if isinstance(b, Paragraph)]

    def _blocks(self) -> list[Block]:
        out: list[Block] = []

        def walk(section: Section) -> None:
            out.extend(section.blocks)
            for sub in section.subsections:
                walk(sub)

        for section in self.sections:
            walk(section)
        return out


def content_sha256(content: BriefContent) -> str:
    """A hash of everything the brief says (canonical JSON of the content), independent of format."""
    text = json.dumps(dataclasses.asdict(content), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
