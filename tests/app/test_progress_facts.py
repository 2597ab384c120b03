"""The progress facts computed in SQL (app/store/progress_facts.py) are the in-memory ones, exactly.

`indicators.facts.facts_from_index` is the reference: the same request answered over the values
in memory, after `aggregate_regions`. The database must give the same ordinals, values, periods,
sources and flags to the last bit, on both backends, including the awkward rows: a quarterly
series that also carries an annual value (its own Q4 wins), an annual value alone, parents that
only their children carry, and reported parents their children disagree with.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from app.services import progress as svc
from app.services.synthetic import SyntheticSpec, synthetic_values
from app.store.progress_facts import FEW_REGIONS, fetch_progress_facts
from indicators.aggregate import aggregate_regions, region_tree, sum_sources
from indicators.facts import FACT_COLUMNS, facts_from_index
from indicators.model import Plan, Target
from indicators.periods import Period
from indicators.progress import facts_request
from indicators.series import SeriesIndex
from tests.support.synthetic_store import load_synthetic

SPEC = SyntheticSpec(regions=40, indicators=6, periods=12, targets="all", noise=0.02, missing=0.1, seed=3)


def _with_annual_rows(plan: Plan, values: pd.DataFrame) -> pd.DataFrame:
    """Annual values of quarterly series: one beside its Q4 (a collision), two where Q4 is missing."""
    indicator = plan.indicators[0].code
    city = next(r.code for r in plan.regions if r.level.value == "city")
    county = next(r.code for r in plan.regions if r.level.value == "county")
    series = values[(values["indicator"] == indicator) & (values["region"] == county)]
    q4 = float(series.loc[series["period"] == "2021Q4", "value"].iloc[0])
    extra = pd.DataFrame(
        {
            "indicator": [indicator, indicator, indicator],
            "region": [county, city, county],
            "period": ["2021", "2022", "2023"],
            "value": [q4 * 3.0, 123.0, 77.0],  # the county's 2021 differs from its Q4: Q4 must win
        }
    )
    key = values["indicator"] == indicator
    dropped = key & (
        ((values["region"] == city) & (values["period"] == "2022Q4"))
        | ((values["region"] == county) & (values["period"] == "2023Q4"))  # 2023 alone ends 2023
    )
    return pd.concat([values[~dropped], extra], ignore_index=True)


def _targets_at(plan: Plan, levels: set[str] | None) -> list[Target] | None:
    if levels is None:
        return None
    level = {r.code: r.level.value for r in plan.regions}
    return [t for t in plan.numeric_targets if level[t.region] in levels]


def _sql_facts(
    engine: sa.Engine, plan: Plan, as_of: str, levels: set[str] | None = None, **vintage: object
) -> pd.DataFrame:
    request = facts_request(plan=plan, as_of=as_of, targets=_targets_at(plan, levels))
    tree = region_tree(plan)
    with engine.connect() as conn:
        return fetch_progress_facts(
            conn,
            request=request.targets,
            tree=tree,
            indicators=svc._indicator_table(plan),
            sources=sum_sources(tree),
            tolerance=plan.thresholds.inconsistency,
            indicator_codes=[i.code for i in plan.indicators],
            **vintage,  # type: ignore[arg-type]
        )


def _memory_facts(
    plan: Plan, values: pd.DataFrame, as_of: str, levels: set[str] | None = None
) -> pd.DataFrame:
    ordered = values.sort_values(["indicator", "region", "period"], kind="stable", ignore_index=True)
    index = SeriesIndex(aggregate_regions(plan=plan, observations=ordered), plan=plan)
    request = facts_request(plan=plan, as_of=as_of, targets=_targets_at(plan, levels))
    return facts_from_index(index, request.targets).reset_index(drop=True)


@pytest.mark.parametrize("as_of", ["2020Q2", "2021Q4", "2022Q3", "2023Q4", "2026Q1"])
def test_sql_facts_are_the_in_memory_facts_to_the_last_bit(
    engine: sa.Engine, tmp_path: Path, as_of: str
) -> None:
    plan, values = synthetic_values(SPEC)
    values = _with_annual_rows(plan, values)
    load_synthetic(engine, tmp_path, SPEC, values)
    ours = _sql_facts(engine, plan, as_of)
    expected = _memory_facts(plan, values, as_of)
    assert list(ours.columns) == list(FACT_COLUMNS)
    pd.testing.assert_frame_equal(ours, expected, check_exact=True, check_dtype=False)
    assert set(ours["any_source"].dropna()) >= {"reported", "county_sum"}  # sums were made
    if as_of >= "2021Q4":
        assert ours["any_inconsistent"].any()  # and some reported cities disagree with their counties


def test_a_series_own_quarter_wins_over_its_annual_value_even_when_only_a_sum_carries_it(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """County: 2021Q4 = q and 2021 = 3q both end in December 2021; the quarterly series reads q.

    City: no 2022Q4 of its own but a reported 2022 value of 123; its counties' 2022Q4 sum is a
    value of the series' own frequency, so as of 2022Q4 that sum (source `county_sum`) is read,
    not the 123, exactly as the in-memory index reads it.
    """
    plan, values = synthetic_values(SPEC)
    values = _with_annual_rows(plan, values)
    load_synthetic(engine, tmp_path, SPEC, values)
    indicator = plan.indicators[0].code
    city = next(r.code for r in plan.regions if r.level.value == "city")
    county = next(r.code for r in plan.regions if r.level.value == "county")
    request = facts_request(plan=plan, as_of="2022Q4").targets.reset_index(drop=True)
    facts = _sql_facts(engine, plan, "2022Q4")
    row = {
        region: int(np.flatnonzero((request["indicator"] == indicator) & (request["region"] == region))[0])
        for region in (city, county)
    }
    q4 = values[(values["indicator"] == indicator) & (values["region"] == county)]
    q4_2021 = float(q4.loc[q4["period"] == "2021Q4", "value"].iloc[0])
    county_facts = facts.iloc[row[county]]
    target_year = int(request.loc[row[county], "year"])
    if target_year >= 2022:  # the year-ago value of 2022Q4 is 2021Q4's, not the annual 2021's
        assert county_facts["any_m12"] == q4_2021
    city_facts = facts.iloc[row[city]]
    if int(request.loc[row[city], "cutoff"]) >= Period.parse("2022Q4").ordinal:
        assert (city_facts["any_period"], city_facts["any_source"]) == ("2022Q4", "county_sum")
        assert city_facts["any_value"] != 123.0


def test_a_vintage_reads_the_facts_as_they_were(engine: sa.Engine, tmp_path: Path) -> None:
    """Before the only publication (2026-01-15) nothing was published: every fact is missing."""
    plan, values = synthetic_values(SPEC)
    load_synthetic(engine, tmp_path, SPEC, values)
    before = _sql_facts(engine, plan, "2023Q4", published_before=dt.datetime(2026, 1, 1))
    assert (before["any_ord"] == -1).all() and before["any_value"].isna().all()
    after = _sql_facts(engine, plan, "2023Q4", published_before=dt.datetime(2026, 2, 1))
    pd.testing.assert_frame_equal(after, _memory_facts(plan, values, "2023Q4"), check_dtype=False)


@pytest.mark.parametrize("levels", [{"province"}, {"city"}, {"province", "county"}])
def test_targets_of_some_levels_only_get_the_facts_the_full_roll_up_gives(
    engine: sa.Engine, tmp_path: Path, levels: set[str]
) -> None:
    """Targets asking for few regions (the province alone; the cities) make the statement keep only
    those regions' rows after the roll-up (`FEW_REGIONS`); province and counties together ask for
    most regions, and the rows are kept whole. With a tenth of the values missing (cities carried
    by their counties' sums, some partial) and cities off their counties' sum by noise, each
    subset's facts must be the in-memory ones over all regions, to the last bit."""
    plan, values = synthetic_values(SPEC)
    values = _with_annual_rows(plan, values)
    load_synthetic(engine, tmp_path, SPEC, values)
    for as_of in ("2021Q4", "2023Q4"):
        ours = _sql_facts(engine, plan, as_of, levels)
        expected = _memory_facts(plan, values, as_of, levels)
        assert len(ours) == len(_targets_at(plan, levels) or []) > 0
        asked = {t.region for t in _targets_at(plan, levels) or []}
        assert (len(asked) * FEW_REGIONS < len(plan.regions)) == (levels != {"province", "county"})
        pd.testing.assert_frame_equal(ours, expected, check_exact=True, check_dtype=False)
    if "city" in levels:
        assert ours["any_inconsistent"].any() and (ours["any_source"] == "county_sum").any()
