"""`dem init` creates the database and loads the plan; running it again changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from app.cli import cli
from app.store import schema as s
from indicators.model import Plan
from indicators.plan import DEFAULT_PLAN

runner = CliRunner()


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            t.name: sorted(map(tuple, conn.execute(sa.select(t)).all()), key=repr)
            for t in s.metadata.sorted_tables
        }


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"DEM_DATABASE_URL": database_url}


def test_init_loads_the_whole_plan(env: dict[str, str], engine: sa.Engine, plan: Plan) -> None:
    result = runner.invoke(cli, ["init"], env=env)
    assert result.exit_code == 0, result.output
    assert "已更新 updated" in result.output
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.tasks)).scalar_one() == len(plan.tasks)
        assert conn.execute(sa.select(sa.func.count()).select_from(s.targets)).scalar_one() == len(
            plan.targets
        )


def test_init_twice_changes_nothing(env: dict[str, str], engine: sa.Engine) -> None:
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    before = _snapshot(engine)
    second = runner.invoke(cli, ["init"], env=env)
    assert second.exit_code == 0, second.output
    assert "未变化 unchanged" in second.output
    assert _snapshot(engine) == before


def test_catalog_targets_json_lists_every_numeric_target_with_its_clause(
    env: dict[str, str], plan: Plan
) -> None:
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    result = runner.invoke(cli, ["catalog", "targets", "--json"], env=env)
    assert result.exit_code == 0, result.output
    listed = {row["id"]: row for row in json.loads(result.output)}
    expected = {
        "digital_economy_scale@140000:2022": (">", 5000),
        "digital_economy_scale@140000:2025": (">=", 8000),
        "base_stations_5g@140000:2022": (">=", 30000),
        "smart_factories@140000:2022": (">=", 100),
        "digital_workshops@140000:2022": (">=", 100),
        "data_annotation_firms@140000:2022": (">=", 100),
        "intl_influential_firms@140000:2022": (">=", 1),
        "intl_influential_firms@140000:2025": (">=", 2),
        "dc_power_price@140000:2025": ("<=", 0.3),
    }
    for target_id, (comparator, value) in expected.items():
        assert (listed[target_id]["comparator"], listed[target_id]["value"]) == (comparator, value)
        assert listed[target_id]["clause"]


@pytest.mark.parametrize("part", ["indicators", "tasks", "departments", "regions", "domains"])
def test_catalog_tables_print_for_each_part(env: dict[str, str], part: str) -> None:
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    result = runner.invoke(cli, ["catalog", part], env=env)
    assert result.exit_code == 0, result.output
    assert len(result.output.splitlines()) > 5


def test_catalog_before_init_says_what_to_do(env: dict[str, str], engine: sa.Engine) -> None:
    from app.store import migrate

    migrate.upgrade(engine)
    result = runner.invoke(cli, ["catalog", "targets"], env=env)
    assert result.exit_code == 1
    assert "dem init" in result.output


def test_catalog_lists_what_the_api_serves_and_says_when_the_plan_file_changed_since_init(
    database_url: str, tmp_path: Path, plan: Plan
) -> None:
    """One source: `dem catalog` and /api/v1/catalog both read the plan file the engine computes with."""
    plan_file = tmp_path / "plan.toml"
    plan_file.write_bytes(DEFAULT_PLAN.read_bytes())
    env = {"DEM_DATABASE_URL": database_url, "DEM_PLAN": str(plan_file)}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    listed = json.loads(runner.invoke(cli, ["catalog", "tasks", "--json"], env=env).output)
    assert [(t["code"], t["departments"]) for t in listed] == [
        (t.code, list(t.departments)) for t in plan.tasks
    ]
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "\n# edited after init\n", encoding="utf-8")
    changed = runner.invoke(cli, ["catalog", "regions"], env=env)
    assert changed.exit_code == 0
    assert "规划文件在 dem init 之后有改动" in changed.output


def test_init_sample_without_sample_files_says_where_it_looked(env: dict[str, str], tmp_path: Path) -> None:
    """`dem init --sample` run outside the checkout used to load nothing and say nothing of it."""
    empty = tmp_path / "no-samples"
    empty.mkdir()
    result = runner.invoke(cli, ["init", "--sample"], env={**env, "DEM_SAMPLE_DIR": str(empty)})
    assert result.exit_code == 1
    assert f"未找到示例数据文件：{empty}" in result.output
