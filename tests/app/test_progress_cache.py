"""Progress read for the scope only and cached per data version: the same records, recomputed exactly
when a publish or a rollback changes the data.

Equivalence: the service's output is compared, frame for frame, with the engine run the way the
service ran it before (every current value read, then filtered to the scope's indicators), on the
sample data and on a generated national-style set (300 regions × 20 indicators × 24 quarters, a
target for every region: 6,000 targets over ~144k values, cities off their counties' sum by noise).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import progress as svc
from app.services import setup
from app.services import uploads as upload_service
from app.services.cache import DataCache, cached
from app.services.samples import load_samples
from app.services.synthetic import SyntheticSpec
from indicators.model import Plan
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN
from indicators.progress import compute_progress
from tests.conftest import REPO_ROOT
from tests.support.synthetic_store import load_synthetic

GENERATED = SyntheticSpec(regions=300, indicators=20, periods=24, targets="all", noise=0.004, missing=0.03)


def reference(engine: sa.Engine, plan: Plan, query: svc.ProgressQuery) -> pd.DataFrame:
    """The service as it was: read every current value, take the as-of of all data, filter, compute."""
    targets = svc.scoped_targets(plan, query)
    observations = svc.fetch_observations(
        engine, published_on=query.published_on, data_version=query.data_version
    )
    as_of = svc.parse_as_of(query.as_of) if query.as_of else None
    if as_of is None:
        latest = svc._latest(observations["period"])
        as_of = Period.parse(latest) if latest else None
    observations = observations[observations["indicator"].isin({t.indicator for t in targets})]
    frame = compute_progress(
        plan=plan, observations=observations, as_of=as_of, targets=targets, explain=False
    )
    return svc._with_labels(frame, plan)


def verdicts_per_row(frame: pd.DataFrame) -> tuple[list[object], list[object]]:
    """The verdict text row by row, as the rule reads: 差8.1%未完成[，2023年达到] / 2021年达到."""
    zh: list[object] = []
    en: list[object] = []
    for row in frame.to_dict("records"):
        final = bool(pd.notna(row["final"]) and row["final"])
        period = row["first_met_period"]
        year = str(period)[:4] if isinstance(period, str) and period else None
        if final and row["status"] == "missed":
            margin = f"{abs(float(row['margin'])) * 100:.1f}%"
            zh.append(f"差{margin}未完成" + (f"，{year}年达到" if year else ""))
            en.append(f"missed by {margin}" + (f", reached in {year}" if year else ""))
        elif final and year:
            zh.append(f"{year}年达到")
            en.append(f"reached in {year}")
        else:
            zh.append(None)
            en.append(None)
    return zh, en


@pytest.fixture
def sample_db(engine: sa.Engine, plan: Plan) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    load_samples(engine=engine, plan=plan, sample_dir=REPO_ROOT / "data" / "sample")
    return engine


SAMPLE_QUERIES = [
    svc.ProgressQuery(),
    svc.ProgressQuery(as_of="2024Q2"),
    svc.ProgressQuery(department="industry_it"),
    svc.ProgressQuery(department="comms_admin", as_of="2025Q3"),
    svc.ProgressQuery(indicator="base_stations_5g"),
    svc.ProgressQuery(region="140000", year=2025),
    svc.ProgressQuery(published_on=dt.date(2000, 1, 1)),
]


def test_scoped_reads_give_the_records_of_a_full_read_on_the_sample_data(
    sample_db: sa.Engine, plan: Plan
) -> None:
    for query in SAMPLE_QUERIES:
        if query.department is not None and query.department not in {d.code for d in plan.departments}:
            pytest.fail(f"the sample plan has no department {query.department}")
        ours = svc.progress(engine=sample_db, plan=plan, query=query)
        pd.testing.assert_frame_equal(ours, reference(sample_db, plan, query), check_exact=True)
        assert (ours["verdict_zh"].tolist(), ours["verdict_en"].tolist()) == verdicts_per_row(ours)
    final = svc.progress(engine=sample_db, plan=plan, query=svc.ProgressQuery(as_of="2026Q3"))
    assert final["verdict_zh"].notna().sum() > 0  # the sample has targets past their deadline


def test_cached_progress_is_the_uncached_one_until_a_publish_or_rollback(
    sample_db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    """A hit returns an equal copy; staging changes nothing; publishing and rolling back recompute."""
    cache = DataCache()
    query = svc.ProgressQuery(region="140000")
    first = svc.progress(engine=sample_db, plan=plan, query=query, cache=cache)
    again = svc.progress(engine=sample_db, plan=plan, query=query, cache=cache)
    assert (cache.misses, cache.hits) == (1, 1)
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    again["status"] = "changed by a caller"  # a caller's change never reaches the cache
    pd.testing.assert_frame_equal(svc.progress(engine=sample_db, plan=plan, query=query, cache=cache), first)
    assert cache.hits == 2

    path = tmp_path / "2026Q4_通信管理局.csv"
    path.write_text("指标,地区,时期,数值\n5G基站数,全省,2026Q4,999999\n", encoding="utf-8")
    staged = upload_service.stage_upload(engine=sample_db, plan=plan, path=path, actor=system_actor("bureau"))
    assert staged.status == "staged", staged.errors
    svc.progress(engine=sample_db, plan=plan, query=query, cache=cache)
    assert cache.hits == 3  # staged values are not published data

    upload_service.publish_upload(
        engine=sample_db, upload_id=staged.upload_id or 0, actor=system_actor("bureau"), confirm_warnings=True
    )
    published = svc.progress(engine=sample_db, plan=plan, query=query, cache=cache)
    assert cache.misses == 2
    pd.testing.assert_frame_equal(published, svc.progress(engine=sample_db, plan=plan, query=query))
    assert set(published["as_of"]) == {"2026Q4"} and set(first["as_of"]) == {"2026Q3"}  # a new latest period

    upload_service.rollback_upload(
        engine=sample_db, upload_id=staged.upload_id or 0, actor=system_actor("bureau")
    )
    rolled_back = svc.progress(engine=sample_db, plan=plan, query=query, cache=cache)
    assert cache.misses == 3
    pd.testing.assert_frame_equal(rolled_back, first, check_exact=True)


def test_page_data_are_cached_per_version_and_entries_of_an_old_version_are_never_served(
    sample_db: sa.Engine, plan: Plan
) -> None:
    cache = DataCache()
    calls: list[int] = []

    def compute() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"n": [len(calls)]})

    assert cached(cache, engine=sample_db, key=("k",), compute=compute)["n"].tolist() == [1]
    assert cached(cache, engine=sample_db, key=("k",), compute=compute)["n"].tolist() == [1]
    assert cached(None, engine=sample_db, key=("k",), compute=compute)["n"].tolist() == [2]
    assert cache.get_or_compute(("k",), version=-1, compute=lambda: "other version") == "other version"


def test_scoped_reads_give_the_records_of_a_full_read_on_a_generated_set(
    engine: sa.Engine, tmp_path: Path
) -> None:
    plan = load_synthetic(engine, tmp_path, GENERATED)
    assert len(plan.numeric_targets) == 6_000
    for query in (
        svc.ProgressQuery(as_of="2025Q2"),
        svc.ProgressQuery(),
        svc.ProgressQuery(department="industry", as_of="2024Q3"),
        svc.ProgressQuery(indicator=plan.indicators[3].code),
    ):
        ours = svc.progress(engine=engine, plan=plan, query=query, cache=DataCache())
        expected = reference(engine, plan, query)
        pd.testing.assert_frame_equal(ours, expected, check_exact=True)
        assert (ours["verdict_zh"].tolist(), ours["verdict_en"].tolist()) == verdicts_per_row(ours)
        assert "inconsistent" in set(ours["flags"].explode()) or query.indicator or query.department
