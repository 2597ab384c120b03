"""Load a plan file (TOML) into frozen catalog models, refusing a broken one with a precise message.

The format is documented in docs/plan-format.md. Every problem names the file, the entry
(e.g. `tasks[3] net-4`) and what is wrong, so whoever edits the plan can fix it without reading code.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from indicators.ledger.rules import Incentive, RuleError, parse_awards
from indicators.model import (
    Aggregation,
    Comparator,
    CompositeIndex,
    Department,
    Domain,
    IndexComponent,
    IndexDimension,
    Indicator,
    Measure,
    Plan,
    Polarity,
    Region,
    RegionLevel,
    ReportingCalendar,
    Target,
    TaskKind,
    Thresholds,
    Trajectory,
)
from indicators.model import Task as PlanTask
from indicators.periods import Frequency, Period

PLANS_DIR = Path(__file__).parent / "plans"
DEFAULT_PLAN = PLANS_DIR / "shanxi_2021.toml"
_WEIGHT_TOLERANCE = 1e-6

E = TypeVar("E")


class PlanError(ValueError):
    """A plan file that cannot be used; the message names file, entry and problem."""

    def __init__(self, file: Path | str, entry: str, problem: str) -> None:
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        super().__init__(f"{self.file}: {entry}: {problem}")


class _Reader:
    """Reads one plan file; knows the file name so every error can name it."""

    def __init__(self, file: Path | str) -> None:
        self.file = file

    def fail(self, entry: str, problem: str) -> PlanError:
        return PlanError(self.file, entry, problem)

    def required(self, raw: Mapping[str, Any], key: str, entry: str) -> Any:
        if key not in raw or raw[key] in ("", None):
            raise self.fail(entry, f"missing required key '{key}'")
        return raw[key]

    def enum(self, kind: Callable[[str], E], value: Any, entry: str, key: str) -> E:
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(v) for v in kind)  # type: ignore[attr-defined]
            raise self.fail(entry, f"bad {key} {value!r} (allowed: {allowed})") from None

    def table(self, data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
        rows = data.get(name, [])
        if not isinstance(rows, list):
            raise self.fail(name, "must be an array of tables ([[...]])")
        return rows


def load_plan(path: Path | str = DEFAULT_PLAN) -> Plan:
    """Read and check a plan file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise PlanError(path, "file", "not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(path, "file", f"not valid TOML: {exc}") from None
    return parse_plan(data, file=path)


def parse_plan(data: Mapping[str, Any], *, file: Path | str = "<plan>") -> Plan:
    """Build a Plan from already-parsed TOML data."""
    r = _Reader(file)
    head = data.get("plan")
    if not isinstance(head, dict):
        raise r.fail("plan", "missing [plan] table")
    regions = _unique(r, "regions", [_region(r, raw, i) for i, raw in enumerate(r.table(data, "regions"))])
    departments = _unique(
        r, "departments", [_department(r, raw, i) for i, raw in enumerate(r.table(data, "departments"))]
    )
    domains = _unique(r, "domains", [_domain(r, raw, i) for i, raw in enumerate(r.table(data, "domains"))])
    tasks = _unique(r, "tasks", [_task(r, raw, i) for i, raw in enumerate(r.table(data, "tasks"))])
    indicators = _unique(
        r, "indicators", [_indicator(r, raw, i) for i, raw in enumerate(r.table(data, "indicators"))]
    )
    targets = [_target(r, raw, i) for i, raw in enumerate(r.table(data, "targets"))]
    _check_references(r, regions, departments, domains, tasks, indicators, targets)
    incentives = _incentives(r, r.table(data, "tasks"), tasks)
    index = _index(r, data.get("index"), {i.code for i in indicators})
    baseline_year = int(r.required(head, "baseline_year", "plan"))
    return Plan(
        code=str(r.required(head, "code", "plan")),
        document=str(r.required(head, "document", "plan")),
        title=str(r.required(head, "title", "plan")),
        title_en=str(head.get("title_en", "")),
        document_en=str(head.get("document_en", "")),
        issued=_date(r, head.get("issued"), "plan", "issued"),
        effective_from=_date(r, head.get("effective_from", head.get("issued")), "plan", "effective_from"),
        baseline_year=baseline_year,
        history_years=int(head.get("history_years", 10)),
        regions=tuple(regions),
        departments=tuple(departments),
        domains=tuple(domains),
        tasks=tuple(tasks),
        indicators=tuple(indicators),
        targets=tuple(targets),
        thresholds=_thresholds(r, data.get("thresholds", {})),
        reporting=_reporting(r, data.get("reporting", {})),
        index=index,
        incentives=incentives,
    )


def _date(r: _Reader, value: Any, entry: str, key: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise r.fail(entry, f"bad date in '{key}': {value!r}") from None


def _strs(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _unique(r: _Reader, table: str, items: list[E]) -> list[E]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        code = item.code  # type: ignore[attr-defined]
        if code in seen:
            raise r.fail(f"{table}[{i}] {code}", f"duplicate code '{code}'")
        seen.add(code)
    return items


def _region(r: _Reader, raw: dict[str, Any], i: int) -> Region:
    entry = f"regions[{i}] {raw.get('code', '?')}"
    return Region(
        code=str(r.required(raw, "code", entry)),
        name=str(r.required(raw, "name", entry)),
        short_name=str(raw.get("short_name") or raw["name"]),
        level=r.enum(RegionLevel, raw.get("level"), entry, "level"),
        parent=str(raw["parent"]) if raw.get("parent") else None,
        name_en=str(raw.get("name_en", "")),
        aliases=_strs(raw.get("aliases")),
    )


def _department(r: _Reader, raw: dict[str, Any], i: int) -> Department:
    entry = f"departments[{i}] {raw.get('code', '?')}"
    return Department(
        code=str(r.required(raw, "code", entry)),
        name=str(r.required(raw, "name", entry)),
        short_name=str(raw.get("short_name") or raw["name"]),
        name_en=str(raw.get("name_en", "")),
        kind=str(raw.get("kind", "provincial")),
        aliases=_strs(raw.get("aliases")),
    )


def _domain(r: _Reader, raw: dict[str, Any], i: int) -> Domain:
    entry = f"domains[{i}] {raw.get('code', '?')}"
    return Domain(
        code=str(r.required(raw, "code", entry)),
        name=str(r.required(raw, "name", entry)),
        title=str(raw.get("title", raw["name"])),
        name_en=str(raw.get("name_en", "")),
        clause=str(raw.get("clause", "")),
    )


def _task(r: _Reader, raw: dict[str, Any], i: int) -> PlanTask:
    entry = f"tasks[{i}] {raw.get('code', '?')}"
    return PlanTask(
        code=str(r.required(raw, "code", entry)),
        domain=str(r.required(raw, "domain", entry)),
        kind=r.enum(TaskKind, raw.get("kind", "task"), entry, "kind"),
        clause=str(r.required(raw, "clause", entry)),
        title=str(r.required(raw, "title", entry)),
        text=str(raw.get("text", "")),
        departments=_strs(raw.get("departments")),
        title_en=str(raw.get("title_en", "")),
        departments_source=str(raw.get("departments_source", "document")),
    )


def _incentives(r: _Reader, raw_tasks: list[dict[str, Any]], tasks: list[PlanTask]) -> tuple[Incentive, ...]:
    """The award rules under policy tasks (`[[tasks.awards]]`); a broken rule names its entry."""
    out = []
    for i, (raw, task) in enumerate(zip(raw_tasks, tasks, strict=True)):
        if "awards" not in raw:
            continue
        entry = f"tasks[{i}] {task.code}"
        if task.kind is not TaskKind.POLICY:
            raise r.fail(entry, "only policy tasks (kind = 'policy') carry awards")
        try:
            out.append(parse_awards(task.code, task.clause, raw["awards"], entry))
        except RuleError as exc:
            raise r.fail(exc.entry, exc.problem) from None
    items = [x.item for x in out]
    if len(set(items)) != len(items):
        raise r.fail("tasks", "two policy tasks carry awards for the same item number")
    return tuple(out)


def _indicator(r: _Reader, raw: dict[str, Any], i: int) -> Indicator:
    entry = f"indicators[{i}] {raw.get('code', '?')}"
    levels = tuple(r.enum(RegionLevel, lv, entry, "levels") for lv in raw.get("levels", []))
    change = raw.get("change_warning", 0.5)
    if not isinstance(change, int | float) or change <= 0:
        raise r.fail(entry, f"change_warning must be a positive number, got {change!r}")
    return Indicator(
        code=str(r.required(raw, "code", entry)),
        name=str(r.required(raw, "name", entry)),
        unit=str(r.required(raw, "unit", entry)),
        frequency=r.enum(Frequency, raw.get("frequency"), entry, "frequency"),
        measure=r.enum(Measure, raw.get("measure"), entry, "measure"),
        aggregation=r.enum(Aggregation, raw.get("aggregation", "sum"), entry, "aggregation"),
        polarity=r.enum(Polarity, raw.get("polarity", "higher"), entry, "polarity"),
        domain=str(r.required(raw, "domain", entry)),
        department=str(r.required(raw, "department", entry)),
        name_en=str(raw.get("name_en", "")),
        aliases=_strs(raw.get("aliases")),
        levels=levels or (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.ZONE),
        tasks=_strs(raw.get("tasks")),
        definition=str(raw.get("definition", "")),
        change_warning=float(change),
        source=str(raw.get("source", "")),
        also_reported_by=_strs(raw.get("also_reported_by")),
        due_days=int(raw["due_days"]) if raw.get("due_days") is not None else None,
    )


def _target(r: _Reader, raw: dict[str, Any], i: int) -> Target:
    subject = raw.get("indicator") or raw.get("milestone") or "?"
    entry = f"targets[{i}] {subject}@{raw.get('region', '?')}:{raw.get('year', '?')}"
    if bool(raw.get("indicator")) == bool(raw.get("milestone")):
        raise r.fail(entry, "needs exactly one of 'indicator' (numeric) or 'milestone' (qualitative)")
    year = r.required(raw, "year", entry)
    if not isinstance(year, int):
        raise r.fail(entry, f"year must be an integer, got {year!r}")
    value = raw.get("value")
    comparator = None
    if raw.get("indicator"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise r.fail(entry, f"numeric target needs a number in 'value', got {value!r}")
        comparator = r.enum(Comparator, raw.get("comparator", ">="), entry, "comparator")
    baseline_period = raw.get("baseline_period")
    if baseline_period is not None:
        try:
            Period.parse(str(baseline_period))
        except ValueError:
            raise r.fail(entry, f"bad baseline_period {baseline_period!r}") from None
    baseline_value = raw.get("baseline_value")
    return Target(
        region=str(r.required(raw, "region", entry)),
        year=year,
        clause=str(r.required(raw, "clause", entry)),
        text=str(raw.get("text", "")),
        indicator=raw.get("indicator"),
        milestone=raw.get("milestone"),
        value=float(value) if value is not None else None,
        comparator=comparator,
        trajectory=r.enum(Trajectory, raw.get("trajectory", "linear"), entry, "trajectory"),
        baseline_period=str(baseline_period) if baseline_period is not None else None,
        baseline_value=float(baseline_value) if baseline_value is not None else None,
        tasks=_strs(raw.get("tasks")),
        name=str(raw.get("name", "")),
        name_en=str(raw.get("name_en", "")),
    )


def _check_references(
    r: _Reader,
    regions: list[Region],
    departments: list[Department],
    domains: list[Domain],
    tasks: list[PlanTask],
    indicators: list[Indicator],
    targets: list[Target],
) -> None:
    region_codes = {x.code for x in regions}
    department_codes = {x.code for x in departments}
    domain_codes = {x.code for x in domains}
    task_codes = {x.code for x in tasks}
    indicator_codes = {x.code for x in indicators}

    def known(entry: str, kind: str, values: Iterable[str | None], codes: set[str]) -> None:
        for value in values:
            if value is not None and value not in codes:
                raise r.fail(entry, f"unknown {kind} '{value}'")

    if sum(1 for x in regions if x.level is RegionLevel.PROVINCE) != 1:
        raise r.fail("regions", "exactly one region must have level 'province'")
    for i, region in enumerate(regions):
        known(f"regions[{i}] {region.code}", "parent region", [region.parent], region_codes)
    for i, task in enumerate(tasks):
        entry = f"tasks[{i}] {task.code}"
        known(entry, "domain", [task.domain], domain_codes)
        known(entry, "department", task.departments, department_codes)
    for i, ind in enumerate(indicators):
        entry = f"indicators[{i}] {ind.code}"
        known(entry, "domain", [ind.domain], domain_codes)
        known(entry, "department", [ind.department, *ind.also_reported_by], department_codes)
        known(entry, "task", ind.tasks, task_codes)
    seen: set[str] = set()
    for i, target in enumerate(targets):
        entry = f"targets[{i}] {target.id}"
        known(entry, "indicator", [target.indicator], indicator_codes)
        known(entry, "region", [target.region], region_codes)
        known(entry, "task", target.tasks, task_codes)
        if target.id in seen:
            raise r.fail(entry, f"duplicate target '{target.id}'")
        seen.add(target.id)


def _thresholds(r: _Reader, raw: Mapping[str, Any]) -> Thresholds:
    defaults = Thresholds()
    values = {name: float(raw.get(name, getattr(defaults, name))) for name in Thresholds.__slots__}
    if not values["behind"] < values["on_track"]:
        raise r.fail("thresholds", "'behind' must be below 'on_track'")
    return Thresholds(**values)


def _reporting(r: _Reader, raw: Mapping[str, Any]) -> ReportingCalendar:
    defaults = ReportingCalendar()
    days = raw.get("due_days", {})
    values = {name: days.get(name, getattr(defaults, name)) for name in ReportingCalendar.__slots__}
    for name, value in values.items():
        if not isinstance(value, int) or value < 0:
            raise r.fail("reporting", f"due_days.{name} must be a whole number of days, got {value!r}")
    return ReportingCalendar(**values)


def _index(r: _Reader, raw: Mapping[str, Any] | None, indicator_codes: set[str]) -> CompositeIndex:
    if not raw:
        return CompositeIndex(base_year=2020)
    dimensions = []
    for i, dim in enumerate(raw.get("dimensions", [])):
        entry = f"index.dimensions[{i}] {dim.get('code', '?')}"
        components = []
        for comp in dim.get("indicators", []):
            code = str(r.required(comp, "code", entry))
            if code not in indicator_codes:
                raise r.fail(entry, f"unknown indicator '{code}'")
            reference = float(comp.get("reference", 0))
            if not reference > 0:
                raise r.fail(entry, f"indicator '{code}' needs a reference value > 0")
            components.append(
                IndexComponent(indicator=code, weight=float(comp.get("weight", 0)), reference=reference)
            )
        if components and abs(sum(c.weight for c in components) - 1) > _WEIGHT_TOLERANCE:
            raise r.fail(entry, "indicator weights must sum to 1")
        dimensions.append(
            IndexDimension(
                code=str(r.required(dim, "code", entry)),
                name=str(r.required(dim, "name", entry)),
                name_en=str(dim.get("name_en", "")),
                weight=float(dim.get("weight", 0)),
                components=tuple(components),
            )
        )
    if dimensions and abs(sum(d.weight for d in dimensions) - 1) > _WEIGHT_TOLERANCE:
        raise r.fail("index.dimensions", "dimension weights must sum to 1")
    cap = float(raw.get("cap", 300.0))
    min_coverage = float(raw.get("min_coverage", 0.7))
    if not cap > 100 or not 0 < min_coverage <= 1:
        raise r.fail("index", "cap must exceed 100 and min_coverage lie in (0, 1]")
    return CompositeIndex(
        base_year=int(raw.get("base_year", 2020)),
        dimensions=tuple(dimensions),
        cap=cap,
        min_coverage=min_coverage,
    )
