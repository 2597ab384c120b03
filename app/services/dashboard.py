"""What the dashboard reads besides progress: series, a region's indicators, provenance, templates.

Thin use cases over `app.store` and `indicators`, so the pages hold no SQL and the same reads can
serve the API later. Each reads set-wise: one SELECT per call, whatever the number of regions.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.services.notes import is_closed
from app.services.progress import fetch_observations, latest_period, parse_as_of, vintage_cutoff
from app.store import observations as obs_store
from etl.template import write_template
from indicators.aggregate import aggregate_regions
from indicators.catalog import Aggregation, Measure, Plan, Polarity
from indicators.periods import Period
from indicators.series import frequency_months, parse_periods

SERIES_COLUMNS = ("indicator", "region", "period", "value", "source", "ordinal", "months")
"""Columns of `indicator_series`: `ordinal` is the period's end month (`Period.ordinal`)."""

REGION_INDICATOR_COLUMNS = (
    "indicator", "name", "name_en", "unit", "domain", "period", "value",
    "yoy", "qoq", "rank", "peers", "share",
)  # fmt: skip
"""Columns of `region_indicators`."""

MONTHS_PER_YEAR = 12
XLSX_SUFFIX = ".xlsx"


def indicator_series(
    *,
    engine: sa.Engine,
    plan: Plan,
    indicators: Sequence[str] | None = None,
    published_on: dt.date | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    """Every published value of the indicators, with region totals the cities add up to.

    The province's value is its own where it reported one, else the sum of its cities (as the
    progress engine counts it), so a chart of the province matches the cards.
    """
    observations = fetch_observations(
        engine,
        published_on=published_on,
        indicators=list(indicators) if indicators else None,
        data_version=data_version,
    )
    if observations.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})
    frame = aggregate_regions(plan=plan, observations=observations)
    out = pd.DataFrame({c: frame[c].astype(object) for c in ("indicator", "region", "period", "source")})
    out["value"] = frame["value"].to_numpy(dtype=float)
    out["ordinal"], out["months"] = parse_periods(out["period"])
    return out[list(SERIES_COLUMNS)].sort_values(
        ["indicator", "region", "ordinal", "months"], ignore_index=True
    )


