"""Benchmark: ingest a long CSV of 10^5 to 1.16 × 10^7 values, next to the databases' own bulk loads.

The file is what `dem sample generate` writes (app/services/synthetic.py): a national-scale bureau
export with Chinese headers (指标, 地区, 时期, 数值, 单位), indicators and regions by their Chinese
names, periods written `2024年第三季度`, one value a row, period by period; its plan has a province,
about √N cities and their counties, which add up exactly to their city (so the city-sum checks run and
find nothing). Values grow a little each quarter, so the change checks run and find little.

Measured in one run, each repetition in a fresh child process (so peak memory is the case's own:
the sampled peak of the process and its reading worker together, `TreeMemory`):
- peer: DuckDB's `CREATE TABLE … AS SELECT * FROM read_csv(…)` of the file into a new DuckDB file;
- PostgreSQL's peer: `COPY … FROM STDIN (FORMAT csv)` of the same file into a new table;
- ours, DuckDB: `stage_upload` (read, normalise, validate, bulk-stage in one transaction, diff)
  then `publish_upload` (one transaction), into a new DuckDB file: the `dem ingest --publish
  --confirm-warnings` path, timed per phase through the services' `on_phase` hook;
- ours, PostgreSQL: the same into a new schema.
Creating the database and loading the plan are set-up, not timed. The peers only read the file into
a table; ours also maps every name to the catalog, parses periods, converts units, checks every rule
and keeps the history, so the ratio is the price of all that.

Run alone: `.venv/bin/python -m benchmarks.bench_ingest --values 1000000`; `make bench` runs it
at every size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from app.auth.policy import system_actor
from app.services import reading, setup
from app.services import uploads as upload_service
from app.services.synthetic import SyntheticSpec, generate
from app.store.engine import make_engine
from benchmarks.harness import Figure
from etl.limits import ReadLimits
from etl.report import ErrorCode
from indicators.plan import load_plan

REPO = Path(__file__).resolve().parents[1]

#: the national set (`SyntheticSpec`'s defaults: every county, 100 indicators, 40 quarters), whose
#: file carries the issue's memory goal (about 12M values under 4 GiB)
COUNTRY = SyntheticSpec()
NATIONAL = COUNTRY.regions * COUNTRY.indicators * COUNTRY.periods
#: values → (regions, indicators, periods): the CSV holds every period but the last one
SIZES = {
    1_000: (20, 5, 11),
    10_000: (100, 10, 11),
    100_000: (250, 20, 21),
    1_000_000: (1_000, 50, 21),
    10_000_000: (2_500, 100, 41),
    NATIONAL: (COUNTRY.regions, COUNTRY.indicators, COUNTRY.periods + 1),
}
RESULTS = REPO / "benchmarks" / "results"
DEFAULT_POSTGRES = os.environ.get(
    "DEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
USER = "bench"
BENCH_MAX_ROWS = 20_000_000
BENCH_MAX_CELLS = 200_000_000
BENCH_MAX_BYTES = 2 << 30
KIB = 1024
#: the as-of date of the staging: after the last period of every generated file (the 10^7-value
#: file runs to 2029Q4; staged today, its 3M values after today are implausible-period errors)
STAGE_NOW = dt.datetime(2031, 1, 1)


# ----------------------------------------------------------------------------------- the inputs


def inputs(values: int, folder: Path) -> tuple[Path, Path]:
    """The plan and the long CSV of `values` rows, written by the synthetic generator."""
    regions, indicators, periods = SIZES[values]
    written = generate(
        spec=SyntheticSpec(regions=regions, indicators=indicators, periods=periods), out_dir=folder
    )
    return written.plan_path, written.csv_path


# ------------------------------------------------------------------------------------ the cases


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB  # KiB on Linux


class TreeMemory:
    """Resident memory of this process and its descendants (the reading worker), sampled.

    `ru_maxrss` sees this process only, while the file is read in a forkserver's child; this
    samples every `SAMPLE_SECONDS` the sum of the proportional set sizes (Pss: a page shared by
    the forkserver and its worker counts once in all) over the process tree (its peak: `peak_mb`)
    and each descendant's own high-water mark VmHWM (the worker's peak: `worker_mb`).
    """

    SAMPLE_SECONDS = 0.02

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.worker_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.SAMPLE_SECONDS):
            tree = _descendants(me)
            total = sum(_pss_kib(pid) for pid in [me, *tree]) / KIB
            self.peak_mb = max(self.peak_mb, total)
            for pid in tree:
                self.worker_mb = max(self.worker_mb, _status_kib(pid, "VmHWM") / KIB)


def _descendants(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _status_kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def case_peer(csv: Path, work: Path) -> dict[str, Any]:
    """DuckDB reads the file into a table of a new database file, types inferred."""
    con = duckdb.connect(str(work / f"peer-{uuid.uuid4().hex[:6]}.duckdb"))
    started = time.perf_counter()
    con.execute("CREATE TABLE raw AS SELECT * FROM read_csv(?, header = true)", [str(csv)])
    seconds = time.perf_counter() - started
    row = con.execute("SELECT count(*) FROM raw").fetchone()
    con.close()
    return {"seconds": seconds, "rows": int(row[0]) if row else 0}


def case_pg_copy(csv: Path, database_url: str) -> dict[str, Any]:
    """PostgreSQL's own bulk load: COPY the file, as it is, into a new table."""
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE raw (指标 text, 地区 text, 时期 text, 数值 double precision, 单位 text)")
        )
    raw = engine.raw_connection()
    started = time.perf_counter()
    try:
        cursor = raw.cursor()
        with cursor.copy("COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy, csv.open("rb") as source:  # type: ignore[attr-defined]
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        raw.commit()
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM raw")
        rows = int(cursor.fetchone()[0])
    finally:
        raw.close()
        engine.dispose()
    return {"seconds": seconds, "rows": rows}


def case_ours(csv: Path, plan_path: Path, database_url: str) -> dict[str, Any]:
    """stage_upload then publish_upload, as `dem ingest --publish --confirm-warnings` calls them."""
    engine = make_engine(database_url)
    setup.init_database(engine=engine, plan_path=plan_path)
    plan = load_plan(plan_path)
    marks: list[tuple[str, float]] = []
    # the service's worker, memory cap and time limit as deployed; only the size limits are raised,
    # so that the 10^7-value file (840 MB, 10^7 lines, 5 × 10^7 cells) is read rather than refused
    options = reading.ReadOptions(limits=ReadLimits(max_rows=BENCH_MAX_ROWS, max_cells=BENCH_MAX_CELLS))

    def mark(phase: str) -> None:
        marks.append((phase, time.perf_counter()))

    with TreeMemory() as memory:
        started = time.perf_counter()
        staged = upload_service.stage_upload(
            engine=engine,
            plan=plan,
            path=csv,
            actor=system_actor(USER),
            on_phase=mark,
            read_options=options,
            max_bytes=BENCH_MAX_BYTES,
            now=STAGE_NOW,
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
        "warnings": staged.report.stats["warnings"],
        "tree_peak_mb": memory.peak_mb,
        "worker_peak_mb": memory.worker_mb,
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
        result = case_ours(csv, Path(args.plan), f"duckdb:///{work / f'ours-{uuid.uuid4().hex[:6]}.duckdb'}")
    elif args.case == "postgresql":
        result = with_schema(args.postgres, lambda url: case_ours(csv, Path(args.plan), url))
    elif args.case == "pg_copy":
        result = with_schema(args.postgres, lambda url: case_pg_copy(csv, url))
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


def child(case: str, csv: Path, plan_path: Path, work: Path, postgres: str, timeout: float) -> dict[str, Any]:
    """One repetition of a case in a fresh process, marked `stopped` (with why) past `timeout` seconds
    or when the upload is refused (a 10^7-value file can exceed the reading worker's memory cap):
    the run goes on with the other sizes and the figure says what happened."""
    command = [sys.executable, "-m", "benchmarks.bench_ingest", "--case", case, "--csv", str(csv)]
    command += ["--plan", str(plan_path), "--work", str(work), "--postgres", postgres]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO, timeout=timeout)
    except subprocess.TimeoutExpired:
        return _stopped(timeout, "time limit")
    if done.returncode != 0:
        refused = [code.value for code in ErrorCode if code.value in done.stderr]
        if case in ("duckdb", "postgresql") and refused:
            return _stopped(time.perf_counter() - started, f"refused: {refused[0]}")
        raise SystemExit(f"case {case} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _stopped(seconds: float, why: str) -> dict[str, Any]:
    return {"seconds": seconds, "timed_out": True, "stopped": why, "rows": None, "published": None}


def measure(
    values: int,
    *,
    repetitions: int,
    postgres: str,
    work: Path,
    cases: tuple[str, ...] = ("peer", "duckdb"),
    timeout: float = 3600.0,
) -> dict[str, list[dict[str, Any]]]:
    """Every case on one generated file, `repetitions` times each, in child processes."""
    plan_path, csv = inputs(values, work)
    results: dict[str, list[dict[str, Any]]] = {}
    for case in cases:
        if case in ("postgresql", "pg_copy") and not postgres:
            continue
        runs = [child(case, csv, plan_path, work, postgres, timeout) for _ in range(repetitions)]
        for run in runs:
            if run.get("timed_out"):
                continue
            if case in ("duckdb", "postgresql") and run.get("published") != values:
                raise SystemExit(f"{case} published {run.get('published')} of {values} values")
            if case in ("peer", "pg_copy") and run.get("rows") != values:
                raise SystemExit(f"{case} read {run.get('rows')} of {values} rows")
        results[case] = runs
    return results


def _tree_peak(run: dict[str, Any]) -> float:
    """The case's peak memory: the process tree's sampled peak, at least the process's own."""
    return max(float(run["peak_rss_mb"]), float(run.get("tree_peak_mb") or 0.0))


def _memory(runs: list[dict[str, Any]]) -> dict[str, int]:
    """Where the peak is: the benchmark process (database included) and the reading worker."""
    return {
        "process_peak_mb": round(max(float(r["peak_rss_mb"]) for r in runs)),
        "worker_peak_mb": round(max(float(r.get("worker_peak_mb") or 0.0) for r in runs)),
    }


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(float(r[key]) for r in runs))


def figures(
    sizes: list[int],
    *,
    repetitions: dict[int, int],
    postgres: str,
    pg_sizes: list[int],
    work: Path,
    timeouts: dict[int, float] | None = None,
) -> list[Figure]:
    """The ingest figures: ours against DuckDB's load at every size; PostgreSQL against COPY."""
    out = []
    for values in sizes:
        folder = work / f"ingest-{values}"
        cases = ("peer", "duckdb") + (("pg_copy", "postgresql") if values in pg_sizes else ())
        results = measure(
            values,
            repetitions=repetitions.get(values, 1),
            postgres=postgres,
            work=folder,
            cases=cases,
            timeout=(timeouts or {}).get(values, 3600.0),
        )
        peer = _median(results["peer"], "seconds")
        duck = [r for r in results["duckdb"] if not r.get("timed_out")]
        if not duck:
            out.append(
                Figure(
                    "ingest",
                    f"{values:,} values long CSV → published, DuckDB "
                    f"(stopped: {results['duckdb'][0].get('stopped', 'time limit')})",
                    results["duckdb"][0]["seconds"], peer=peer, peer_name="DuckDB read_csv → table",
                    goal_kind="ratio_max", goal=2.0, extra={"timed_out": True},
                )
            )  # fmt: skip
            continue
        phases = {k: round(_median([{"v": r["phases"][k]} for r in duck], "v"), 3) for k in duck[0]["phases"]}
        rss = max(_tree_peak(r) for r in duck)
        out.append(
            Figure(
                "ingest", f"{values:,} values long CSV → published, DuckDB", _median(duck, "seconds"),
                peer=peer, peer_name="DuckDB read_csv → table", goal_kind="ratio_max", goal=2.0,
                repetitions=len(duck), extra={"phases": phases, "peak_rss_mb": round(rss), **_memory(duck)},
            )
        )  # fmt: skip
        memory_goal = 1024.0 if values <= 1_000_000 else 4096.0
        out.append(
            Figure(
                "ingest", f"{values:,} values, peak memory DuckDB", rss, unit="MB",
                goal_kind="max", goal=memory_goal, repetitions=len(duck),
            )
        )  # fmt: skip
        if "postgresql" in results:
            pg = results["postgresql"]
            copy = _median(results["pg_copy"], "seconds")
            phases = {k: round(_median([{"v": r["phases"][k]} for r in pg], "v"), 3) for k in pg[0]["phases"]}
            extra = {"phases": phases, "peak_rss_mb": round(max(_tree_peak(r) for r in pg)), **_memory(pg)}
            out.append(
                Figure(
                    "ingest", f"{values:,} values → published, PostgreSQL vs DuckDB load",
                    _median(pg, "seconds"), peer=peer, peer_name="DuckDB read_csv → table",
                    goal_kind="ratio_max", goal=4.0, repetitions=len(pg), extra=extra,
                )
            )  # fmt: skip
            out.append(
                Figure(
                    "ingest", f"{values:,} values → published, PostgreSQL vs COPY", _median(pg, "seconds"),
                    peer=copy, peer_name="PostgreSQL COPY of the file", repetitions=len(pg),
                )
            )  # fmt: skip
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000, choices=sorted(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server URL; '' skips PostgreSQL")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args)
        return
    from benchmarks.harness import say, table

    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        found = figures(
            [args.values], repetitions={args.values: args.repeat}, postgres=args.postgres,
            pg_sizes=[args.values] if args.postgres else [], work=Path(tmp),
        )  # fmt: skip
    say(table(found))


if __name__ == "__main__":
    main()
