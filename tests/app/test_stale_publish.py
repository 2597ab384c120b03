"""A staged upload whose diff went stale is not published silently over a newer publication.

Attack that this reproduces: upload A staged (a new value), upload B staged and published for the
same key; publishing A then overwrote B without a warning, because the diff and the warnings were
those of staging time. Publishing now recomputes what the upload would overwrite against what is
published now and refuses (`changed-since-staging`, with the new diff) until the publisher confirms
the new state by its data version, and gives a reason where the upload now revises values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.auth.policy import system_actor
from app.cli import cli
from app.services import setup
from app.services import uploads as svc
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN
from tests.app.test_uploads_service import current, snapshot, write_csv

K1 = ("base_stations_5g", "140100", "2025Q1")
K2 = ("base_stations_5g", "140200", "2025Q1")
T0 = dt.datetime(2025, 4, 20, 9, 0)


@pytest.fixture
def db(engine: sa.Engine) -> sa.Engine:
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    return engine


def stage(db: sa.Engine, plan: Plan, path: Path, rows: dict[tuple[str, str, str], str]) -> int:
    staged = svc.stage_upload(
        engine=db,
        plan=plan,
        path=write_csv(path, [(*k, v) for k, v in rows.items()]),
        actor=system_actor("u"),
        now=T0,
    )
    assert staged.status == "staged", staged.errors
    return staged.upload_id or 0


def publish(db: sa.Engine, upload_id: int, **options: object) -> svc.PublishResult:
    return svc.publish_upload(
        engine=db, upload_id=upload_id, actor=system_actor("u"), confirm_warnings=True, now=T0, **options
    )  # type: ignore[arg-type]


def test_a_stale_upload_is_refused_with_the_new_diff_until_confirmed(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    a = stage(db, plan, tmp_path / "a.csv", {K1: "100", K2: "200"})
    b = stage(db, plan, tmp_path / "b.csv", {K1: "150"})
    publish(db, b)
    before = snapshot(db)
    with pytest.raises(svc.UploadError) as refused:
        publish(db, a)
    error = refused.value
    assert error.code == "changed-since-staging"
    assert "已被其他发布或回滚更改" in error.message_zh
    assert error.detail["changes"] == [
        {"indicator": "base_stations_5g", "region": "140100", "period": "2025Q1", "value": 100.0,
         "staged_against": None, "published_now": 150.0}
    ]  # fmt: skip
    assert (error.detail["diff"]["new"], error.detail["diff"]["revised"]) == (1, 1)
    assert snapshot(db) == before  # a refusal changes nothing
    seen = error.detail["data_version"]
    with pytest.raises(svc.UploadError) as unexplained:  # now a revision of B's value: a reason is due
        publish(db, a, seen_version=seen)
    assert unexplained.value.code == "reason-required"
    publish(db, a, seen_version=seen, reason="以本表为准")
    assert current(db) == {K1: 100.0, K2: 200.0}


def test_publications_elsewhere_or_to_the_same_value_need_no_new_confirmation(
    db: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    a = stage(db, plan, tmp_path / "a.csv", {K1: "100"})
    publish(db, stage(db, plan, tmp_path / "b.csv", {K2: "200"}))  # another key
    publish(db, stage(db, plan, tmp_path / "c.csv", {K1: "100", K2: "200"}))  # the same value as A's
    publish(db, a)
    assert current(db) == {K1: 100.0, K2: 200.0}


def test_a_rollback_since_staging_counts_as_a_change(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    old = stage(db, plan, tmp_path / "old.csv", {K1: "90"})
    publish(db, old)
    a = stage(db, plan, tmp_path / "a.csv", {K1: "100"})  # staged as a revision of 90
    svc.rollback_upload(engine=db, upload_id=old, actor=system_actor("admin"), now=T0)
    with pytest.raises(svc.UploadError) as refused:
        publish(db, a, reason="修订")
    assert refused.value.code == "changed-since-staging"
    assert refused.value.detail["changes"][0]["staged_against"] == 90.0
    assert refused.value.detail["changes"][0]["published_now"] is None
    publish(db, a, seen_version=refused.value.detail["data_version"])  # now simply new: no reason due
    assert current(db) == {K1: 100.0}


def test_a_confirmation_of_an_older_state_is_refused_again(db: sa.Engine, plan: Plan, tmp_path: Path) -> None:
    a = stage(db, plan, tmp_path / "a.csv", {K1: "100"})
    publish(db, stage(db, plan, tmp_path / "b.csv", {K1: "150"}))
    with pytest.raises(svc.UploadError) as first:
        publish(db, a, reason="修订")
    publish(db, stage(db, plan, tmp_path / "c.csv", {K1: "170"}), reason="修订")
    with pytest.raises(svc.UploadError) as second:
        publish(db, a, reason="修订", seen_version=first.value.detail["data_version"])
    assert second.value.code == "changed-since-staging"
    assert second.value.detail["changes"][0]["published_now"] == 170.0


def test_dem_publish_shows_the_changes_and_the_confirming_command(
    database_url: str, engine: sa.Engine, plan: Plan, tmp_path: Path
) -> None:
    runner = CliRunner()
    env = {"DEM_DATABASE_URL": database_url, "DEM_UPLOAD_DIR": str(tmp_path / "archive")}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    a = stage(engine, plan, tmp_path / "a.csv", {K1: "100"})
    publish(engine, stage(engine, plan, tmp_path / "b.csv", {K1: "150"}))
    engine.dispose()  # DuckDB: one process at a time; the command opens its own engine
    refused = runner.invoke(cli, ["publish", str(a), "--confirm-warnings", "--reason", "修订"], env=env)
    assert refused.exit_code == 1
    assert "已被其他发布或回滚更改" in refused.output and "150" in refused.output
    version = refused.output.split("--seen-version ")[1].split()[0]
    confirmed = runner.invoke(
        cli, ["publish", str(a), "--confirm-warnings", "--reason", "修订", "--seen-version", version], env=env
    )
    assert confirmed.exit_code == 0, confirmed.output
    assert current(engine) == {K1: 100.0}
