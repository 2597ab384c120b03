"""The progress service on real databases: vintages, rollback, scopes, and what it hands the API.

Values reach the database the way a bureau's file does (stage, then publish, at explicit times), so
every test also exercises the append-only history that `published_on` reads. The target used
throughout is 5G基站 ≥ 30,000 by the end of 2022 (linear), with B = 10,000 at 2020Q4: as of 2021Q4,
e = 12/24 = 0.5 and E = 20,000, so C = 18,000 is ρ = 0.8 (behind) and C = 20,000 is ρ = 1 (ahead).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import composite as composite_service
from app.services import progress as svc
from app.services import setup
from app.services import uploads as upload_service
from indicators.explain import NO_AS_OF, explain_progress
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN

T1 = dt.datetime(2025, 4, 20, 9, 0)
T2 = dt.datetime(2025, 7, 20, 9, 0)
T3 = dt.datetime(2025, 10, 20, 9, 0)
HEADER = "指标,地区,时期,数值\n"
FIVE_G = "base_stations_5g@140000:2022"
AS_OF = "2021Q4"

FIRST = [("5G基站数", "全省", "2020Q4", "10000"), ("5G基站数", "全省", "2021Q4", "18000")]
REVISED = [("5G基站数", "全省", "2021Q4", "20000")]


def write_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def publish(db: sa.Engine, plan: Plan, path: Path, now: dt.datetime) -> int:
    staged = upload_service.stage_upload(
        engine=db, plan=plan, path=path, actor=system_actor("bureau"), now=now
    )
    assert staged.status == "staged", staged.report
    upload_service.publish_upload(
        engine=db,
        upload_id=staged.upload_id or 0,
        actor=system_actor("bureau"),
        confirm_warnings=True,
        reason="修订",
        now=now,
    )
    return staged.upload_id or 0


def five_g(db: sa.Engine, plan: Plan, **query: object) -> dict[str, object]:
    """The 5G target's record as of 2021Q4 (unless the query says otherwise)."""
    records = svc.progress_records(
        engine=db, plan=plan, query=svc.ProgressQuery(**{"as_of": AS_OF, **query}), explain=True
    )
    return next(r for r in records if r["target_id"] == FIVE_G)


