"""Benchmark: the dashboard in Chromium and 50 concurrent users, against the real service on 127.0.0.1.

The service runs as `dem serve --demo` in a child process (port 8150 by default, the bench slot), on
a DuckDB file holding the sample data, or a national-scale synthetic set (about 12M values) loaded
straight into the store. Measured:
- page loads: each page to network-idle in Chromium (/usr/bin/chromium through playwright), warm
  (the first visit is reported apart), the median of the repetitions; goal < 0.8 s on the sample
  data, < 2 s at national scale. The visits start once the service's start-up page warm-up has
  finished (its log line; its duration is a figure too), as a visitor after a publication meets it;
- dashboard callbacks: every `_dash-update-component` request made during those loads, p50 and p95
  of their durations (the browser's own request timing) and the bytes they carried; goal p95 < 100 ms;
- concurrent users: N simulated users (httpx, asyncio), each requesting the overview page, the
  progress API and the catalog in a loop, for a bounded time; p95 latency (goal < 500 ms) and the
  number of errors (goal 0). Each user waits a think time between its requests (uniform in
  [0.5, 1.5] × THINK_SECONDS, as locust's `wait_time = between(...)`), as a person reading a page
  does: that figure carries the goal. The same users without think time (each firing its next
  request the moment the last one answered) are reported too, as the saturation figure: it
  measures how many requests a second one process serves, not what a user waits, and the load
  generator shares the machine's two cores with the server.
Peers: the service's own `/healthz` (the floor of one request through the stack) for the users, and
the methodology page (static text, no data) for the page loads.

Run alone: `.venv/bin/python -m benchmarks.bench_web [--national]`
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from app.services.samples import load_samples
from app.services.setup import init_database
from app.services.synthetic import SyntheticSpec, plan_toml, synthetic_plan
from app.services.warmup import WARMED
from app.store import schema
from app.store.bulk import insert_frame
from app.store.engine import make_engine
from benchmarks.harness import REPO, Figure, say, table
from indicators.periods import Period
from indicators.plan import DEFAULT_PLAN, load_plan

PORT = 8150
CHROMIUM = "/usr/bin/chromium"
PAGES = (
    "/",
    "/regions",
    "/indicator",
    "/regions/140100",  # a city's page (太原)
    "/tasks",
    "/departments",
    "/index",
    "/briefs",
    "/methodology",
)
NATIONAL_PAGES = ("/", "/regions", "/indicator", "/departments", "/methodology")
COLD_SECONDS = 120.0  # the first (uncached) visit may take long at national scale: wait, then time warm
STARTUP_SECONDS = 60
THINK_SECONDS = 1.0  # mean pause of a simulated user between two requests
NATIONAL = SyntheticSpec()  # 2,900 regions × 100 indicators × 40 quarters


# ---------------------------------------------------------------------------------- the data


def sample_database(folder: Path) -> tuple[str, Path]:
    """A DuckDB file with the plan and every sample upload, published."""
    url = f"duckdb:///{folder / 'sample.duckdb'}"
    engine = make_engine(url)
    init_database(engine=engine, plan_path=DEFAULT_PLAN)
    load_samples(engine=engine, plan=load_plan(DEFAULT_PLAN), sample_dir=REPO / "data" / "sample")
    engine.dispose()
    return url, DEFAULT_PLAN


def synthetic_database(folder: Path, spec: SyntheticSpec) -> tuple[str, Path]:
    """A DuckDB file with a synthetic plan and all its values, loaded as one publication."""
    data, values = synthetic_plan(spec)
    plan_path = folder / "plan.toml"
    plan_path.write_text(plan_toml(data), encoding="utf-8")
    url = f"duckdb:///{folder / 'national.duckdb'}"
    engine = make_engine(url)
    init_database(engine=engine, plan_path=plan_path)
    n_i, n_r, n_q = values.shape
    periods = [Period.quarter(2020 + q // 4, q % 4 + 1) for q in range(n_q)]
    indicators = np.array([i["code"] for i in data["indicators"]], dtype=object)
    regions = np.array([r["code"] for r in data["regions"]], dtype=object)
    frame = pd.DataFrame(
        {
            "indicator": np.repeat(indicators, n_r * n_q),
            "region": np.tile(np.repeat(regions, n_q), n_i),
            "period": np.tile(np.array([str(p) for p in periods], dtype=object), n_i * n_r),
            "period_ordinal": np.tile(np.array([p.ordinal for p in periods]), n_i * n_r),
            "value": values.reshape(-1),
        }
    )
    frame["upload_id"] = 1
    frame["published_at"] = dt.datetime(2026, 1, 15)
    with engine.begin() as conn:
        insert_frame(conn, table=schema.observations, frame=frame.assign(action="publish"))
        insert_frame(conn, table=schema.current_values, frame=frame)
    engine.dispose()
    return url, plan_path


# ---------------------------------------------------------------------------------- the server


@contextmanager
def served(url: str, plan_path: Path, folder: Path, port: int) -> Iterator[str]:
    """`dem serve --demo` in a child process until the block ends; yields its base URL."""
    env = {
        **os.environ,
        "DEM_DATABASE_URL": url,
        "DEM_PLAN": str(plan_path),
        "DEM_DATA_DIR": str(folder / "data"),
        "DEM_INBOX_DIR": str(folder / "inbox"),
        "DEM_BRIEF_DIR": str(folder / "briefs"),
        "DEM_UPLOAD_DIR": str(folder / "uploads"),
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable,
        "-c",
        "from app.cli import main; main()",
        "serve",
        "--demo",
        "--port",
        str(port),
    ]
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise SystemExit(f"server exited: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start in time")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


# ---------------------------------------------------------------------------------- the browser


def page_loads(
    base: str, *, repetitions: int, pages: tuple[str, ...] = PAGES, timeout_s: float = 30.0,
    cold_timeout_s: float = COLD_SECONDS,
) -> dict[str, Any]:  # fmt: skip
    """Warm page loads to network-idle, and every Dash callback request made meanwhile.

    The first visit of each page (after one of the static page, so the scripts are in the browser's
    cache) is timed too, under `cold`, with its own longer limit, so that a slow first visit is
    finished, not still running on the server, when the warm visits are timed. A page that does not
    reach network-idle within its limit is recorded at that time and listed under `timed_out`, so
    one slow page never hides the others' figures.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    made: list[Any] = []  # the callback requests; timed and sized after the visits
    loads: dict[str, list[float]] = {p: [] for p in pages}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})

        def finished(request: Any) -> None:
            # only kept here: the sync API runs handlers while the next page.goto waits, so asking
            # the browser for sizes here was counted against the next page's load
            if "_dash-update-component" in request.url:
                made.append(request)

        timed_out: set[str] = set()

        def visit(path: str, limit: float = timeout_s, cold: bool = False) -> float:
            t0 = time.perf_counter()
            try:
                page.goto(base + path, wait_until="networkidle", timeout=limit * 1000)
            except PlaywrightError:
                timed_out.add(f"{path} (first visit)" if cold else path)
                return limit
            return time.perf_counter() - t0

        # one untimed visit first, so the browser holds the dashboard's scripts as a returning
        # visitor's does: the first visits below then time the server's first answer at this data
        # version, not the download of the script bundles (about 0.5 s on the very first page)
        visit("/methodology", cold_timeout_s)
        cold = {path: visit(path, cold_timeout_s, cold=True) for path in pages}  # not in the warm figures
        page.on("requestfinished", finished)
        for _ in range(repetitions):
            for path in pages:
                loads[path].append(visit(path))
        # the browser's own timing of each request (start to last byte), not the handler's clock
        callbacks = [
            (r.timing["responseEnd"] / 1000, int(r.sizes().get("responseBodySize", 0))) for r in made
        ]
        browser.close()
    durations = sorted(d for d, _ in callbacks)
    return {
        "loads": {p: statistics.median(v) for p, v in loads.items()},
        "cold": cold,
        "callback_p50": _quantile(durations, 0.5),
        "callback_p95": _quantile(durations, 0.95),
        "callbacks": len(durations),
        "callback_bytes_p95": _quantile(sorted(float(s) for _, s in callbacks), 0.95),
        "timed_out": sorted(timed_out),
    }


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


