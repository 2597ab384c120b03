"""Pages read only what they show, aggregated in the database, and get what a full read gave.

Each new read is compared with the way it was computed before (every current value read into
pandas, then aggregated or filtered), frame for frame and bit for bit, on the sample data and on a
generated national-style set whose province and cities leave 3 % of their values out, so that the
province's totals come from its cities, and the cities' from their counties, where it has none.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from app.services import periods as period_service
from app.services import progress as svc
from app.services import series as series_service
from app.services import setup
from app.services.samples import load_samples
from app.services.synthetic import SyntheticSpec, plan_toml, synthetic_plan, synthetic_values
from app.store import schema
from app.store.bulk import insert_frame
from indicators.model import Plan, RegionLevel
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN
from indicators.series import parse_periods
from tests.conftest import REPO_ROOT

GENERATED = SyntheticSpec(regions=300, indicators=12, periods=16, targets="province", missing=0.03)


def freshness_reference(engine: sa.Engine, plan: Plan, published_on: dt.date | None) -> svc.DataFreshness:
    """data_freshness as it was: every current value read, grouped in pandas."""
    frame = svc._fetch(engine, published_on=published_on)
    by_indicator: dict[str, tuple[str | None, dt.datetime | None]] = {}
    if not frame.empty:
        ordinal, months = parse_periods(frame["period"])
        ranked = frame.assign(_ord=ordinal, _short=-months).sort_values(
            ["indicator", "_ord", "_short"], kind="stable"
        )
        newest = ranked.groupby("indicator", sort=False).tail(1).set_index("indicator")["period"]
        published = frame.groupby("indicator")["published_at"].max()
        by_indicator = {
            str(code): (str(newest[code]), svc._timestamp(published[code])) for code in newest.index
        }
    indicators = tuple(
        svc.IndicatorFreshness(i.code, i.name, *by_indicator.get(i.code, (None, None)))
        for i in plan.indicators
    )
    last = svc._timestamp(frame["published_at"].max()) if not frame.empty else None
    return svc.DataFreshness(svc._latest(frame["period"]), last, indicators)


def options_reference(engine: sa.Engine, plan: Plan, published_on: dt.date | None) -> list[str]:
    """as_of_options as it was: the latest period of every current value read into pandas."""
    latest = svc.latest_period(engine=engine, published_on=published_on)
    if latest is None:
        return []
    quarters, current = [], Period.parse(latest).to_quarter()
    while current >= Period.quarter(plan.baseline_year, 4):
        quarters.append(str(current))
        current = current.previous()
    return quarters


def series_reference(
    engine: sa.Engine, plan: Plan, region: str, indicators: list[str] | None
) -> pd.DataFrame:
    """Every region's series aggregated, then the one region kept."""
    full = series_service.indicator_series(engine=engine, plan=plan, indicators=indicators)
    return full[full["region"] == region].reset_index(drop=True)


@pytest.fixture
def sample_db(engine: sa.Engine, plan: Plan) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    load_samples(engine=engine, plan=plan, sample_dir=REPO_ROOT / "data" / "sample")
    return engine


def _load_generated(engine: sa.Engine, folder: Path) -> Plan:
    data, _ = synthetic_plan(GENERATED)
    plan_path = folder / "plan.toml"
    plan_path.write_text(plan_toml(data), encoding="utf-8")
    setup.init_database(engine=engine, plan_path=plan_path)
    plan, values = synthetic_values(GENERATED)
    frame = values.assign(
        period_ordinal=values["period"].map({p: Period.parse(p).ordinal for p in values["period"].unique()}),
        upload_id=1,
        # two publication times, so the newest per indicator is not the same everywhere
        published_at=pd.Series(dt.datetime(2026, 1, 15), index=values.index).mask(
            values.index.to_series() % 7 == 0, dt.datetime(2026, 2, 3, 4, 5, 6)
        ),
    )
    with engine.begin() as conn:
        insert_frame(conn, table=schema.observations, frame=frame.assign(action="publish"))
        insert_frame(conn, table=schema.current_values, frame=frame)
    return plan


@pytest.mark.parametrize("published_on", [None, dt.date(2026, 1, 1), dt.date(2000, 1, 1)])
def test_freshness_and_period_options_match_a_full_read_on_the_sample_data(
    sample_db: sa.Engine, plan: Plan, published_on: dt.date | None
) -> None:
    ours = svc.data_freshness(engine=sample_db, plan=plan, published_on=published_on)
    assert ours == freshness_reference(sample_db, plan, published_on)
    options = period_service.as_of_options(engine=sample_db, plan=plan, published_on=published_on)
    assert options == options_reference(sample_db, plan, published_on)
    if published_on is None:
        assert ours.latest_period and options[0] == ours.latest_period


def test_region_series_is_the_full_series_of_that_region_on_the_sample_data(
    sample_db: sa.Engine, plan: Plan
) -> None:
    headline = sorted({t.indicator for t in plan.numeric_targets if t.indicator})
    for region, indicators in [
        (plan.province.code, headline),
        (plan.province.code, None),
        ("140100", None),
        ("140100", ["base_stations_5g"]),
    ]:
        ours = series_service.region_series(engine=sample_db, plan=plan, region=region, indicators=indicators)
        assert len(ours) > 0
        pd.testing.assert_frame_equal(
            ours, series_reference(sample_db, plan, region, indicators), check_exact=True
        )


def test_page_reads_match_a_full_read_on_a_generated_set_with_gaps(engine: sa.Engine, tmp_path: Path) -> None:
    plan = _load_generated(engine, tmp_path)
    province = plan.province.code
    city = next(r.code for r in plan.regions if r.level is RegionLevel.CITY and plan.children(r.code))
    for region in (province, city):
        ours = series_service.region_series(engine=engine, plan=plan, region=region)
        expected = series_reference(engine, plan, region, None)
        pd.testing.assert_frame_equal(ours, expected, check_exact=True)
        assert {"reported", "city_sum" if region == province else "county_sum"} <= set(ours["source"])
    assert svc.data_freshness(engine=engine, plan=plan) == freshness_reference(engine, plan, None)
    assert period_service.as_of_options(engine=engine, plan=plan) == options_reference(engine, plan, None)


def region_indicators_reference(
    engine: sa.Engine, plan: Plan, region: str, as_of: str | None
) -> pd.DataFrame:
    """region_indicators as it was: every region's series read, whatever the region."""
    every = series_service.indicator_series(engine=engine, plan=plan)
    series = series_service.up_to(series_service.native_frequency(every, plan), as_of)
    return series_service.region_frame(series, plan, region)


def test_region_indicators_of_the_province_read_its_series_only_and_match(
    sample_db: sa.Engine, plan: Plan
) -> None:
    for region, as_of in [(plan.province.code, None), (plan.province.code, "2024Q2"), ("140100", "2025Q1")]:
        ours = series_service.region_indicators(engine=sample_db, plan=plan, region=region, as_of=as_of)
        expected = region_indicators_reference(sample_db, plan, region, as_of)
        pd.testing.assert_frame_equal(ours, expected, check_exact=True)
        assert ours["value"].notna().sum() > 0


def test_region_indicators_of_the_province_match_on_a_generated_set_with_gaps(
    engine: sa.Engine, tmp_path: Path
) -> None:
    plan = _load_generated(engine, tmp_path)
    province = plan.province.code
    ours = series_service.region_indicators(engine=engine, plan=plan, region=province, as_of="2022Q3")
    expected = region_indicators_reference(engine, plan, province, "2022Q3")
    pd.testing.assert_frame_equal(ours, expected, check_exact=True)