@pytest.fixture
def db(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


@pytest.fixture
def published(db: sa.Engine, plan: Plan, tmp_path: Path) -> sa.Engine:
    """The first publication at T1: B = 10,000 (2020Q4), C = 18,000 (2021Q4)."""
    publish(db, plan, write_csv(tmp_path / "first.csv", FIRST), T1)
    return db


# ------------------------------------------------------------------------------------ vintages
def test_a_revision_changes_the_numbers_and_the_earlier_vintage_keeps_the_old_ones(
    published: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    publish(published, plan, write_csv(tmp_path / "revised.csv", REVISED), T2)
    before = five_g(published, plan, published_on=T1.date())
    after = five_g(published, plan, published_on=T2.date())
    now = five_g(published, plan)
    assert (before["current"], before["completion"], before["progress_ratio"], before["status"]) == (
        18000.0,
        pytest.approx(0.6),
        pytest.approx(0.8),
        "behind",
    )
    assert (after["current"], after["completion"], after["progress_ratio"], after["status"]) == (
        20000.0,
        pytest.approx(2 / 3),
        pytest.approx(1.0),
        "ahead",
    )
    assert now == after


def test_a_rollback_restores_the_old_numbers_and_the_revised_vintage_stays_reproducible(
    published: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    first_view = five_g(published, plan)
    second = publish(published, plan, write_csv(tmp_path / "revised.csv", REVISED), T2)
    upload_service.rollback_upload(engine=published, upload_id=second, actor=system_actor("admin"), now=T3)
    assert five_g(published, plan) == first_view
    assert five_g(published, plan, published_on=T2.date())["current"] == 20000.0
    assert five_g(published, plan, published_on=T3.date())["status"] == "behind"


def test_the_day_before_the_first_publication_has_no_data(published: sa.Engine, plan: Plan) -> None:
    frame = svc.progress(
        engine=published,
        plan=plan,
        query=svc.ProgressQuery(published_on=T1.date() - dt.timedelta(days=1)),
        explain=True,
    )
    assert set(frame["status"]) == {"no_data"}
    assert frame["as_of"].isna().all()  # nothing published, so no latest period to judge at
    assert frame["explanation_zh"].str.startswith(f"截至 {NO_AS_OF} 无已发布数据").all()


def test_an_as_of_period_before_any_data_gives_no_data_with_that_period(
    published: sa.Engine, plan: Plan
) -> None:
    frame = svc.progress(engine=published, plan=plan, query=svc.ProgressQuery(as_of="2019Q4"), explain=True)
    assert set(frame["status"]) == {"no_data"}
    assert set(frame["as_of"]) == {"2019Q4"}
    assert frame["explanation_zh"].str.contains("截至 2019Q4 无已发布数据").all()


# ------------------------------------------------------------------------------- status table
@pytest.mark.parametrize(
    ("current", "status", "rho"),
    [
        ("16000", "severely_behind", 0.6),
        ("17000", "behind", 0.7),  # exactly the `behind` threshold
        ("19000", "on_track", 0.9),  # exactly the `on_track` threshold
        ("30000", "achieved", 2.0),
    ],
)
def test_statuses_through_the_database_follow_the_thresholds(
    db: sa.Engine, plan: Plan, tmp_path: Path, current: str, status: str, rho: float
) -> None:
    rows = [("5G基站数", "全省", "2020Q4", "10000"), ("5G基站数", "全省", "2021Q4", current)]
    publish(db, plan, write_csv(tmp_path / "values.csv", rows), T1)
    record = five_g(db, plan)
    assert (record["status"], record["progress_ratio"]) == (status, pytest.approx(rho))


# ------------------------------------------------------------------------------------- scopes
def test_comms_admin_sees_the_targets_of_its_indicators(published: sa.Engine, plan: Plan) -> None:
    frame = svc.progress(engine=published, plan=plan, query=svc.ProgressQuery(department="comms_admin"))
    assert list(frame["target_id"]) == [
        "digital_economy_scale@140000:2022",
        "digital_economy_scale@140000:2025",
        FIVE_G,
    ]


@pytest.mark.parametrize(
    ("department", "why"),
    [("public_security", "no linked indicator at all"), ("cac", "linked indicators, none with a target")],
)
def test_a_department_without_targeted_indicators_sees_no_targets(
    published: sa.Engine, plan: Plan, department: str, why: str
) -> None:
    linked = {i.code for i in plan.department_indicators(department)}
    assert not linked & {t.indicator for t in plan.numeric_targets}, why
    query = svc.ProgressQuery(department=department)
    assert svc.progress(engine=published, plan=plan, query=query).empty
    assert svc.progress_records(engine=published, plan=plan, query=query) == []


def test_a_scoped_query_gives_exactly_the_rows_of_the_full_view_at_the_latest_period_of_all_data(
    published: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    # the power price has a later period (2022Q1) than any 5G value: it sets the default as-of
    publish(
        published,
        plan,
        write_csv(tmp_path / "price.csv", [("数据中心用户终端电价", "全省", "2022Q1", "0.38")]),
        T2,
    )
    full = {r["target_id"]: r for r in svc.progress_records(engine=published, plan=plan, explain=True)}
    scoped = svc.progress_records(
        engine=published, plan=plan, query=svc.ProgressQuery(department="comms_admin"), explain=True
    )
    assert {r["as_of"] for r in scoped} == {"2022Q1"}
    assert scoped == [full[r["target_id"]] for r in scoped]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (svc.ProgressQuery(region="140000"), 9),
        (svc.ProgressQuery(region="140100"), 0),  # the plan sets no city targets
        (svc.ProgressQuery(year=2022), 6),
        (svc.ProgressQuery(year=2025), 3),
        (svc.ProgressQuery(year=2025, department="ndrc"), 2),
        (svc.ProgressQuery(indicator="intl_influential_firms"), 2),
        (svc.ProgressQuery(year=2030), 0),
    ],
)
def test_region_year_and_indicator_filters_choose_targets(
    published: sa.Engine, plan: Plan, query: svc.ProgressQuery, expected: int
) -> None:
    frame = svc.progress(engine=published, plan=plan, query=query)
    assert len(frame) == expected
    if query.year is not None:
        assert set(frame["year"]) <= {query.year}
    if query.region is not None:
        assert set(frame["region"]) <= {query.region}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (svc.ProgressQuery(region="999999"), "未知地区"),
        (svc.ProgressQuery(department="nobody"), "未知部门"),
        (svc.ProgressQuery(indicator="gdp"), "未知指标"),
        (svc.ProgressQuery(as_of="2025Q5"), "时期格式有误"),
        (svc.ProgressQuery(as_of="next quarter"), "时期格式有误"),
    ],
)
def test_an_unknown_scope_or_period_is_a_scope_error_before_any_query(
    engine: sa.Engine, plan: Plan, query: svc.ProgressQuery, message: str
) -> None:
    # `engine` points at an empty database without tables: the query is refused before any SQL
    with pytest.raises(svc.ScopeError, match=message):
        svc.progress(engine=engine, plan=plan, query=query)