# ---------------------------------------------------------------------------------- the users


async def _users(
    base: str, *, users: int, seconds: float, paths: list[str], think: float = 0.0
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    # A pooled connection must expire on the client before uvicorn closes it (its keep-alive is 5 s,
    # httpx's default expiry too): at equal times a request can go out on a connection the server is
    # just closing, and comes back as a ReadError or RemoteProtocolError that no server error caused.
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def user(n: int) -> None:
            i = n
            pause = random.Random(n)
            if think:  # users arrive spread over one think time, not all in the same millisecond
                await asyncio.sleep(pause.uniform(0, think))
            while time.monotonic() < deadline:
                path = paths[i % len(paths)]
                i += 1
                t0 = time.perf_counter()
                try:
                    response = await client.get(path)
                    if response.status_code >= 400:
                        errors.append(f"{path}: {response.status_code}")
                except httpx.HTTPError as exc:
                    errors.append(f"{path}: {type(exc).__name__}")
                latencies.append(time.perf_counter() - t0)
                if think:
                    await asyncio.sleep(pause.uniform(0.5 * think, 1.5 * think))

        started = time.monotonic()
        await asyncio.gather(*(user(n) for n in range(users)))
        elapsed = time.monotonic() - started
    latencies.sort()
    return {"p95": _quantile(latencies, 0.95), "p50": _quantile(latencies, 0.5), "requests": len(latencies),
            "per_second": round(len(latencies) / elapsed, 1), "think_seconds": think,
            "errors": len(errors), "first_errors": errors[:5]}  # fmt: skip


USER_PATHS = ["/", "/api/v1/progress?region=140000", "/api/v1/catalog/indicators", "/api/v1/progress"]
"""What a simulated leader requests, in turn."""


def concurrent_users(base: str, *, users: int, seconds: float, think: float = 0.0) -> dict[str, Any]:
    """N users at once for a bounded time over the pages and API reads a leader makes."""
    return asyncio.run(_users(base, users=users, seconds=seconds, paths=USER_PATHS, think=think))


def healthz_floor(base: str, *, users: int, seconds: float, think: float = 0.0) -> dict[str, Any]:
    return asyncio.run(_users(base, users=users, seconds=seconds, paths=["/healthz"], think=think))


# ---------------------------------------------------------------------------------- the figures


def figures(
    *, repetitions: int = 3, users: int = 50, seconds: float = 20.0, national: bool = True,
    browser: bool = True, port: int = PORT, pages: tuple[str, ...] = PAGES, think: float = THINK_SECONDS,
) -> list[Figure]:  # fmt: skip
    """Page loads, callbacks and concurrent users on the sample data, and page loads at national scale."""
    out: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        folder = Path(tmp)
        url, plan_path = sample_database(folder)
        with served(url, plan_path, folder, port) as base:
            if browser:
                ready = warmed(folder)
                found = page_loads(base, repetitions=repetitions, pages=pages)
                out += _browser_figures(found, "sample data", goal=0.8, warm_up=ready)
            out += user_figures(base, users=users, seconds=seconds, think=think)
        if national and browser:
            national_folder = folder / "national"
            national_folder.mkdir()
            url, plan_path = synthetic_database(national_folder, NATIONAL)
            with served(url, plan_path, national_folder, port) as base:
                ready = warmed(national_folder)
                found = page_loads(base, repetitions=1, pages=NATIONAL_PAGES, timeout_s=10.0)
                label = f"national scale {NATIONAL.values:,} values"
                out += _browser_figures(found, label, goal=2.0, warm_up=ready)
    return out


def user_figures(base: str, *, users: int, seconds: float, think: float) -> list[Figure]:
    """The users with think time (the goal), then without it (saturation), each next to /healthz."""
    out: list[Figure] = []
    for pause, label in ((think, f"think time {think:g} s"), (0.0, "no think time: saturation")):
        floor = healthz_floor(base, users=users, seconds=min(5.0, seconds), think=pause)
        result = concurrent_users(base, users=users, seconds=seconds, think=pause)
        out.append(
            Figure(
                "web", f"{users} concurrent users, {label}, p95 latency ({result['requests']:,} requests, "
                f"{result['per_second']:g}/s)",
                result["p95"] * 1000, unit="ms", peer=floor["p95"] * 1000,
                peer_name="/healthz p95, same users", extra=result,
                goal_kind="max" if pause else "", goal=500 if pause else None,
            )
        )  # fmt: skip
        out.append(
            Figure(
                "web", f"{users} concurrent users, {label}, errors", float(result["errors"]), unit="",
                goal_kind="max", goal=1, extra={"first": result["first_errors"]},
            )
        )  # fmt: skip
    return out


def warmed(folder: Path, timeout_s: float = COLD_SECONDS) -> float | None:
    """Seconds the service's start-up page warm-up took (its log line), once it has finished.

    The first visits are timed after it, as a visitor who comes after a publication meets them;
    None if it did not finish in time (the first visits then meet it half-way).
    """
    deadline = time.monotonic() + timeout_s
    pattern = re.compile(re.escape(WARMED) + r" \S+ in ([\d.]+) s")
    while time.monotonic() < deadline:
        found = pattern.search((folder / "server.log").read_text(errors="replace"))
        if found:
            return float(found.group(1))
        time.sleep(0.2)
    return None


def _browser_figures(
    found: dict[str, Any], label: str, *, goal: float, warm_up: float | None
) -> list[Figure]:
    floor = found["loads"].get("/methodology")
    stopped = set(found["timed_out"])
    out = [
        Figure(
            "pages",
            f"{path} to network-idle, warm, {label}" + (" (stopped: time limit)" if path in stopped else ""),
            seconds, peer=floor, peer_name="/methodology (static page)", goal_kind="max", goal=goal,
        )
        for path, seconds in found["loads"].items()
    ]  # fmt: skip
    out += [
        Figure(
            "pages", f"{path} to network-idle, first visit after the start-up page warm-up, {label}",
            seconds, peer=found["cold"].get("/methodology"), peer_name="/methodology (static page)",
            extra={"timed_out": f"{path} (first visit)" in stopped},
        )
        for path, seconds in found["cold"].items()
    ]  # fmt: skip
    out.append(
        Figure(
            "pages", f"start-up page warm-up (the main pages rendered once), {label}"
            + ("" if warm_up is not None else " (stopped: time limit)"),
            COLD_SECONDS if warm_up is None else warm_up, extra={"timed_out": warm_up is None},
        )
    )  # fmt: skip
    extra = {k: v for k, v in found.items() if k not in ("loads", "cold")}
    out.append(
        Figure(
            "callbacks", f"Dash callbacks p95 ({found['callbacks']} calls), {label}",
            found["callback_p95"] * 1000, unit="ms", goal_kind="max", goal=100, extra=extra,
        )
    )  # fmt: skip
    out.append(
        Figure(
            "callbacks", f"Dash callbacks p50, {label}", found["callback_p50"] * 1000, unit="ms", extra=extra
        )
    )
    out.append(
        Figure(
            "callbacks", f"Dash callback response p95 bytes, {label}", found["callback_bytes_p95"], unit="B"
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--national", action="store_true", help="also the page loads at national scale")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--think", type=float, default=THINK_SECONDS, help="users' mean think time (s)")
    args = parser.parse_args()
    found = figures(
        repetitions=args.repeat, users=args.users, seconds=args.seconds, national=args.national,
        port=args.port, think=args.think,
    )  # fmt: skip
    say(table(found))


if __name__ == "__main__":
    main()
