"""The staged diff counted in the database equals the diff computed from every staged row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as svc
from app.services.synthetic import SyntheticSpec, generate
from app.store import observations as obs_store
from indicators.plan import load_plan

NOW = dt.datetime(2025, 11, 20, 9, 0)


def _from_every_row(diff: pd.DataFrame) -> svc.DiffSummary:
    """The former path: fetch every staged value with its published one, classify in pandas."""
    counts = diff["change"].value_counts().to_dict()
    revised = diff[diff["change"] == "revised"]
    return svc.DiffSummary(
        new=int(counts.get("new", 0)),
        revised=int(counts.get("revised", 0)),
        unchanged=int(counts.get("unchanged", 0)),
        revisions=revised[["indicator", "region", "period", "old_value", "value"]].to_dict("records"),
    )


def test_new_revised_and_unchanged_values_are_counted_as_before(engine: sa.Engine, tmp_path: Path) -> None:
    written = generate(spec=SyntheticSpec(regions=30, indicators=6, periods=8), out_dir=tmp_path)
    setup.init_database(engine=engine, plan_path=written.plan_path)
    plan = load_plan(written.plan_path)
    actor = system_actor("bureau")
    lines = written.csv_path.read_text("utf-8").splitlines(keepends=True)
    half = tmp_path / "half.csv"  # the first half of the rows is published
    half.write_text("".join(lines[: len(lines) // 2]), "utf-8")
    first = svc.stage_upload(engine=engine, plan=plan, path=half, actor=actor, now=NOW)
    svc.publish_upload(engine=engine, upload_id=first.upload_id or 0, actor=actor, confirm_warnings=True)
    revised = [
        line.replace(",亿元", "1,亿元") if n % 7 == 3 else line for n, line in enumerate(lines)
    ]  # every seventh money value revised (a digit appended), the rest of the first half unchanged
    whole = tmp_path / "whole.csv"
    whole.write_text("".join(revised), "utf-8")
    staged = svc.stage_upload(engine=engine, plan=plan, path=whole, actor=actor, now=NOW)
    assert staged.status == "staged", staged.report.errors[:3]
    with engine.connect() as conn:
        expected = _from_every_row(obs_store.fetch_diff(conn, upload_id=staged.upload_id or 0))
    assert min(expected.new, expected.revised, expected.unchanged) > 0
    assert (staged.diff.new, staged.diff.revised, staged.diff.unchanged) == (
        expected.new,
        expected.revised,
        expected.unchanged,
    )
    assert staged.diff.revisions == expected.revisions  # file order, old and new values alike
