"""`dem sample generate`: deterministic files a bureau would write, a plan that loads, data that ingests."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.auth.policy import system_actor
from app.cli import cli
from app.services import progress as progress_service
from app.services import setup
from app.services import uploads as upload_service
from app.services.synthetic import SyntheticSpec, generate, synthetic_values
from indicators.plan import load_plan

SMALL = SyntheticSpec(regions=24, indicators=6, periods=6, seed=7)
runner = CliRunner()


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path: Path) -> None:
    generate(spec=SMALL, out_dir=tmp_path / "a")
    generate(spec=SMALL, out_dir=tmp_path / "b")
    generate(spec=SyntheticSpec(regions=24, indicators=6, periods=6, seed=8), out_dir=tmp_path / "c")
    a, b, c = _bytes(tmp_path / "a"), _bytes(tmp_path / "b"), _bytes(tmp_path / "c")
    assert len(a) == 3
    assert a == b
    assert a["plan.toml"] != c["plan.toml"]  # other names, other values


def test_plan_has_the_hierarchy_and_a_target_for_every_province_indicator(tmp_path: Path) -> None:
    written = generate(spec=SMALL, out_dir=tmp_path)
    plan = load_plan(written.plan_path)
    levels = [r.level.value for r in plan.regions]
    assert levels.count("province") == 1 and len(plan.regions) == 24
    # √23 ≈ 5 cities, the other 18 regions are counties, each under a city
    assert levels.count("city") == 5 and levels.count("county") == 18
    cities = {r.code for r in plan.regions if r.level.value == "city"}
    assert all(r.parent in cities for r in plan.regions if r.level.value == "county")
    province = next(r.code for r in plan.regions if r.level.value == "province")
    assert sorted((t.indicator, t.region) for t in plan.numeric_targets) == sorted(
        (i.code, province) for i in plan.indicators
    )
    assert written.targets == 6 and written.values == 24 * 6 * 6


def test_counties_sum_to_their_city_and_cities_to_the_province() -> None:
    """Summed indicators add up to the cent: a county's 12.34 + 5.66 is its city's 18.00."""
    plan, values = synthetic_values(SMALL)
    parent = {r.code: r.parent for r in plan.regions}
    level = {r.code: r.level.value for r in plan.regions}
    summed = {i.code for i in plan.indicators if i.aggregation.value == "sum"}
    frame = values[values["indicator"].isin(summed)].assign(parent=lambda f: f["region"].map(parent))
    for child, total in (("county", "city"), ("city", "province")):
        sums = (
            frame[frame["region"].map(level) == child]
            .groupby(["indicator", "parent", "period"])["value"]
            .sum()
        )
        reported = frame[frame["region"].map(level) == total].set_index(["indicator", "region", "period"])[
            "value"
        ]
        reported.index.names = sums.index.names
        joined = pd.concat([sums.rename("sum"), reported.rename("reported")], axis=1, join="inner")
        assert len(joined) > 0
        assert np.allclose(joined["sum"], joined["reported"], rtol=0, atol=0.005)


def test_files_hold_only_what_a_bureau_writes(tmp_path: Path) -> None:
    written = generate(spec=SMALL, out_dir=tmp_path)
    text = written.csv_path.read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    assert header == "指标,地区,时期,数值,单位"
    for row in rows[:200]:
        indicator, region, period, value, unit = row.split(",")
        assert not re.search(r"[A-Za-z_0-9]", indicator + region), row  # names, never codes
        assert re.fullmatch(r"20\d\d年第[一二三四]季度", period)
        assert re.fullmatch(r"\d+\.\d\d", value)
    workbook = openpyxl.load_workbook(written.xlsx_path, read_only=True)
    for sheet in workbook.worksheets:
        title, _note, header, *body = sheet.iter_rows(values_only=True)
        assert str(title[0]).startswith("2021年第二季度")
        assert header[0] == "地区" and all(re.fullmatch(r"[^A-Za-z_]+（.+）", h) for h in header[1:])
        assert body[0][0] == "全省" and not any(re.search(r"[A-Za-z_0-9]", row[0]) for row in body)


@pytest.mark.parametrize(
    "spec",
    [
        SyntheticSpec(regions=1),
        SyntheticSpec(indicators=0),
        SyntheticSpec(periods=1),
        SyntheticSpec(targets="x"),
    ],
)
def test_sizes_out_of_range_are_refused(spec: SyntheticSpec) -> None:
    with pytest.raises(ValueError):
        spec.check()


def test_the_command_writes_the_set_and_refuses_bad_sizes(tmp_path: Path) -> None:
    args = ["sample", "generate", "--regions", "12", "--indicators", "3", "--periods", "5", "-o"]
    result = runner.invoke(cli, [*args, str(tmp_path / "set")])
    assert result.exit_code == 0, result.output
    assert "数值 values: 180" in result.output
    assert (tmp_path / "set" / "plan.toml").exists()
    bad = runner.invoke(cli, ["sample", "generate", "--regions", "1", "-o", str(tmp_path / "no")])
    assert bad.exit_code == 1
    assert "地区数" in bad.output and not (tmp_path / "no").exists()


def test_generated_set_ingests_through_the_real_path_and_gives_progress(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """Both files stage without an error or warning, publish every value, and every target has data."""
    written = generate(spec=SMALL, out_dir=tmp_path)
    setup.init_database(engine=engine, plan_path=written.plan_path)
    plan = load_plan(written.plan_path)
    published = 0
    for path in (written.csv_path, written.xlsx_path):
        staged = upload_service.stage_upload(engine=engine, plan=plan, path=path, actor=system_actor("bench"))
        assert staged.status == "staged", staged.errors[:3]
        assert staged.errors == () and staged.warnings == ()
        published += upload_service.publish_upload(
            engine=engine, upload_id=staged.upload_id or 0, actor=system_actor("bench"), confirm_warnings=True
        ).published_values
    assert published == written.values
    frame = progress_service.progress(engine=engine, plan=plan)
    assert len(frame) == written.targets
    assert set(frame["current_period"]) <= {"2021Q2", "2020Q4"}  # a later year's flow: its last full year
    assert "no_data" not in set(frame["status"])