def native_frequency(series: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Only the rows at each indicator's own frequency (a quarterly stock's 2024 value is its 2024Q4)."""
    own = {i.code: frequency_months(i.frequency) for i in plan.indicators}
    return series[series["months"].to_numpy() == series["indicator"].map(own).to_numpy()]


def region_indicators(
    *,
    engine: sa.Engine,
    plan: Plan,
    region: str,
    as_of: str | None = None,
    published_on: dt.date | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    """Each indicator of one region at its latest period <= as_of, with YoY, QoQ, rank and share.

    QoQ (环比) compares single quarters: for year-to-date flows the quarter's own value is the YTD
    value minus the previous one, as the progress engine does. Rank (of `peers` ranked) and
    share are among the region's sibling cities at the same period (share only for indicators that add
    up).
    """
    target = plan.region(region)
    limit = parse_as_of(as_of).ordinal if as_of else None
    series = native_frequency(
        indicator_series(engine=engine, plan=plan, published_on=published_on, data_version=data_version), plan
    )
    if limit is not None:
        series = series[series["ordinal"] <= limit]
    own = series[series["region"] == region]
    latest = own.sort_values("ordinal").groupby("indicator", sort=False).tail(1).set_index("indicator")
    values = own.set_index(["indicator", "ordinal"])["value"]
    rows = []
    for indicator in plan.indicators:
        if target.level not in indicator.levels:
            continue
        row: dict[str, Any] = {
            "indicator": indicator.code,
            "name": indicator.name,
            "name_en": indicator.name_en,
            "unit": indicator.unit,
            "domain": indicator.domain,
        }
        if indicator.code in latest.index:
            found = latest.loc[indicator.code]
            ordinal, months = int(found["ordinal"]), int(found["months"])
            row |= {"period": found["period"], "value": float(found["value"])}
            row |= _changes(values, indicator.code, ordinal, months, indicator.measure is Measure.FLOW)
            row |= _rank_and_share(series, plan, region, indicator.code, ordinal)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(REGION_INDICATOR_COLUMNS))


def _changes(values: pd.Series, code: str, ordinal: int, months: int, flow: bool) -> dict[str, float]:
    def at(when: int) -> float:
        return float(values.get((code, when), np.nan))

    current = at(ordinal)
    last_year, prev, prev2 = at(ordinal - MONTHS_PER_YEAR), at(ordinal - months), at(ordinal - 2 * months)
    yoy = current / last_year - 1 if last_year else np.nan
    qoq = np.nan
    if months < MONTHS_PER_YEAR:
        end_month = (ordinal - 1) % MONTHS_PER_YEAR + 1
        if flow:
            single = current if end_month == months else current - prev
            single_prev = prev if end_month - months == months else prev - prev2
            qoq = single / single_prev - 1 if single_prev else np.nan
        else:
            qoq = current / prev - 1 if prev else np.nan
    return {"yoy": yoy, "qoq": qoq}


def _rank_and_share(
    series: pd.DataFrame, plan: Plan, region: str, code: str, ordinal: int
) -> dict[str, float | int | None]:
    parent = plan.region(region).parent
    siblings = {r.code for r in plan.children(parent) if r.summable} if parent else set()
    if region not in siblings:
        return {"rank": None, "peers": None, "share": np.nan}
    peers = series[
        (series["indicator"] == code) & (series["ordinal"] == ordinal) & series["region"].isin(siblings)
    ]
    indicator = plan.indicator(code)
    ascending = indicator.polarity is Polarity.LOWER
    ranks = peers["value"].rank(method="min", ascending=ascending)
    rank = ranks[peers["region"] == region]
    total = peers["value"].sum()
    own = peers.loc[peers["region"] == region, "value"].sum()
    summable = indicator.aggregation is Aggregation.SUM and total
    return {
        "rank": int(rank.iloc[0]) if len(rank) else None,
        "peers": int(peers["value"].notna().sum()),
        "share": own / total if summable else np.nan,
    }


def provenance(
    *,
    engine: sa.Engine,
    indicator: str,
    region: str | None = None,
    published_on: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Current values of one indicator with the upload, file, user and time that brought each."""
    with engine.connect() as conn:
        return obs_store.fetch_observations(
            conn,
            indicators=[indicator],
            regions=[region] if region else None,
            published_before=vintage_cutoff(published_on),
        )


def value_history(*, engine: sa.Engine, indicator: str, region: str, period: str) -> list[dict[str, Any]]:
    """Every revision of one value, oldest first: publications, rollbacks and retractions."""
    with engine.connect() as conn:
        return obs_store.fetch_history(conn, indicator=indicator, region=region, period=period)


def template_workbook(*, plan: Plan, period: str, department: str | None = None) -> tuple[str, bytes]:
    """The upload template for a period (and optionally one reporting department): file name, bytes."""
    when = parse_as_of(period)
    name = f"数据上报模板_{when}{'_' + department if department else ''}{XLSX_SUFFIX}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"template{XLSX_SUFFIX}"
        write_template(path, plan=plan, period=when, department=department)
        return name, path.read_bytes()


def as_of_options(*, engine: sa.Engine, plan: Plan, published_on: dt.date | None = None) -> list[str]:
    """Quarters a reader can judge progress at, newest first: the baseline year's Q4 to the latest data."""
    latest = latest_period(engine=engine, published_on=published_on)
    if latest is None:
        return []
    last = Period.parse(latest).to_quarter()
    first = Period.quarter(plan.baseline_year, 4)
    quarters = []
    current = last
    while current >= first:
        quarters.append(str(current))
        current = current.previous()
    return quarters


def open_note_periods(*, today: dt.date, edit_days: int, earliest: int = 8) -> list[str]:
    """Quarters whose progress notes can still be written, newest first (the current one included)."""
    current = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    candidates = [current.shift(-k) for k in range(earliest)]
    return [str(p) for p in candidates if not is_closed(p, today=today, edit_days=edit_days)]
