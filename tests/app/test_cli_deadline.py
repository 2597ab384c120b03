"""Past the plan's deadline, end to end: `dem ingest` then `dem progress --json`, on DuckDB and PostgreSQL.

The bureau has published every 2025 target's indicator up to 2025Q3 (annual ones up to 2024). Then
ONE indicator's 2025Q4 value comes in. The default as-of period moves to 2025Q4, but only that
target has data for its deadline: it is final; every other 2025 target awaits its final data
(待期末数据) with its provisional status, and none reads 未完成.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from indicators.model import Plan
from tests.app.test_uploads_service import write_csv

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    env = {"DEM_DATABASE_URL": database_url, "DEM_UPLOAD_DIR": str(tmp_path / "archive")}
    assert runner.invoke(cli, ["init"], env=env).exit_code == 0
    return env


def _publish(env: dict[str, str], path: Path) -> None:
    result = runner.invoke(cli, ["ingest", str(path), "--publish", "--confirm-warnings", "--json"], env=env)
    assert result.exit_code == 0, result.output


def _progress(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    result = runner.invoke(cli, ["progress", "--json", "--year", "2025"], env=env)
    assert result.exit_code == 0, result.output
    return {r["target_id"]: r for r in json.loads(result.output)}


def test_one_indicators_q4_value_leaves_every_other_2025_target_awaiting(
    env: dict[str, str], plan: Plan, tmp_path: Path
) -> None:
    """5G base stations 2025Q4 = 45000 against a 2025 target of our own? The plan has none for 2025;
    the price (≤ 0.3, 2025) is the one that gets its deadline value: 0.306 → 差2.0%未完成, final."""
    rows = []
    for t in plan.numeric_targets:
        if t.year != 2025:
            continue
        annual = plan.indicator(t.indicator).frequency == "annual"
        # two points in time (so there is a trend) and values that meet no 2025 target
        small = 0.5 if t.comparator in (">=", ">") else 0.41
        later = 1.0 if t.comparator in (">=", ">") else 0.33
        rows += [(t.indicator, "140000", "2020" if annual else "2020Q4", str(small))]
        rows += [(t.indicator, "140000", "2024" if annual else "2025Q3", str(later))]
    _publish(env, write_csv(tmp_path / "up_to_q3.csv", rows))
    before = _progress(env)
    assert {r["as_of"] for r in before.values()} == {"2025Q3"}
    assert "missed" not in {r["status"] for r in before.values()}

    _publish(env, write_csv(tmp_path / "price_q4.csv", [("dc_power_price", "140000", "2025Q4", "0.306")]))
    after = _progress(env)
    assert {r["as_of"] for r in after.values()} == {"2025Q4"}
    price = after.pop("dc_power_price@140000:2025")
    assert (price["status"], price["final"], price["current_period"]) == ("missed", True, "2025Q4")
    assert price["margin"] == pytest.approx(-0.02)  # (0.306 − 0.3)/0.3, lower is better
    assert price["explanation"].endswith("差2.0%未完成")
    assert price["trend"] is None  # the verdict replaces the trend
    assert after, "the plan has other 2025 targets"
    for target_id, record in after.items():
        assert record["status"] == "awaiting_final", target_id
        assert record["provisional_status"] == before[target_id]["status"], target_id
        assert record["final"] is False
        assert "未完成" not in record["explanation"], record["explanation"]
        assert record["status_zh"] == "待期末数据"
