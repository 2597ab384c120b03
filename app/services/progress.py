"""Progress against the plan's targets, for a scope and a data vintage, from the published values.

The one use case behind the API, the dashboard, the briefs and `dem progress`, so that they cannot
show different numbers for the same question. Every read is set-wise: one SELECT of the current
values (or of a past vintage, `published_on`), one call of the vectorised engine over every target
in scope, whatever the number of targets.

- Scope (region, department, year, indicator) only chooses targets; the default as-of period is the
  latest period with any data, not the latest within the scope, so a department's rows are exactly
  the province view's rows for its targets.
- Explanations are rendered only when asked (`explain=True`): text is the costliest step at national
  scale and a dashboard shows a page of rows, not 50,000.
- Values are ordered before the engine sums cities into a province, so both backends (which return
  rows in different orders) give bit-identical sums.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.errors import DomainError
from app.services.cache import DataCache
from app.store import observations as obs_store
from app.store import page_reads
from app.store import progress_facts as facts_store
from etl.periods import read_period
from indicators.aggregate import aggregate_regions, region_tree, sum_sources
from indicators.cities import city_breakdown as compute_city_breakdown
from indicators.explain import explain_progress
from indicators.facts import facts_from_index
from indicators.model import Aggregation, Plan, Target
from indicators.periods import Period
from indicators.progress import STATUS_LABELS, TREND_LABELS, facts_request, progress_from_facts
from indicators.series import SeriesIndex, frequency_months, parse_periods

RECORD_FIELDS = (
    "target_id", "indicator", "region", "year", "comparator", "target", "baseline", "baseline_period",
    "current", "current_period", "expected", "completion", "expected_completion", "schedule_gap_pp",
    "gap_closed", "progress_ratio", "status", "trend", "projected", "projected_year", "explanation",
    "flags",
)  # fmt: skip
"""Fields every progress record starts with (the contract of `dem progress --json` and the API)."""

LABEL_COLUMNS = (
    "name", "name_en", "unit", "region_name", "status_zh", "status_en", "trend_zh", "trend_en",
    "verdict_zh", "verdict_en",
)  # fmt: skip
"""Columns `progress` adds to the engine's frame: what a reader needs besides codes."""

_MEASURE_OBSERVATIONS = ["indicator", "region", "period", "value"]


REPORTING_TZ = ZoneInfo("Asia/Shanghai")


class ScopeError(DomainError, ValueError):
    """A region, department, indicator or period that the plan does not know (422 `unknown-scope`)."""

    default_status = 422

    def __init__(self, message_zh: str, message_en: str, code: str = "unknown-scope") -> None:
        super().__init__(code, message_zh, message_en)


@dataclass(frozen=True)
class ProgressQuery:
    """Which targets, judged at which period, on the values as published on which day (None: now)."""

    as_of: str | None = None
    region: str | None = None
    department: str | None = None
    year: int | None = None
    published_on: dt.date | None = None
    indicator: str | None = None
    data_version: int | None = None  # read the values as of this observation id (see fetch_data_version)


@dataclass(frozen=True, slots=True)
class IndicatorFreshness:
    """The newest period of one indicator and when its values last changed (None: never published)."""

    indicator: str
    name: str
    latest_period: str | None
    last_published_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DataFreshness:
    """How recent the published data are, overall and per indicator of the plan."""

    latest_period: str | None
    last_published_at: dt.datetime | None
    indicators: tuple[IndicatorFreshness, ...]


def parse_as_of(text: str) -> Period:
    """A period as an operator types it: `2025Q3`, `2025q3`, `2025年第三季度`, `2025年1-9月`, `2024`.

    `etl.periods.read_period` reads it (the one free-text reading); this raises the scope error.
    """
    period = read_period(text)
    if period is None:
        raise ScopeError(
            f"时期格式有误，应如 2025Q3：{text!r}", f"bad period, expected e.g. 2025Q3: {text!r}"
        )
    return period


def vintage_cutoff(published_on: dt.date | None) -> dt.datetime | None:
    """Values published on or before the given day: everything before the next midnight.

    The day is a Beijing day (what a user means by "as published on 3 October"); publication times
    are stored as naive UTC (app.services.clock), so the cutoff is converted to UTC.
    """
    if published_on is None:
        return None
    midnight = dt.datetime.combine(published_on + dt.timedelta(days=1), dt.time(), tzinfo=REPORTING_TZ)
    return midnight.astimezone(dt.UTC).replace(tzinfo=None)


