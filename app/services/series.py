"""Published series as charts and tables read them: every value with region totals, a region's
indicators with their changes and standing, and each target's expected path.

Thin use cases over `app.store` and `indicators`, so the pages and the briefs hold no SQL and no
maths: YoY, QoQ, rank and share come from `indicators.changes`, the 序时路径 from
`indicators.schedule`, the same functions that make the progress records. One SELECT per call,
whatever the number of regions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.services.progress import fetch_observations, parse_as_of, vintage_cutoff
from app.store import page_reads
from indicators.aggregate import aggregate_regions
from indicators.changes import peer_count, peer_rank, peer_share, period_changes
from indicators.model import Aggregation, Measure, Plan, Polarity
from indicators.schedule import expected_path
from indicators.series import MISSING, OBSERVATION_COLUMNS, SeriesIndex, frequency_months, parse_periods

SERIES_COLUMNS = ("indicator", "region", "period", "value", "source", "ordinal", "months")
"""Columns of `indicator_series`: `ordinal` is the period's end month (`Period.ordinal`)."""

REGION_INDICATOR_COLUMNS = (
    "indicator", "name", "name_en", "unit", "domain", "period", "value",
    "yoy", "qoq", "rank", "peers", "share",
)  # fmt: skip
"""Columns of `region_indicators`."""


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
    return _series_frame(aggregate_regions(plan=plan, observations=observations))


def _series_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The aggregated rows in SERIES_COLUMNS, ordered by indicator, region and period."""
    out = pd.DataFrame({c: frame[c].astype(object) for c in ("indicator", "region", "period", "source")})
    out["value"] = frame["value"].to_numpy(dtype=float)
    out["ordinal"], out["months"] = parse_periods(out["period"])
    return out[list(SERIES_COLUMNS)].sort_values(
        ["indicator", "region", "ordinal", "months"], ignore_index=True
    )


def region_series(
    *,
    engine: sa.Engine,
    plan: Plan,
    region: str,
    indicators: Sequence[str] | None = None,
    published_on: dt.date | None = None,
    data_version: int | None = None,
) -> pd.DataFrame:
    """`indicator_series` of one region only, reading just what its totals are made of.

    The region's own values, and where it reported none, the values of the regions below it that
    add up to it (the database leaves out the rest), then the same aggregation over those rows: the
    same rows, bit for bit, as `indicator_series` filtered to the region, without reading the
    national 12M values for a chart of the province.
    """
    below = None if region == plan.province.code else _below(plan, region)
    with engine.connect() as conn:
        frame = page_reads.fetch_region_values(
            conn,
            region=region,
            below=below,
            indicators=list(indicators) if indicators else None,
            published_before=vintage_cutoff(published_on),
            up_to_version=data_version,
        )
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SERIES_COLUMNS})
    observations = frame.sort_values(["indicator", "region", "period"], kind="stable", ignore_index=True)
    out = _series_frame(aggregate_regions(plan=plan, observations=observations[list(OBSERVATION_COLUMNS)]))
    return out[out["region"] == region].reset_index(drop=True)


def _below(plan: Plan, region: str) -> list[str]:
    """Every region whose totals roll up into `region` (children, their children …; zones never)."""
    found: list[str] = []
    level = [region]
    while level:
        level = [r.code for code in level for r in plan.children(code) if r.summable]
        found += level
    return found


def native_frequency(series: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Only the rows at each indicator's own frequency (a quarterly stock's 2024 value is its 2024Q4)."""
    own = {i.code: frequency_months(i.frequency) for i in plan.indicators}
    return series[series["months"].to_numpy() == series["indicator"].map(own).to_numpy()]


def up_to(series: pd.DataFrame, as_of: str | None) -> pd.DataFrame:
    """The rows of a series frame ending at or before the as-of period (all of them for None)."""
    if not as_of:
        return series
    return series[series["ordinal"].to_numpy() <= parse_as_of(as_of).ordinal]


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
    up). A region without siblings (the province, a zone) has neither, so only its own series is
    read (`region_series`), not every region's.
    """
    if region in _siblings(plan, region):
        every = indicator_series(
            engine=engine, plan=plan, published_on=published_on, data_version=data_version
        )
    else:
        every = region_series(
            engine=engine, plan=plan, region=region, published_on=published_on, data_version=data_version
        )
    return region_frame(up_to(native_frequency(every, plan), as_of), plan, region)


def _siblings(plan: Plan, region: str) -> set[str]:
    """The regions ranked with `region`: its parent's children that add up (empty for the province)."""
    parent = plan.region(region).parent
    return {r.code for r in plan.children(parent) if r.summable} if parent else set()


