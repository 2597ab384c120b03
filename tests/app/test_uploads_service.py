"""Staging, publishing and rolling back uploads: history is kept, failures leave no trace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as svc
from app.store import observations as obs_store
from app.store import schema as s
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN

T1 = dt.datetime(2025, 4, 20, 9, 0)
T2 = dt.datetime(2025, 7, 20, 9, 0)
T3 = dt.datetime(2025, 10, 20, 9, 0)
HEADER = "指标,地区,时期,数值\n"


def write_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
            for t in s.metadata.sorted_tables
        }


def current(engine: sa.Engine) -> dict[tuple[str, str, str], float]:
    """Current values; also checks the maintained table against the history it summarises."""
    far_future = dt.datetime(2999, 1, 1)
    with engine.connect() as conn:
        frame = obs_store.fetch_current_values(conn)
        from_history = obs_store.fetch_current_values(conn, published_before=far_future)
    values = {(r.indicator, r.region, r.period): (r.value, r.upload_id) for r in frame.itertuples()}
    assert values == {
        (r.indicator, r.region, r.period): (r.value, r.upload_id) for r in from_history.itertuples()
    }
    return {key: value for key, (value, _) in values.items()}


@pytest.fixture
def db(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


FIRST = [
    ("5G基站数", "太原市", "2025Q1", "20000"),
    ("5G基站数", "大同", "2025Q1", "9000"),
    ("base_stations_5g", "140000", "2025Q1", "29000"),
]
REVISED = [
    ("5G基站数", "太原市", "2025Q1", "20500"),
    ("5G基站数", "大同", "2025Q1", "9000"),
    ("base_stations_5g", "140000", "2025Q1", "29500"),
]


REASON = "更正录入错误"  # a publication that revises published values needs one


def stage_and_publish(
    db: sa.Engine, plan: Plan, path: Path, now: dt.datetime, *, reason: str | None = None
) -> int:
    staged = svc.stage_upload(engine=db, plan=plan, path=path, actor=system_actor("bureau"), now=now)
    assert staged.status == "staged", staged.report
    svc.publish_upload(
        engine=db,
        upload_id=staged.upload_id or 0,
        actor=system_actor("bureau"),
        confirm_warnings=True,
        reason=reason,
        now=now,
    )
    return staged.upload_id or 0


def test_a_clean_file_is_staged_with_a_diff_then_published(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    staged = svc.stage_upload(
        engine=db, plan=plan, path=write_csv(tmp_path / "a.csv", FIRST), actor=system_actor("u"), now=T1
    )
    assert (staged.status, staged.rows, staged.diff.new, staged.diff.revised) == ("staged", 3, 3, 0)
    assert current(db) == {}
    result = svc.publish_upload(engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), now=T1)
    assert result.published_values == 3
    assert current(db) == {
        ("base_stations_5g", "140100", "2025Q1"): 20000.0,
        ("base_stations_5g", "140200", "2025Q1"): 9000.0,
        ("base_stations_5g", "140000", "2025Q1"): 29000.0,
    }


def test_the_same_file_twice_is_recognised_and_not_loaded_again(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", FIRST)
    first = stage_and_publish(db, plan, path, T1)
    before = snapshot(db)
    again = svc.stage_upload(engine=db, plan=plan, path=path, actor=system_actor("u"), now=T2)
    assert (again.status, again.duplicate_of) == ("duplicate", first)
    assert snapshot(db) == before


def test_a_revision_needs_confirmation_and_keeps_both_values_in_the_history(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    stage_and_publish(db, plan, write_csv(tmp_path / "a.csv", FIRST), T1)
    staged = svc.stage_upload(
        engine=db, plan=plan, path=write_csv(tmp_path / "b.csv", REVISED), actor=system_actor("u"), now=T2
    )
    assert (staged.diff.new, staged.diff.revised, staged.diff.unchanged) == (0, 2, 1)
    assert {w.code for w in staged.warnings} >= {"revision"}
    with pytest.raises(svc.UploadError) as info:
        svc.publish_upload(engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), now=T2)
    assert info.value.code == "warnings-not-confirmed"
    with pytest.raises(svc.UploadError) as unexplained:
        svc.publish_upload(
            engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), confirm_warnings=True, now=T2
        )
    assert unexplained.value.code == "reason-required"
    assert current(db)[("base_stations_5g", "140100", "2025Q1")] == 20000.0  # refused: nothing changed
    published = svc.publish_upload(
        engine=db,
        upload_id=staged.upload_id or 0,
        actor=system_actor("u"),
        confirm_warnings=True,
        reason="年报修订",
        now=T2,
    )
    assert published.published_values == 2  # the unchanged value is not written again
    assert current(db)[("base_stations_5g", "140100", "2025Q1")] == 20500.0
    with db.connect() as conn:
        history = obs_store.fetch_history(
            conn, indicator="base_stations_5g", region="140100", period="2025Q1"
        )
    assert [(h["value"], h["action"], h["reason"]) for h in history] == [
        (20000.0, "publish", None),
        (20500.0, "publish", "年报修订"),
    ]


def test_rollback_restores_the_previous_values_and_deletes_nothing(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    stage_and_publish(db, plan, write_csv(tmp_path / "a.csv", FIRST), T1)
    second = stage_and_publish(db, plan, write_csv(tmp_path / "b.csv", REVISED), T2, reason=REASON)
    rows_before = len(snapshot(db)["observations"])
    result = svc.rollback_upload(engine=db, upload_id=second, actor=system_actor("admin"), now=T3)
    assert result.restored_values == 2
    assert current(db)[("base_stations_5g", "140100", "2025Q1")] == 20000.0
    assert current(db)[("base_stations_5g", "140000", "2025Q1")] == 29000.0
    assert len(snapshot(db)["observations"]) == rows_before + 2
    with db.connect() as conn:
        history = obs_store.fetch_history(
            conn, indicator="base_stations_5g", region="140100", period="2025Q1"
        )
    assert [(h["value"], h["action"]) for h in history] == [
        (20000.0, "publish"),
        (20500.0, "publish"),
        (20000.0, "rollback"),
    ]
    assert svc.get_upload(engine=db, upload_id=second)["status"] == "rolled_back"


def test_rolling_back_the_first_upload_retracts_its_values(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    first = stage_and_publish(db, plan, write_csv(tmp_path / "a.csv", FIRST), T1)
    svc.rollback_upload(engine=db, upload_id=first, actor=system_actor("admin"), now=T2)
    assert current(db) == {}


def test_rolling_back_an_older_upload_leaves_later_revisions_alone(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    first = stage_and_publish(db, plan, write_csv(tmp_path / "a.csv", FIRST), T1)
    stage_and_publish(db, plan, write_csv(tmp_path / "b.csv", REVISED), T2, reason=REASON)
    svc.rollback_upload(engine=db, upload_id=first, actor=system_actor("admin"), now=T3)
    values = current(db)
    assert values[("base_stations_5g", "140100", "2025Q1")] == 20500.0  # revised later: kept
    # the second upload repeats 大同 unchanged: it still asserts the value, which therefore stays
    assert values[("base_stations_5g", "140200", "2025Q1")] == 9000.0


def test_rollback_chain_returns_to_nothing(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    first = stage_and_publish(db, plan, write_csv(tmp_path / "a.csv", FIRST), T1)
    second = stage_and_publish(db, plan, write_csv(tmp_path / "b.csv", REVISED), T2, reason=REASON)
    svc.rollback_upload(engine=db, upload_id=second, actor=system_actor("admin"), now=T3)
    svc.rollback_upload(
        engine=db, upload_id=first, actor=system_actor("admin"), now=T3 + dt.timedelta(hours=1)
    )
    assert current(db) == {}


def test_a_file_with_errors_changes_no_table(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    before = snapshot(db)
    bad = write_csv(
        tmp_path / "bad.csv", [("5G基站数", "太源", "2025Q1", "100"), ("5G基站数", "大同", "2025Q1", "约300")]
    )
    staged = svc.stage_upload(engine=db, plan=plan, path=bad, actor=system_actor("u"), now=T1)
    assert staged.status == "rejected"
    assert staged.report.flatten(["row", "code"]) == [[2, "unknown-region"], [3, "non-numeric-value"]]
    assert snapshot(db) == before


def test_publishing_twice_or_rolling_back_a_staged_upload_is_refused(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    staged = svc.stage_upload(
        engine=db, plan=plan, path=write_csv(tmp_path / "a.csv", FIRST), actor=system_actor("u"), now=T1
    )
    with pytest.raises(svc.UploadError, match="staged"):
        svc.rollback_upload(engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), now=T1)
    svc.publish_upload(engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), now=T1)
    with pytest.raises(svc.UploadError) as info:
        svc.publish_upload(engine=db, upload_id=staged.upload_id or 0, actor=system_actor("u"), now=T1)
    assert info.value.code == "wrong-status"
    with pytest.raises(svc.UploadError) as missing:
        svc.publish_upload(engine=db, upload_id=999, actor=system_actor("u"), now=T1)
    assert missing.value.code == "not-found"


def test_every_write_is_audited(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    upload_id = stage_and_publish(db, plan, write_csv(tmp_path / "a.csv", FIRST), T1)
    svc.rollback_upload(engine=db, upload_id=upload_id, actor=system_actor("admin"), now=T2)
    with db.connect() as conn:
        actions = conn.execute(
            sa.select(s.audit_log.c.action, s.audit_log.c.username).order_by(s.audit_log.c.id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("upload.stage", "bureau"),
        ("upload.publish", "bureau"),
        ("upload.rollback", "admin"),
    ]


def test_the_same_file_again_is_answered_with_its_first_report_without_reloading(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", FIRST)
    first = svc.stage_upload(engine=db, plan=plan, path=path, actor=system_actor("u"), now=T1)
    svc.publish_upload(engine=db, upload_id=first.upload_id or 0, actor=system_actor("u"), now=T1)
    stage_and_publish(db, plan, write_csv(tmp_path / "b.csv", REVISED), T2, reason=REASON)
    # read afresh, the first file would now be full of revision warnings; as a duplicate it is not
    again = svc.stage_upload(engine=db, plan=plan, path=path, actor=system_actor("u"), now=T3)
    assert (again.status, again.duplicate_of, again.duplicate_status) == (
        "duplicate",
        first.upload_id,
        "published",
    )
    assert again.report == first.report and again.rows == first.rows