def scoped_targets(plan: Plan, query: ProgressQuery) -> list[Target]:
    """Numeric targets within the query's region, department, indicator and year."""
    targets = list(plan.numeric_targets)
    if query.region is not None:
        if query.region not in {r.code for r in plan.regions}:
            raise ScopeError(f"未知地区：{query.region}", f"unknown region: {query.region}")
        targets = [t for t in targets if t.region == query.region]
    if query.department is not None:
        if query.department not in {d.code for d in plan.departments}:
            raise ScopeError(f"未知部门：{query.department}", f"unknown department: {query.department}")
        scope = {i.code for i in plan.department_indicators(query.department)}
        targets = [t for t in targets if t.indicator in scope]
    if query.indicator is not None:
        _check_indicator(plan, query.indicator)
        targets = [t for t in targets if t.indicator == query.indicator]
    if query.year is not None:
        targets = [t for t in targets if t.year == query.year]
    return targets


def fetch_observations(
    engine: sa.Engine,
    *,
    published_on: dt.date | None = None,
    indicators: list[str] | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    """Current values (or those of a past vintage) in the shape the engine takes, in a fixed order."""
    frame = _fetch(engine, published_on=published_on, indicators=indicators, data_version=data_version)
    return frame[_MEASURE_OBSERVATIONS]


def data_version(*, engine: sa.Engine, published_on: dt.date | None = None) -> int | None:
    """The data version of the values as published now (or on a day): the newest observation id.

    Passing it back as `ProgressQuery.data_version` gives the same numbers after any later revision.
    """
    with engine.connect() as conn:
        return obs_store.fetch_data_version(conn, published_before=vintage_cutoff(published_on))


def latest_period(
    *,
    engine: sa.Engine,
    published_on: dt.date | None = None,
    indicator: str | None = None,
    data_version: int | None = None,
) -> str | None:
    """The latest period with any published value (of one indicator, if given); None when none."""
    frame = _fetch(
        engine,
        published_on=published_on,
        indicators=[indicator] if indicator else None,
        data_version=data_version,
    )
    return _latest(frame["period"])


def progress(
    *,
    engine: sa.Engine,
    plan: Plan,
    query: ProgressQuery = ProgressQuery(),
    explain: bool = False,
    cache: DataCache | None = None,
) -> pd.DataFrame:
    """One row per numeric target in scope (engine columns, then LABEL_COLUMNS), in plan order.

    `explain=True` fills `explanation_zh`/`explanation_en`; otherwise they are None, and
    `indicators.explain.explain_progress` can fill them later for just the rows a page shows. With a
    `cache` (the app's), a question already answered at the current data version is answered from
    it: the values are read at that version, so the entry is exactly what a fresh computation would
    give until the next publish or rollback.
    """
    if cache is None:
        return _progress(engine=engine, plan=plan, query=query, explain=explain)
    version = query.data_version
    pinned = query
    if version is None:
        version = data_version(engine=engine, published_on=query.published_on)
        if query.published_on is None:
            pinned = replace(query, data_version=version)
    frame = cache.get_or_compute(
        ("progress", id(plan), query, explain),
        version=version,
        compute=lambda: _progress(engine=engine, plan=plan, query=pinned, explain=explain),
    )
    return frame.copy()


def _progress(*, engine: sa.Engine, plan: Plan, query: ProgressQuery, explain: bool) -> pd.DataFrame:
    targets = scoped_targets(plan, query)
    # aggregation and look-ups work within one indicator: reading only the scope's indicators
    # changes no number (a department's page reads its few indicators, not all of them)
    wanted = sorted({t.indicator for t in targets if t.indicator is not None})
    if query.as_of is not None:
        as_of: Period | None = parse_as_of(query.as_of)
    else:
        latest = _latest_of_all(engine, query)
        as_of = Period.parse(latest) if latest else None
    request = facts_request(plan=plan, as_of=as_of, targets=targets)
    read = _facts_in_sql if engine.dialect.name == "duckdb" else _facts_in_memory
    facts = read(engine, plan, request.targets, query, wanted)
    frame = progress_from_facts(plan=plan, request=request, facts=facts, explain=False)
    frame = _with_labels(frame, plan)
    return explain_progress(frame, thresholds=plan.thresholds) if explain else frame


def _facts_in_sql(
    engine: sa.Engine, plan: Plan, request: pd.DataFrame, query: ProgressQuery, wanted: list[str]
) -> pd.DataFrame:
    """The facts computed by the database: DuckDB's columnar, parallel joins make this the fast way."""
    tree = region_tree(plan)
    with engine.connect() as conn:
        return facts_store.fetch_progress_facts(
            conn,
            request=request,
            tree=tree,
            indicators=_indicator_table(plan),
            sources=sum_sources(tree),
            tolerance=plan.thresholds.inconsistency,
            indicator_codes=wanted,
            published_before=vintage_cutoff(query.published_on),
            up_to_version=query.data_version,
        )


def _facts_in_memory(
    engine: sa.Engine, plan: Plan, request: pd.DataFrame, query: ProgressQuery, wanted: list[str]
) -> pd.DataFrame:
    """The facts from the scope's values read out: PostgreSQL answers the SQL facts statement, a row at
    a time through several passes over every value, about five times slower than it sends the values
    (docs/performance.md); the answer is the same (tests/app/test_progress_facts.py)."""
    observations = fetch_observations(
        engine, published_on=query.published_on, data_version=query.data_version, indicators=wanted
    )
    index = SeriesIndex(aggregate_regions(plan=plan, observations=observations), plan=plan)
    return facts_from_index(index, request)


def _indicator_table(plan: Plan) -> pd.DataFrame:
    """Whether each indicator adds up over regions, and its own period length (for the SQL facts)."""
    return pd.DataFrame(
        {
            "code": [i.code for i in plan.indicators],
            "summable": [i.aggregation is Aggregation.SUM for i in plan.indicators],
            "native": [frequency_months(i.frequency) for i in plan.indicators],
        }
    )


def _latest_of_all(engine: sa.Engine, query: ProgressQuery) -> str | None:
    """The latest period of all the data (not just the scope's), as the unscoped default."""
    with engine.connect() as conn:
        periods = obs_store.fetch_current_periods(
            conn, published_before=vintage_cutoff(query.published_on), up_to_version=query.data_version
        )
    return _latest(pd.Series(periods, dtype=object))


def progress_records(
    *,
    engine: sa.Engine,
    plan: Plan,
    query: ProgressQuery = ProgressQuery(),
    explain: bool = False,
    cache: DataCache | None = None,
) -> list[dict[str, Any]]:
    """`progress` as JSON-safe dicts: RECORD_FIELDS first, then every other column."""
    return records(progress(engine=engine, plan=plan, query=query, explain=explain, cache=cache))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-safe dicts: NaN/inf → None, numpy → Python, lists kept, times as ISO text.

    A progress frame gets RECORD_FIELDS first and `explanation` (= the Chinese one); other frames
    (city breakdown, composite index) keep their own columns.
    """
    rows = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    if "target_id" not in frame.columns:
        return rows
    out = []
    for row in rows:
        row["explanation"] = row.get("explanation_zh")
        row["flags"] = list(row.get("flags") or [])
        out.append({k: row.get(k) for k in RECORD_FIELDS} | {k: v for k, v in row.items()})
    return out


def city_breakdown(
    *,
    engine: sa.Engine,
    plan: Plan,
    indicator: str,
    as_of: str | None = None,
    published_on: dt.date | None = None,
    parent: str | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    """Each city's value of one indicator, its share of the total, contribution to growth and rank."""
    _check_indicator(plan, indicator)
    if parent is not None and parent not in {r.code for r in plan.regions}:
        raise ScopeError(f"未知地区：{parent}", f"unknown region: {parent}")
    period = parse_as_of(as_of) if as_of is not None else None
    observations = fetch_observations(
        engine, published_on=published_on, indicators=[indicator], data_version=data_version
    )
    return compute_city_breakdown(
        plan=plan, observations=observations, indicator=indicator, as_of=period, parent=parent
    )


def data_freshness(*, engine: sa.Engine, plan: Plan, published_on: dt.date | None = None) -> DataFreshness:
    """The latest period and the last publication time, overall and per indicator of the plan.

    "Publication" is whatever made a value current: a publish or a rollback. An indicator without a
    value is listed with None, so a page can show what has never been reported. The database
    groups the current values by indicator and period (a few thousand rows at national scale, not
    12M values); the newest period of each indicator is chosen here, by the periods' own order.
    """
    with engine.connect() as conn:
        frame = page_reads.fetch_period_freshness(conn, published_before=vintage_cutoff(published_on))
    by_indicator: dict[str, tuple[str | None, dt.datetime | None]] = {}
    if not frame.empty:
        frame = frame.sort_values(["indicator", "period"], kind="stable", ignore_index=True)
        ordinal, months = parse_periods(frame["period"])
        ranked = frame.assign(_ord=ordinal, _short=-months).sort_values(
            ["indicator", "_ord", "_short"], kind="stable"
        )
        newest = ranked.groupby("indicator", sort=False).tail(1).set_index("indicator")["period"]
        published = frame.groupby("indicator")["published_at"].max()
        by_indicator = {str(code): (str(newest[code]), _timestamp(published[code])) for code in newest.index}
    indicators = tuple(
        IndicatorFreshness(i.code, i.name, *by_indicator.get(i.code, (None, None))) for i in plan.indicators
    )
    last = _timestamp(frame["published_at"].max()) if not frame.empty else None
    return DataFreshness(_latest(frame["period"]) if not frame.empty else None, last, indicators)


def _fetch(
    engine: sa.Engine,
    *,
    published_on: dt.date | None,
    indicators: list[str] | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = obs_store.fetch_current_values(
            conn,
            published_before=vintage_cutoff(published_on),
            indicators=indicators,
            up_to_version=data_version,
        )
    if frame.empty:
        return pd.DataFrame(
            {
                "indicator": pd.Series(dtype=object),
                "region": pd.Series(dtype=object),
                "period": pd.Series(dtype=object),
                "value": pd.Series(dtype=float),
                "published_at": pd.Series(dtype="datetime64[ns]"),
            }
        )
    # The engine adds cities up in row order; each backend returns its own order, and float sums
    # depend on it in the last bit. A fixed order makes the numbers identical on both.
    return frame.sort_values(["indicator", "region", "period"], kind="stable", ignore_index=True)


def _latest(periods: pd.Series) -> str | None:
    """The latest period: the latest end; of equal ends the shortest (2024Q4, not 2024).

    The engine's own default follows the same rule; resolving it here lets a scoped query use the
    as-of period of all the data.
    """
    distinct = pd.Series(pd.unique(periods.astype(str)))
    if distinct.empty:
        return None
    ordinal, months = parse_periods(distinct)
    return str(distinct.iloc[np.lexsort((months, -ordinal))[0]])


def _check_indicator(plan: Plan, indicator: str) -> None:
    if indicator not in {i.code for i in plan.indicators}:
        raise ScopeError(f"未知指标：{indicator}", f"unknown indicator: {indicator}")


def _with_labels(frame: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Names, units and status/trend labels, mapped column-wise from the plan and the engine's tables."""
    out = frame.copy()
    names = {i.code: (i.name, i.name_en, i.unit) for i in plan.indicators}
    regions = {r.code: r.short_name for r in plan.regions}
    indicator = out["indicator"].astype(object)
    for pos, column in enumerate(("name", "name_en", "unit")):
        out[column] = indicator.map({code: parts[pos] for code, parts in names.items()})
    out["region_name"] = out["region"].astype(object).map(regions)
    status = out["status"].astype(object)
    out["status_zh"] = status.map({k: v[0] for k, v in STATUS_LABELS.items()})
    out["status_en"] = status.map({k: v[1] for k, v in STATUS_LABELS.items()})
    trend = out["trend"].astype(object)
    out["trend_zh"] = trend.map({k: v[0] for k, v in TREND_LABELS.items()})
    out["trend_en"] = trend.map({k: v[1] for k, v in TREND_LABELS.items()})
    out["verdict_zh"], out["verdict_en"] = _verdicts(out)
    return out


def _verdicts(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """After the deadline the verdict takes the trend's place: 差8.1%未完成，2023年达到 / 2021年达到.

    Built column-wise from the engine's `final`, `margin` and `first_met_period`; None before the
    deadline, where the trend still speaks.
    """
    empty = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if "final" not in frame or frame.empty:
        return empty, empty.copy()
    final = frame["final"].fillna(False).astype(bool)
    zh_all, en_all = empty.copy(), empty.copy()
    if not final.any():
        return zh_all, en_all
    part = frame[final]  # only rows past the deadline have a verdict: format just those
    missed = part["status"].astype(object) == "missed"
    margin = (part["margin"].astype(float).abs() * 100).map(lambda m: f"{m:.1f}%")
    year = (
        part["first_met_period"]
        .astype(object)
        .map(lambda p: str(p)[:4] if isinstance(p, str) and p else None)
    )
    later_zh = year.map(lambda y: f"，{y}年达到" if pd.notna(y) else "")
    later_en = year.map(lambda y: f", reached in {y}" if pd.notna(y) else "")
    zh = ("差" + margin + "未完成" + later_zh).where(missed, year.fillna("") + "年达到")
    en = ("missed by " + margin + later_en).where(missed, "reached in " + year.fillna(""))
    keep = missed | year.notna()
    zh_all.loc[part.index] = zh.where(keep, None).astype(object)
    en_all.loc[part.index] = en.where(keep, None).astype(object)
    return zh_all, en_all


def _timestamp(value: Any) -> dt.datetime | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return pd.Timestamp(value).to_pydatetime()


def _plain(value: Any) -> Any:
    """One value as JSON takes it."""
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    return value
