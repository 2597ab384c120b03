"""Benchmark: ingest a 1,000,000-row long CSV, next to DuckDB's own `read_csv` of the same file.

The file is what a national-scale bureau export looks like: Chinese headers (指标, 地区, 时期, 数值),
indicators and regions by their Chinese names, periods written `2024年第三季度`, one value a row,
sorted by period. The Shanxi plan has only 13 regions, so the run builds a national-scale plan in a
temporary folder: indicators/plans/shanxi_2021.toml with 2,904 counties appended (264 under each
city) and `county` added to every indicator that cities report. Counties add up exactly to their
city and cities to the province, so the city-sum checks run and find nothing; values grow a little
each quarter, so the change checks run and find little.

Measured in one run, each case in a fresh child process (so peak memory is the case's own):
- peer: DuckDB's `CREATE TABLE … AS SELECT * FROM read_csv(…)` of the file into a new DuckDB file;
- ours, DuckDB: `stage_upload` (read, normalise, validate, bulk-stage in one transaction, diff)
  then `publish_upload` (one transaction), into a new DuckDB file: the `dem ingest --publish
  --confirm-warnings` path, timed per phase through the services' `on_phase` hook;
- ours, PostgreSQL: the same into a new schema (skipped with `--postgres ''`);
- `dem ingest FILE --publish --confirm-warnings --json` as a command, DuckDB, wall time including
  interpreter start-up and the JSON report (skipped with `--no-cli`).
Creating the database and loading the plan are set-up, not timed. The peer only reads the file into
a table; ours also maps every name to the catalog, parses periods, converts units, checks every rule
and keeps the history, so the ratio is the price of all that.

Run: `.venv/bin/python benchmarks/bench_ingest.py [--rows 1000000] [--postgres URL] [--no-cli]`
Results are printed as a table and saved to benchmarks/results/ingest-<time>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import setup
from app.services import uploads as upload_service
from app.store.engine import make_engine
from indicators.model import Measure, Plan, RegionLevel
from indicators.periods import Frequency
from indicators.plan import DEFAULT_PLAN, load_plan

REPO = Path(__file__).resolve().parents[1]

COUNTIES_PER_CITY = 264  # 11 cities × 264 = 2,904 counties, about the country's count
FIRST_YEAR = 2020
SEED = 20210801
GROWTH = (0.0, 0.04)  # per quarter: below every indicator's change warning
QUARTER_NAMES = ("一", "二", "三", "四")
RESULTS = REPO / "benchmarks" / "results"
DEFAULT_POSTGRES = os.environ.get(
    "DEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
HEADER = "指标,地区,时期,数值"
USER = "bench"
KIB = 1024


# ----------------------------------------------------------------------------------- the inputs


def national_plan(folder: Path) -> Path:
    """The Shanxi plan with 2,904 counties, which every city-level indicator now allows."""
    text = DEFAULT_PLAN.read_text(encoding="utf-8")

    def with_county(match: re.Match[str]) -> str:
        levels = match.group(1)
        return f'levels = [{levels}, "county"]' if '"city"' in levels else match.group(0)

    text = re.sub(r"^levels = \[(.*)\]$", with_county, text, flags=re.MULTILINE)
    plan = load_plan(DEFAULT_PLAN)
    blocks = []
    for city in (r for r in plan.regions if r.level is RegionLevel.CITY):
        for n in range(1, COUNTIES_PER_CITY + 1):
            blocks.append(
                f'\n[[regions]]\ncode = "{city.code[:4]}{n:03d}"\nname = "{city.short_name}第{n}县"\n'
                f'level = "county"\nparent = "{city.code}"\n'
            )
    path = folder / "national.toml"
    path.write_text(text + "".join(blocks), encoding="utf-8")
    return path


def bureau_csv(plan: Plan, path: Path, rows: int) -> int:
    """Write `rows` rows (every quarterly key, period by period); return the number of keys a quarter."""
    rng = np.random.default_rng(SEED)
    indicators = [
        i for i in plan.indicators if i.frequency is Frequency.QUARTERLY and RegionLevel.COUNTY in i.levels
    ]
    counties = [r for r in plan.regions if r.level is RegionLevel.COUNTY]
    cities = [r for r in plan.regions if r.level is RegionLevel.CITY]
    province = next(r for r in plan.regions if r.level is RegionLevel.PROVINCE)
    city_of = np.array([cities.index(plan.region(c.parent or "")) for c in counties])
    regions = [province, *cities, *counties]
    per_quarter = len(indicators) * len(regions)
    quarters = -(-rows // per_quarter)
    # county levels: a base × growth path; flows are year-to-date sums of quarterly amounts
    base = rng.lognormal(3.0, 1.0, (len(indicators), len(counties), 1))
    growth = 1 + rng.uniform(*GROWTH, (len(indicators), len(counties), quarters))
    level = np.round(base * np.cumprod(growth, axis=2), 2)
    is_flow = np.array([i.measure is Measure.FLOW for i in indicators])[:, None, None]
    in_year = np.arange(quarters) % 4
    ytd = np.stack(
        [level[:, :, q - in_year[q] : q + 1].sum(axis=2) for q in range(quarters)], axis=2
    )  # quarter q's value: sum of the quarters of its year so far
    county = np.where(is_flow, np.round(ytd, 2), level)
    city = np.stack([county[:, city_of == c, :].sum(axis=1) for c in range(len(cities))], axis=1)
    total = city.sum(axis=1, keepdims=True)
    values = np.concatenate([total, city, county], axis=1)  # indicator × region × quarter
    periods = [f"{FIRST_YEAR + q // 4}年第{QUARTER_NAMES[q % 4]}季度" for q in range(quarters)]
    frame = pd.DataFrame(
        {
            "指标": np.tile(np.repeat([i.name for i in indicators], len(regions)), quarters),
            "地区": np.tile([r.name for r in regions], len(indicators) * quarters),
            "时期": np.repeat(periods, per_quarter),
            "数值": values.transpose(2, 0, 1).reshape(-1),
        }
    ).iloc[:rows]
    frame.to_csv(path, index=False, float_format="%.2f", encoding="utf-8")
    return per_quarter


# ------------------------------------------------------------------------------------ the cases


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB  # KiB on Linux


def case_peer(csv: Path, work: Path) -> dict[str, Any]:
    """DuckDB reads the file into a table of a new database file, types inferred."""
    con = duckdb.connect(str(work / f"peer-{uuid.uuid4().hex[:6]}.duckdb"))
    started = time.perf_counter()
    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, header = true)", [str(csv)])
    seconds = time.perf_counter() - started
    row = con.execute("SELECT count(*) FROM raw").fetchone()
    con.close()
    return {"seconds": seconds, "rows": int(row[0]) if row else 0}


def case_ours(csv: Path, plan_path: Path, database_url: str) -> dict[str, Any]:
    """stage_upload then publish_upload, as `dem ingest --publish --confirm-warnings` calls them."""
    engine = make_engine(database_url)
    setup.init_database(engine=engine, plan_path=plan_path)
    plan = load_plan(plan_path)
    marks: list[tuple[str, float]] = []

    def mark(phase: str) -> None:
        marks.append((phase, time.perf_counter()))

    started = time.perf_counter()
    staged = upload_service.stage_upload(
        engine=engine, plan=plan, path=csv, actor=system_actor(USER), on_phase=mark
    )
    if staged.status != "staged":
        raise SystemExit(f"not staged: {staged.status} {staged.errors[:3]}")
    published = upload_service.publish_upload(
        engine=engine,
        upload_id=staged.upload_id or 0,
        actor=system_actor(USER),
        confirm_warnings=True,
        on_phase=mark,
    )
    finished = time.perf_counter()
    engine.dispose()
    ends = [t for _, t in marks[1:]] + [finished]
    phases = {phase: end - start for (phase, start), end in zip(marks, ends, strict=True)}
    return {
        "seconds": finished - started,
        "phases": phases,
        "rows": staged.rows,
        "published": published.published_values,
        "warnings": staged.report["stats"]["warnings"],
    }


def case_cli(csv: Path, plan_path: Path, work: Path) -> dict[str, Any]:
    """The command itself, on a database created beforehand."""
    url = f"duckdb:///{work / 'cli.duckdb'}"
    engine = make_engine(url)
    setup.init_database(engine=engine, plan_path=plan_path)
    engine.dispose()
    env = {
        **os.environ,
        "DEM_DATABASE_URL": url,
        "DEM_PLAN": str(plan_path),
        "DEM_UPLOAD_DIR": str(work / "up"),
    }
    command = [
        str(Path(sys.executable).parent / "dem"),
        "ingest",
        str(csv),
        "--publish",
        "--confirm-warnings",
        "--json",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"dem ingest failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / KIB
    return {
        "seconds": seconds,
        "rows": report["rows"],
        "published": report["published_values"],
        "child_rss_mb": rss,
    }


def run_case(args: argparse.Namespace) -> None:
    """Child process: run one case and print its result as JSON."""
    csv, work = Path(args.csv), Path(args.work)
    if args.case == "peer":
        result = case_peer(csv, work)
    elif args.case == "duckdb":
        result = case_ours(csv, Path(args.plan), f"duckdb:///{work / 'ours.duckdb'}")
    elif args.case == "postgresql":
        result = with_schema(args.postgres, lambda url: case_ours(csv, Path(args.plan), url))
    else:
        result = case_cli(csv, Path(args.plan), work)
    result["peak_rss_mb"] = result.pop("child_rss_mb", None) or peak_rss_mb()
    sys.stdout.write(json.dumps(result) + "\n")


def with_schema(admin_url: str, run: Any) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        result: dict[str, Any] = run(f"{admin_url}?options=-csearch_path%3D{schema}")
        with admin.connect() as conn:
            result["server"] = conn.execute(sa.text("SHOW server_version")).scalar_one()
        return result
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# ----------------------------------------------------------------------------------- the driver


def say(text: str = "") -> None:
    """Benchmarks report on standard output; the rest of the code base never prints."""
    print(text)  # noqa: T201


def child(case: str, csv: Path, plan_path: Path, work: Path, postgres: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--case", case, "--csv", str(csv), "--plan", str(plan_path)]
    command += ["--work", str(work), "--postgres", postgres]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server URL; '' skips PostgreSQL")
    parser.add_argument("--no-cli", action="store_true", help="skip timing the `dem ingest` command")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args)
        return

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        plan_path = national_plan(work)
        plan = load_plan(plan_path)
        csv = work / "全国_数字经济主要指标_长表.csv"
        per_quarter = bureau_csv(plan, csv, args.rows)
        size_mb = csv.stat().st_size / KIB / KIB
        say(
            f"input: {args.rows:,} rows, {size_mb:.1f} MB; plan with {len(plan.regions):,} regions, "
            f"{per_quarter:,} keys a quarter (set-up {time.perf_counter() - started:.1f} s)"
        )
        cases = (
            ["peer", "duckdb"] + (["postgresql"] if args.postgres else []) + ([] if args.no_cli else ["cli"])
        )
        results = {}
        for case in cases:
            results[case] = child(case, csv, plan_path, work, args.postgres)
            say(f"  {case}: {results[case]['seconds']:.2f} s")
    report(args, results, size_mb)


LABELS = {
    "peer": "DuckDB read_csv → table (peer)",
    "duckdb": "ours → DuckDB (stage + publish)",
    "postgresql": "ours → PostgreSQL (stage + publish)",
    "cli": "dem ingest command → DuckDB (end to end)",
}


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]], size_mb: float) -> None:
    peer = results["peer"]["seconds"]
    say()
    say(f"{'case':<44}{'seconds':>9}{'rows/s':>12}{'× peer':>9}{'peak RSS':>11}")
    for case, result in results.items():
        seconds = result["seconds"]
        say(
            f"{LABELS[case]:<44}{seconds:>9.2f}{args.rows / seconds:>12,.0f}{seconds / peer:>9.1f}"
            f"{result['peak_rss_mb']:>8,.0f} MB"
        )
        for phase, part in result.get("phases", {}).items():
            say(f"    {phase:<40}{part:>9.2f}")
    for case in ("duckdb", "postgresql", "cli"):
        if case in results and results[case].get("published", args.rows) != args.rows:
            raise SystemExit(f"{case} published {results[case]['published']} of {args.rows} values")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"ingest-{stamp}.json"
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
        "load_average": os.getloadavg(),
    }
    payload = {"rows": args.rows, "file_mb": round(size_mb, 1), "machine": machine, "results": results}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    say(f"saved {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
