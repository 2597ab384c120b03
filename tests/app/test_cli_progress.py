"""`dem progress` and `dem index` on the sample data, on DuckDB and PostgreSQL at once.

The sample is loaded once per backend for the module (`dem init --sample`, the operator's path); the
tests then read it many ways. The two backends must not merely agree on statuses: the JSON is
compared byte for byte. The worked examples of docs/methodology.md § 十五 are checked here too,
parsed from the page itself, so the page cannot drift from what the service computes.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rich.cells import cell_len
from typer.testing import CliRunner

from app.cli import cli
from app.services import progress as svc
from app.store.engine import make_engine
from indicators.model import Plan
from indicators.progress import STATUS_LABELS
from tests.conftest import BACKENDS, POSTGRES_URL, REPO_ROOT

runner = CliRunner()
METHODOLOGY = REPO_ROOT / "docs" / "methodology.md"
_CHECK_BLOCK = re.compile(
    r"```text\n# 核对值 check (?P<target>\S+) as_of (?P<as_of>\S+)\n(?P<body>.*?)```", re.S
)


def _env(url: str, root: Path) -> dict[str, str]:
    """Settings for one sample database; generated files stay under `root`, not in the repository."""
    return {
        "DEM_DATABASE_URL": url,
        "DEM_SAMPLE_DIR": str(REPO_ROOT / "data" / "sample"),
        "DEM_DATA_DIR": str(root / "data"),
        "DEM_UPLOAD_DIR": str(root / "uploads"),
        "DEM_INBOX_DIR": str(root / "inbox"),
        "DEM_BRIEF_DIR": str(root / "briefs"),
    }


@pytest.fixture(scope="module")
def sample_envs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, str]]]:
    """One database per backend with the whole sample published: {backend: environment}."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    root = tmp_path_factory.mktemp("sample")
    urls = {
        "duckdb": f"duckdb:///{root / 'dem.duckdb'}",
        "postgresql": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}",
    }
    envs = {backend: _env(url, root / backend) for backend, url in urls.items()}
    try:
        for env in envs.values():
            result = runner.invoke(cli, ["init", "--sample"], env=env)
            assert result.exit_code == 0, result.output
        yield envs
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def progress_json(env: dict[str, str], *args: str) -> list[dict[str, Any]]:
    result = runner.invoke(cli, ["progress", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    records: list[dict[str, Any]] = json.loads(result.output)
    return records


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["target_id"]: r for r in records}


@pytest.mark.slow
def test_every_numeric_target_gets_a_status_and_both_backends_give_the_same_json(
    sample_envs: dict[str, dict[str, str]], plan: Plan
) -> None:
    outputs = {}
    for backend, env in sample_envs.items():
        result = runner.invoke(cli, ["progress", "--json"], env=env)
        assert result.exit_code == 0, result.output
        outputs[backend] = result.output
    assert outputs["duckdb"] == outputs["postgresql"]
    records = json.loads(outputs["duckdb"])
    assert [r["target_id"] for r in records] == [t.id for t in plan.numeric_targets]
    for record in records:
        assert set(svc.RECORD_FIELDS) <= set(record), record["target_id"]
        assert record["status"] in STATUS_LABELS and record["status"] != "no_data", record["target_id"]
        assert record["explanation"], record["target_id"]
        assert isinstance(record["flags"], list)
    assert {r["as_of"] for r in records} == {"2026Q3"}  # the latest period of the sample
    counts = {s: sum(r["status"] == s for r in records) for s in STATUS_LABELS}
    assert counts == {  # data/sample/README.md, as of 2026Q3: "5 achieved and 4 missed"
        "no_data": 0,
        "achieved": 5,
        "missed": 4,
        "awaiting_final": 0,
        "ahead": 0,
        "on_track": 0,
        "behind": 0,
        "severely_behind": 0,
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_as_of_2025q3_the_statuses_are_the_readmes_earlier_table(
    sample_envs: dict[str, dict[str, str]], backend: str
) -> None:
    records = progress_json(sample_envs[backend], "--as-of", "2025Q3")
    counts = {s: n for s in STATUS_LABELS if (n := sum(r["status"] == s for r in records))}
    # data/sample/README.md, as of 2025Q3: "4 achieved, 2 missed, 2 behind and 1 severely behind"
    assert counts == {"achieved": 4, "missed": 2, "behind": 2, "severely_behind": 1}


@pytest.mark.parametrize("backend", BACKENDS)
def test_as_of_an_earlier_quarter_gives_other_numbers(
    sample_envs: dict[str, dict[str, str]], backend: str
) -> None:
    latest = by_id(progress_json(sample_envs[backend]))
    earlier = by_id(progress_json(sample_envs[backend], "--as-of", "2023Q4"))
    scale = "digital_economy_scale@140000:2025"
    assert (latest[scale]["current"], latest[scale]["current_period"], latest[scale]["status"]) == (
        7350.0,
        "2025",
        "missed",
    )
    assert (earlier[scale]["current"], earlier[scale]["current_period"], earlier[scale]["status"]) == (
        5650.0,
        "2023",
        "ahead",
    )
    price = "dc_power_price@140000:2025"
    assert (earlier[price]["current"], earlier[price]["as_of"]) == (0.356, "2023Q4")
    assert earlier[price]["progress_ratio"] != latest[price]["progress_ratio"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_published_on_a_day_before_any_publication_gives_no_data(
    sample_envs: dict[str, dict[str, str]], backend: str
) -> None:
    records = progress_json(sample_envs[backend], "--published-on", "2000-01-01")
    assert records and {r["status"] for r in records} == {"no_data"}
    assert {r["current"] for r in records} == {None}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_department_sees_only_its_targets_with_the_numbers_of_the_full_view(
    sample_envs: dict[str, dict[str, str]], backend: str, plan: Plan
) -> None:
    full = by_id(progress_json(sample_envs[backend]))
    scoped = progress_json(sample_envs[backend], "--department", "comms_admin")
    own = {i.code for i in plan.department_indicators("comms_admin")}
    assert [r["target_id"] for r in scoped] == [t.id for t in plan.numeric_targets if t.indicator in own]
    assert "base_stations_5g@140000:2022" in {r["target_id"] for r in scoped}
    assert scoped == [full[r["target_id"]] for r in scoped]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025Q5"], "时期格式有误"),
        (["--as-of", "上个季度"], "时期格式有误"),
        (["--published-on", "2025/10/20"], "日期格式应为"),
        (["--department", "nobody"], "未知部门"),
        (["--region", "999999"], "未知地区"),
    ],
)
def test_a_bad_option_exits_1_with_a_chinese_message(
    sample_envs: dict[str, dict[str, str]], args: list[str], message: str
) -> None:
    result = runner.invoke(cli, ["progress", *args], env=sample_envs["duckdb"])
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize("width", [80, 120])
def test_the_progress_table_fits_the_terminal_and_reads_in_chinese(
    sample_envs: dict[str, dict[str, str]], width: int
) -> None:
    result = runner.invoke(cli, ["progress"], env=sample_envs["duckdb"] | {"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= width
    assert "规划目标进度（截至 2026Q3）" in result.output
    for text in ("完成率", "序时差", "未完成", "已完成", "≤ 0.3", "≥ 30,000"):
        assert text in result.output
    # past the deadline the verdict replaces the trend: 7,350 / 8,000 = 91.875% → 差8.1%未完成;
    # 数字经济规模 2022 missed 5,000 by 0.8% (4,962) and was reached in 2023; 5G met 30,000 in 2021
    flat = "".join(result.output.split())
    for verdict in ("差8.1%未完成", "2021年达到", *(["差0.8%未完成，2023年达到"] if width > 80 else [])):
        assert verdict in flat
    assert "已完成 5 · 未完成 4" in " ".join(result.output.split())
    earlier = runner.invoke(
        cli, ["progress", "--as-of", "2025Q3"], env=sample_envs["duckdb"] | {"COLUMNS": str(width)}
    )
    assert "规划目标进度（截至 2025Q3）" in earlier.output and "严重滞后" in earlier.output
    assert "有进展但需" in earlier.output  # before the 2025 deadline the trend still speaks
    assert "已完成 4 · 未完成 2 · 滞后 2 · 严重滞后 1" in " ".join(earlier.output.split())
    if width == 120:  # wide enough for one line a target
        assert "数字经济规模 2025" in result.output
        assert "0.327 元/千瓦时" in result.output


def test_the_progress_table_says_when_a_scope_has_no_targets(sample_envs: dict[str, dict[str, str]]) -> None:
    result = runner.invoke(cli, ["progress", "--department", "public_security"], env=sample_envs["duckdb"])
    assert result.exit_code == 0, result.output
    assert "范围内没有数值目标" in result.output


def test_index_json_is_the_same_on_both_backends_and_published_at_full_coverage(
    sample_envs: dict[str, dict[str, str]], plan: Plan
) -> None:
    outputs = {}
    for backend in BACKENDS:
        result = runner.invoke(
            cli, ["index", "--region", "140000", "--period", "2020Q4", "--json"], env=sample_envs[backend]
        )
        assert result.exit_code == 0, result.output
        outputs[backend] = result.output
    assert outputs["duckdb"] == outputs["postgresql"]
    rows = json.loads(outputs["duckdb"])
    assert [r["dimension"] for r in rows] == ["total", *(d.code for d in plan.index.dimensions)]
    assert all(r["coverage"] == pytest.approx(1.0) and r["published"] for r in rows)
    assert all(0 < r["value"] <= plan.index.cap for r in rows)  # 2020: well short of the 2025 references
    assert rows[0]["dimension_name"] == "数字经济发展指数"


_SENSITIVITY = re.compile(r"<!-- sensitivity (?P<period>\S+) -->\n(?P<table>(?:\|.*\n)+)")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_sensitivity_table_in_the_methodology_matches_the_service(
    sample_envs: dict[str, dict[str, str]], backend: str, plan: Plan
) -> None:
    """docs/methodology.md § 十三 prints the cities' ranks under stated and equal weights on the sample."""
    from app.services.composite import sensitivity

    match = _SENSITIVITY.search(METHODOLOGY.read_text(encoding="utf-8"))
    assert match, "the sensitivity table of § 十三 is missing"
    written = [
        [cell.strip() for cell in line.strip("|").split("|")] for line in match["table"].splitlines()[2:]
    ]
    engine = make_engine(sample_envs[backend]["DEM_DATABASE_URL"])
    try:
        table = sensitivity(engine=engine, plan=plan, period=match["period"])
    finally:
        engine.dispose()
    computed = [
        [
            r.region_name,
            f"{r.value:.1f}",
            str(r.rank),
            f"{r.value_equal:.1f}",
            str(r.rank_equal),
            f"{r.shift:+d}",
        ]
        for r in table.itertuples()
    ]
    assert written == computed


def test_index_table_shows_every_region_at_the_latest_period(sample_envs: dict[str, dict[str, str]]) -> None:
    result = runner.invoke(cli, ["index"], env=sample_envs["duckdb"] | {"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.output.splitlines()) <= 80
    lines = [line for line in result.output.splitlines() if "2026Q3" in line]
    assert [line.split()[0] for line in lines][:3] == ["山西", "太原", "大同"]
    bad = runner.invoke(cli, ["index", "--period", "2025Q9"], env=sample_envs["duckdb"])
    assert bad.exit_code == 1 and "时期格式有误" in bad.output


# ----------------------------------------------------------------- docs/methodology.md § 十五
def _checks() -> list[tuple[str, str, dict[str, str]]]:
    blocks = [
        (m["target"], m["as_of"], dict(line.split(maxsplit=1) for line in m["body"].strip().splitlines()))
        for m in _CHECK_BLOCK.finditer(METHODOLOGY.read_text(encoding="utf-8"))
    ]
    assert len(blocks) >= 2, "the worked examples of § 十五 are missing"
    return blocks


def _matches(actual: Any, written: str) -> bool:
    """A number matches to the decimals the page writes (half a unit of the last one); text exactly."""
    try:
        number = float(written)
    except ValueError:
        return str(actual) == written
    decimals = len(written.split(".")[1]) if "." in written else 0
    return actual is not None and abs(float(actual) - number) <= 0.5 * 10**-decimals + 1e-12


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_worked_examples_in_the_methodology_match_the_service_on_the_sample(
    sample_envs: dict[str, dict[str, str]], backend: str, plan: Plan
) -> None:
    engine = make_engine(sample_envs[backend]["DEM_DATABASE_URL"])
    try:
        for target_id, as_of, expected in _checks():
            query = svc.ProgressQuery(as_of=as_of, indicator=target_id.split("@")[0])
            record = by_id(svc.progress_records(engine=engine, plan=plan, query=query))[target_id]
            wrong = {k: (v, record[k]) for k, v in expected.items() if not _matches(record[k], v)}
            assert not wrong, f"{target_id}: page vs service {wrong}"
    finally:
        engine.dispose()