@pytest.mark.parametrize(
    ("written", "period"),
    [
        ("2021Q4", "2021Q4"),
        ("2021q4", "2021Q4"),
        (" 2021Q4 ", "2021Q4"),
        ("2021年第四季度", "2021Q4"),
        ("2021年四季度", "2021Q4"),
        ("2021年1-9月", "2021Q3"),
        ("2021年", "2021"),
        ("2021", "2021"),
        ("2021M08", "2021M08"),
        ("2021年8月", "2021M08"),
    ],
)
def test_as_of_reads_the_ways_a_period_is_written(written: str, period: str) -> None:
    assert str(svc.parse_as_of(written)) == period


def test_a_free_form_as_of_gives_the_numbers_of_the_canonical_one(published: sa.Engine, plan: Plan) -> None:
    assert five_g(published, plan, as_of="2021年第四季度") == five_g(published, plan, as_of="2021Q4")


# ---------------------------------------------------------------------------- what the API gets
def test_records_are_json_safe_and_labelled(published: sa.Engine, plan: Plan) -> None:
    records = svc.progress_records(engine=published, plan=plan, query=svc.ProgressQuery(as_of=AS_OF))
    json.dumps(records, allow_nan=False)  # no NaN, no numpy types
    assert all(list(r)[: len(svc.RECORD_FIELDS)] == list(svc.RECORD_FIELDS) for r in records)
    record = next(r for r in records if r["target_id"] == FIVE_G)
    assert (record["status_zh"], record["status_en"], record["trend_zh"]) == (
        "滞后",
        "Behind schedule",
        "进展显著",
    )
    assert (record["name"], record["unit"], record["region_name"]) == ("5G基站数", "个", "山西")
    assert record["explanation"] is None  # not asked for
    no_data = next(r for r in records if r["target_id"] == "dc_power_price@140000:2025")
    assert (no_data["status_zh"], no_data["current"], no_data["trend"], no_data["flags"]) == (
        "无数据",
        None,
        None,
        [],
    )


def test_explanations_are_rendered_only_when_asked(published: sa.Engine, plan: Plan) -> None:
    bare = svc.progress(engine=published, plan=plan, query=svc.ProgressQuery(as_of=AS_OF))
    assert bare["explanation_zh"].isna().all()
    explained = explain_progress(bare, thresholds=plan.thresholds)
    full = svc.progress(engine=published, plan=plan, query=svc.ProgressQuery(as_of=AS_OF), explain=True)
    assert list(explained["explanation_zh"]) == list(full["explanation_zh"])
    five = explained.set_index("target_id").loc[FIVE_G]
    assert "进度比 0.70 ≤ ρ=0.80 < 0.90 → 滞后" in five["explanation_zh"]


