"""`make bench`: every benchmark in one command, a table of figures with peers and goals, and JSON.

Full run (within 20 minutes on the 2-core machine): ingest at 10^5, 10^6 and 10^7 values and the
national file of 1.16 × 10^7 (DuckDB; PostgreSQL at 10^5 and 10^6 with COPY as its own peer),
progress in memory against the pandas versions and through the service on both backends against
each database's current-values query, the composite index, the briefs, and the dashboard in Chromium
(sample data and national scale) with 50 concurrent users. `--smoke` runs the same code at small
sizes in about a minute (the test suite runs it, so the benchmarks cannot rot).

    .venv/bin/python -m benchmarks.run [--smoke] [--only ingest,progress,…] [--out FILE]

Each figure is the median of its repetitions (the JSON says how many) and carries the load average
when it was taken: the machine is shared, so read the ratio to the peer, not the absolute time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.services.synthetic import SyntheticSpec
from benchmarks import bench_briefs, bench_index, bench_ingest, bench_progress, bench_service, bench_web
from benchmarks.harness import RESULTS, Figure, say, table, write_json

GROUPS = ("ingest", "progress", "service", "index", "briefs", "web")
POSTGRES = os.environ.get("DEM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SMOKE_SPEC = SyntheticSpec(regions=30, indicators=5, periods=8, targets="all", noise=0.004, missing=0.03)


def plan_of_runs(
    *, smoke: bool, work: Path, postgres: str, port: int, largest: int = bench_ingest.NATIONAL
) -> dict[str, Callable[[], list[Figure]]]:
    """What each group runs, full or smoke."""
    if smoke:
        return {
            "ingest": lambda: bench_ingest.figures(
                [1_000],
                repetitions={1_000: 1},
                postgres=postgres,
                pg_sizes=[1_000] if postgres else [],
                work=work,
            ),
            "progress": lambda: bench_progress.figures(spec=SMOKE_SPEC, peer_sample=50, repetitions=1),
            "service": lambda: bench_service.figures(spec=SMOKE_SPEC, repetitions=1, postgres=postgres),
            "index": lambda: bench_index.figures(repetitions=1),
            "briefs": lambda: bench_briefs.figures(repetitions=1, formats=("xlsx",)),
            "web": lambda: bench_web.figures(
                repetitions=1, users=5, seconds=2, national=False, port=port, pages=("/", "/methodology")
            ),
        }
    sizes = [v for v in (100_000, 1_000_000, 10_000_000, bench_ingest.NATIONAL) if v <= largest]
    return {
        "ingest": lambda: bench_ingest.figures(
            sizes,
            repetitions={100_000: 3, 1_000_000: 3, 10_000_000: 1, bench_ingest.NATIONAL: 1},
            postgres=postgres,
            pg_sizes=[100_000, 1_000_000] if postgres else [],
            work=work,
            # 10^7 once took > 10 min and > 4 GiB here (docs/performance.md): a regression is cut short
            timeouts={10_000_000: 300.0, bench_ingest.NATIONAL: 300.0},
        ),  # fmt: skip
        "progress": lambda: bench_progress.figures(repetitions=3),
        "service": lambda: bench_service.figures(repetitions=3, postgres=postgres),
        "index": lambda: bench_index.figures(repetitions=5),
        "briefs": lambda: bench_briefs.figures(repetitions=3),
        "web": lambda: bench_web.figures(repetitions=3, users=50, seconds=20, national=True, port=port),
    }


def main(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--only", default="", help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON file (default benchmarks/results/latest.json)"
    )
    parser.add_argument("--postgres", default=POSTGRES, help="server URL; '' skips PostgreSQL")
    parser.add_argument("--port", type=int, default=bench_web.PORT)
    parser.add_argument(
        "--largest", type=int, default=bench_ingest.NATIONAL, help="largest ingest size (values)"
    )
    args = parser.parse_args(argv)
    wanted = [g for g in args.only.split(",") if g] or list(GROUPS)
    unknown = set(wanted) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {sorted(unknown)}")
    figures: list[Figure] = []
    seconds: dict[str, float] = {}
    out = args.out or RESULTS / ("smoke.json" if args.smoke else "latest.json")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        runs = plan_of_runs(
            smoke=args.smoke, work=Path(tmp), postgres=args.postgres, port=args.port, largest=args.largest
        )
        for group in wanted:
            started = time.perf_counter()
            say(f"… {group} (load {os.getloadavg()[0]:.2f})")
            before = len(figures)
            figures += runs[group]()
            seconds[group] = round(time.perf_counter() - started, 1)
            say(table(figures[before:]))
            write_json(out, figures, {"smoke": args.smoke, "group_seconds": seconds, "partial": True})
    say()
    say(table(figures))
    write_json(out, figures, {"smoke": args.smoke, "group_seconds": seconds})
    say(f"\n{sum(seconds.values()):.0f} s in all {seconds}; saved {out}")
    return figures


if __name__ == "__main__":
    main()
