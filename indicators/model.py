"""The domain model: a plan as data: regions, departments, domains, tasks, indicators, targets.

Frozen dataclasses built by `indicators.plan.load_plan`; nothing here reads files. (Formerly
`indicators.catalog`: "catalog" is what the database copy and `dem catalog` call the plan's lists;
this module holds the model itself.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from indicators.ledger.rules import Incentive
from indicators.periods import Frequency


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    ZONE = "zone"


class Measure(StrEnum):
    STOCK = "stock"  # level at the end of the period
    FLOW = "flow"  # year-to-date cumulative (累计值)
    RATE = "rate"  # ratio or price


class Aggregation(StrEnum):
    SUM = "sum"
    NONE = "none"


class Polarity(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Comparator(StrEnum):
    GE = ">="
    GT = ">"
    LE = "<="
    LT = "<"

    @property
    def lower_is_better(self) -> bool:
        return self in (Comparator.LE, Comparator.LT)

    def met(self, value: float, target: float) -> bool:
        """Whether `value` meets `target` by this comparator."""
        if self is Comparator.GE:
            return value >= target
        if self is Comparator.GT:
            return value > target
        if self is Comparator.LE:
            return value <= target
        return value < target


class Trajectory(StrEnum):
    LINEAR = "linear"
    GEOMETRIC = "geometric"
    SEASONAL = "seasonal"


class TaskKind(StrEnum):
    TASK = "task"
    COLUMN = "column"
    SAFEGUARD = "safeguard"
    POLICY = "policy"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    short_name: str
    level: RegionLevel
    parent: str | None = None
    name_en: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def summable(self) -> bool:
        """Zones overlap cities and are never counted into a total."""
        return self.level is not RegionLevel.ZONE


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str
    short_name: str
    name_en: str = ""
    kind: str = "provincial"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Domain:
    code: str
    name: str
    title: str
    name_en: str = ""
    clause: str = ""


@dataclass(frozen=True, slots=True)
class Task:
    code: str
    domain: str
    kind: TaskKind
    clause: str
    title: str
    text: str
    departments: tuple[str, ...]
    title_en: str = ""
    departments_source: str = "document"

    @property
    def lead(self) -> str | None:
        return self.departments[0] if self.departments else None

    @property
    def support(self) -> tuple[str, ...]:
        return self.departments[1:]


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: str
    unit: str
    frequency: Frequency
    measure: Measure
    aggregation: Aggregation
    polarity: Polarity
    domain: str
    department: str
    name_en: str = ""
    aliases: tuple[str, ...] = ()
    levels: tuple[RegionLevel, ...] = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.ZONE)
    tasks: tuple[str, ...] = ()
    definition: str = ""
    change_warning: float = 0.5
    source: str = ""
    #: other departments the plan lets upload this indicator (the reporting one always may)
    also_reported_by: tuple[str, ...] = ()
    #: days after the period ends by which values are due; None: the plan's calendar for the frequency
    due_days: int | None = None

    @property
    def is_count(self) -> bool:
        """Counts cannot be negative (an upload with one is an error)."""
        return self.unit in {"个", "家", "户", "架", "座", "处", "项", "人", "台", "条"}


@dataclass(frozen=True, slots=True)
class Target:
    """A numeric target (`indicator` + `value`) or a qualitative milestone (`milestone`, no value)."""

    region: str
    year: int
    clause: str
    text: str = ""
    indicator: str | None = None
    milestone: str | None = None
    value: float | None = None
    comparator: Comparator | None = None
    trajectory: Trajectory = Trajectory.LINEAR
    baseline_period: str | None = None
    baseline_value: float | None = None
    tasks: tuple[str, ...] = ()
    name: str = ""
    name_en: str = ""

    @property
    def subject(self) -> str:
        return self.indicator or self.milestone or ""

    @property
    def id(self) -> str:
        return f"{self.subject}@{self.region}:{self.year}"

    @property
    def is_milestone(self) -> bool:
        return self.indicator is None


@dataclass(frozen=True, slots=True)
class Thresholds:
    on_track: float = 0.9
    behind: float = 0.7
    trend_substantial: float = 0.95
    trend_moderate: float = 0.6
    trend_limited: float = 0.0
    inconsistency: float = 0.01


@dataclass(frozen=True, slots=True)
class ReportingCalendar:
    """Days after a period ends by which its values are due, by frequency (the plan's `[reporting]`).

    Annual statistics (the 统计年报) arrive months after the year; quarterly ones within weeks.
    An indicator's own `due_days` overrides its frequency's.
    """

    annual: int = 150
    quarterly: int = 45
    monthly: int = 20


@dataclass(frozen=True, slots=True)
class IndexComponent:
    """One indicator of the index: its weight in its dimension and the province's reference value.

    `reference` is the value that scores 100 (the plan's 2025 target where it has one, else the
    goalpost the plan file states); lower-is-better indicators score 100 · reference / value.
    """

    indicator: str
    weight: float
    reference: float = 0.0


@dataclass(frozen=True, slots=True)
class IndexDimension:
    code: str
    name: str
    weight: float
    components: tuple[IndexComponent, ...]
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class CompositeIndex:
    """The composite index's method settings (docs/methodology.md § 十三).

    `cap`: a normalised score above it is capped (outliers do not dominate); `min_coverage`: below
    this share of the weight with data, an index value is not published.
    """

    base_year: int
    dimensions: tuple[IndexDimension, ...] = ()
    cap: float = 300.0
    min_coverage: float = 0.7


@dataclass(frozen=True, slots=True)
class Plan:
    code: str
    document: str
    title: str
    issued: dt.date
    effective_from: dt.date
    baseline_year: int
    regions: tuple[Region, ...]
    departments: tuple[Department, ...]
    domains: tuple[Domain, ...]
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...]
    thresholds: Thresholds = Thresholds()
    reporting: ReportingCalendar = ReportingCalendar()
    index: CompositeIndex = CompositeIndex(base_year=2020)
    title_en: str = ""
    document_en: str = ""  # the document number as English text cites it
    #: years before `baseline_year` from which data is plausible (indicators.plausibility)
    history_years: int = 10
    #: award rules of the policy items (若干政策), from the policy tasks' `awards`
    incentives: tuple[Incentive, ...] = ()
    _by_code: dict[str, dict[str, object]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("regions", "departments", "domains", "tasks", "indicators"):
            self._by_code[name] = {item.code: item for item in getattr(self, name)}
        self._by_code["targets"] = {t.id: t for t in self.targets}

    def incentive(self, item: int) -> Incentive:
        """The award rules of policy item N (KeyError when the item has none)."""
        found = next((i for i in self.incentives if i.item == item), None)
        if found is None:
            raise KeyError(item)
        return found

    def region(self, code: str) -> Region:
        return self._by_code["regions"][code]  # type: ignore[return-value]

    def department(self, code: str) -> Department:
        return self._by_code["departments"][code]  # type: ignore[return-value]

    def task(self, code: str) -> Task:
        return self._by_code["tasks"][code]  # type: ignore[return-value]

    def indicator(self, code: str) -> Indicator:
        return self._by_code["indicators"][code]  # type: ignore[return-value]

    def target(self, target_id: str) -> Target:
        return self._by_code["targets"][target_id]  # type: ignore[return-value]

    @property
    def province(self) -> Region:
        return next(r for r in self.regions if r.level is RegionLevel.PROVINCE)

    @property
    def monitor_name(self) -> str:
        """What the system is called for this plan (山西省数字经济发展监测): header, briefs, issuer."""
        return f"{self.province.name}数字经济发展监测"

    @property
    def monitor_name_en(self) -> str:
        """The English name: `Shanxi Digital Economy Monitor` from `Shanxi Province`."""
        place = self.province.name_en.removesuffix(" Province") or self.province.short_name
        return f"{place} Digital Economy Monitor"

    def children(self, code: str) -> tuple[Region, ...]:
        return tuple(r for r in self.regions if r.parent == code)

    @property
    def numeric_targets(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if not t.is_milestone)

    def department_tasks(self, department: str) -> tuple[Task, ...]:
        """Tasks the department leads or supports."""
        return tuple(t for t in self.tasks if department in t.departments)

    def department_indicators(self, department: str) -> tuple[Indicator, ...]:
        """Indicators linked to tasks the department leads or supports: its monitoring scope."""
        task_codes = {t.code for t in self.department_tasks(department)}
        return tuple(i for i in self.indicators if task_codes.intersection(i.tasks))