def region_frame(series: pd.DataFrame, plan: Plan, region: str) -> pd.DataFrame:
    """`region_indicators` from a series frame (at the indicators' own frequency, up to as-of)."""
    target = plan.region(region)
    shown = [i for i in plan.indicators if target.level in i.levels]
    out = pd.DataFrame(
        {
            "indicator": [i.code for i in shown],
            "name": [i.name for i in shown],
            "name_en": [i.name_en for i in shown],
            "unit": [i.unit for i in shown],
            "domain": [i.domain for i in shown],
        }
    )
    own = series[series["region"] == region]
    latest = own.sort_values("ordinal").groupby("indicator", sort=False).tail(1).set_index("indicator")
    index = SeriesIndex(series, plan=plan)
    ordinal = out["indicator"].map(latest["ordinal"]).fillna(MISSING).to_numpy(dtype=np.int64)
    value = out["indicator"].map(latest["value"]).to_numpy(dtype=float)
    out["period"] = out["indicator"].map(latest["period"])
    out["value"] = value
    out["yoy"], out["qoq"] = period_changes(
        index,
        series=index.codes(out["indicator"], [region] * len(out)),
        ordinal=ordinal,
        months=np.array([frequency_months(i.frequency) for i in shown], dtype=np.int64),
        is_flow=np.array([i.measure is Measure.FLOW for i in shown], dtype=bool),
        current=value,
    )
    out[["rank", "peers", "share"]] = _standing(series, plan, region, out["indicator"], ordinal)
    has = ordinal != MISSING
    out.loc[~has, ["period", "value", "yoy", "qoq", "rank", "peers", "share"]] = None
    return out[list(REGION_INDICATOR_COLUMNS)]


def _standing(
    series: pd.DataFrame, plan: Plan, region: str, indicators: pd.Series, ordinal: np.ndarray
) -> pd.DataFrame:
    """Rank, number of peers ranked and share of `region` among its sibling cities, per indicator."""
    empty = pd.DataFrame({"rank": None, "peers": None, "share": np.nan}, index=indicators.index)
    siblings = _siblings(plan, region)
    if region not in siblings:
        return empty
    when = pd.DataFrame({"indicator": indicators.to_numpy(), "ordinal": ordinal})
    peers = series[series["region"].isin(siblings)].merge(when, on=["indicator", "ordinal"])
    lower = {i.code: i.polarity is Polarity.LOWER for i in plan.indicators}
    summable = {i.code: i.aggregation is Aggregation.SUM for i in plan.indicators}
    groups = peers["indicator"].to_numpy(dtype=object)
    values = peers["value"].to_numpy(dtype=float)
    peers = peers.assign(
        rank=peer_rank(values, groups, lower_is_better=peers["indicator"].map(lower).to_numpy(dtype=bool)),
        peers=peer_count(values, groups),
        share=np.where(
            peers["indicator"].map(summable).to_numpy(dtype=bool), peer_share(values, groups), np.nan
        ),
    )
    mine = peers[peers["region"] == region].set_index("indicator")
    out = empty.copy()
    found = indicators.isin(mine.index).to_numpy()
    codes = indicators[found]
    out.loc[found, "rank"] = [int(r) if r == r else None for r in mine.loc[codes, "rank"]]
    out.loc[found, "peers"] = [int(p) for p in mine.loc[codes, "peers"]]
    out.loc[found, "share"] = mine.loc[codes, "share"].to_numpy(dtype=float)
    return out


def expected_paths(targets: pd.DataFrame) -> pd.DataFrame:
    """The 序时路径 of progress rows (`target_id, ordinal, value`), as the engine computes E."""
    return expected_path(targets)
