"""`make bench` at small sizes: every benchmark runs end to end, so none can rot unnoticed.

Goals are not asserted (the machine is shared and the sizes are tiny); what must hold is that every
group produced its figures, each with a finite time, its peer where it has one, and the JSON file.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from benchmarks.harness import Figure
from tests.conftest import REPO_ROOT


def test_every_benchmark_runs_at_smoke_size_and_writes_json(tmp_path: Path) -> None:
    """Run as `make bench-smoke` runs it, in its own process: its Chromium must not meet the browser
    tests' session-wide Playwright, which a pytest worker may still hold."""
    out = tmp_path / "smoke.json"
    command = [sys.executable, "-m", "benchmarks.run", "--smoke", "--out", str(out), "--port", "8151"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    saved = json.loads(out.read_text(encoding="utf-8"))
    figures = saved["figures"]
    groups = {f["group"] for f in figures}
    assert groups == {
        "ingest", "progress engine", "progress service", "composite index",
        "briefs", "pages", "callbacks", "web",
    }  # fmt: skip
    assert all(math.isfinite(f["ours"]) and f["ours"] >= 0 for f in figures), [f["name"] for f in figures]
    with_peer = [f for f in figures if f["peer"] is not None]
    assert len(with_peer) >= 10 and all(f["ratio"] is not None and f["ratio"] > 0 for f in with_peer)
    errors = next(f for f in figures if f["name"].endswith("errors"))
    assert errors["ours"] == 0, errors["extra"]
    warm_up = next(f for f in figures if f["name"].startswith("start-up page warm-up"))
    assert not warm_up["extra"]["timed_out"], "the service never logged its page warm-up"
    assert {"ratio", "met", "goal_text", "load_average"} <= set(figures[0])
    assert saved["machine"]["cpus"] >= 1


def test_goals_are_judged_by_their_kind() -> None:
    """max: 0.2 s < 0.3 s; ratio_max: 3 s / 1 s = 3× > 2×; speedup_min: 10 s / 0.5 s = 20× ≥ 10×."""
    assert Figure("g", "a", 0.2, goal_kind="max", goal=0.3).met is True
    assert Figure("g", "b", 3.0, peer=1.0, goal_kind="ratio_max", goal=2.0).met is False
    assert Figure("g", "c", 0.5, peer=10.0, goal_kind="speedup_min", goal=10.0).met is True
    assert Figure("g", "d", 1.0, peer=5.0, goal_kind="speedup_min", goal=10.0).met is False
    assert Figure("g", "e", 1.0).met is None
