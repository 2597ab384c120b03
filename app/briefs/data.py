"""What a brief is built from: the progress service's output and the data notes, gathered once.

`app.services.briefs` fills a `BriefData` (it alone touches the database); `app.briefs.compose`
turns it into content without reading anything else, so the same data always gives the same brief.
Records are the progress service's JSON-safe rows (`progress.records`), untouched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from indicators.model import Plan
from indicators.periods import Period

Record = dict[str, Any]


@dataclass(frozen=True)
class CityRanking:
    """One indicator's city breakdown (the progress service's `city_breakdown` rows, best first)."""

    indicator: str
    name: str
    unit: str
    rows: tuple[Record, ...]


@dataclass(frozen=True)
class DeadlineVerdict:
    """A numeric target judged at its deadline, with what happened after it."""

    at_deadline: Record  # the progress record as of the deadline's last quarter
    latest: Record  # the progress record as of the brief's period
    reached_period: str | None  # the first period after the deadline whose value meets the target


@dataclass(frozen=True)
class BriefData:
    plan: Plan
    scope_kind: str  # province | department | region | final
    scope_code: str | None
    scope_label: str
    period: Period
    issued: dt.date
    data_version: int | None
    published_on: dt.date | None
    progress: tuple[Record, ...]  # targets in scope as of the period
    series: dict[str, tuple[tuple[str, float], ...]]  # indicator → the province's values, oldest first
    rankings: tuple[CityRanking, ...] = ()
    region_rows: tuple[Record, ...] = ()  # a city's indicators (region scope) or the reported ones
    tasks: tuple[Record, ...] = ()  # task code, title, clause, role, lead, note status/narrative/period
    milestones: tuple[Record, ...] = ()  # final: milestone targets with their tasks' notes
    verdicts: tuple[DeadlineVerdict, ...] = ()
    sources: tuple[Record, ...] = ()  # upload id, file name, values used
    revisions: tuple[Record, ...] = ()
    previous_version: int | None = None
    missing: tuple[Record, ...] = ()  # expected values not received for the period
    periods_covered: tuple[str, str] | None = None
    ledger: tuple[Record, ...] = ()  # 政策兑现 per item in scope, as the ledger stood at the brief's time
    extra: dict[str, Any] = field(default_factory=dict)