def test_city_breakdown_reads_one_vintage_and_ranks_the_cities(
    published: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    cities = [("5G基站数", "太原", "2021Q4", "10000"), ("5G基站数", "大同", "2021Q4", "8000")]
    publish(published, plan, write_csv(tmp_path / "cities.csv", cities), T2)
    frame = svc.city_breakdown(engine=published, plan=plan, indicator="base_stations_5g")
    ranked = frame.dropna(subset=["value"])
    assert list(zip(ranked["name"], ranked["share"], ranked["rank"], strict=True)) == [
        ("太原", pytest.approx(10 / 18), 1),
        ("大同", pytest.approx(8 / 18), 2),
    ]
    earlier = svc.city_breakdown(
        engine=published, plan=plan, indicator="base_stations_5g", published_on=T1.date()
    )
    assert earlier["value"].isna().all()
    with pytest.raises(svc.ScopeError, match="未知指标"):
        svc.city_breakdown(engine=published, plan=plan, indicator="gdp")


def test_latest_period_and_freshness_follow_the_vintage(
    published: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    publish(
        published,
        plan,
        write_csv(tmp_path / "price.csv", [("数据中心用户终端电价", "全省", "2022Q1", "0.38")]),
        T2,
    )
    assert svc.latest_period(engine=published) == "2022Q1"
    assert svc.latest_period(engine=published, indicator="base_stations_5g") == "2021Q4"
    assert svc.latest_period(engine=published, published_on=T1.date()) == "2021Q4"
    assert svc.latest_period(engine=published, published_on=dt.date(2020, 1, 1)) is None
    fresh = svc.data_freshness(engine=published, plan=plan)
    assert (fresh.latest_period, fresh.last_published_at) == ("2022Q1", T2)
    by_code = {i.indicator: i for i in fresh.indicators}
    assert len(by_code) == len(plan.indicators)  # never-reported indicators are listed too
    assert (by_code["base_stations_5g"].latest_period, by_code["base_stations_5g"].last_published_at) == (
        "2021Q4",
        T1,
    )
    assert (by_code["software_revenue"].latest_period, by_code["software_revenue"].last_published_at) == (
        None,
        None,
    )
    then = svc.data_freshness(engine=published, plan=plan, published_on=T1.date())
    assert (then.latest_period, then.last_published_at) == ("2021Q4", T1)


# ------------------------------------------------------------------------------ composite index
def test_the_composite_index_withholds_an_index_with_one_indicator_of_data(
    published: sa.Engine, plan: Plan
) -> None:
    frame = composite_service.composite_index(engine=published, plan=plan, region="140000")
    total = frame[frame["dimension"] == "total"].set_index("period")
    # only 5G has data: 0.3 of a pillar of weight 0.3 → coverage 0.09 < 0.7: not published
    assert total.loc["2021Q4", "coverage"] == pytest.approx(0.3 * 0.3)
    assert not total["published"].any() and total["value"].isna().all()
    assert set(total["dimension_name"]) == {"数字经济发展指数"}
    one = composite_service.composite_index(engine=published, plan=plan, region="140000", period="2021Q4")
    assert list(one["dimension_name"]) == ["数字经济发展指数", "数字基础设施"]
    with pytest.raises(svc.ScopeError, match="未知地区"):
        composite_service.composite_index(engine=published, plan=plan, region="999999")


def test_a_vintage_day_is_a_beijing_day() -> None:
    import datetime as dt

    from app.services.progress import vintage_cutoff

    # midnight at the end of 21 October in Beijing is 16:00 UTC that day
    assert vintage_cutoff(dt.date(2025, 10, 21)) == dt.datetime(2025, 10, 21, 16, 0)
    assert vintage_cutoff(None) is None
