"""Benchmark: progress for 50,000 targets over 1.2M values, against plain-Python per-target loops.

Synthetic national-scale data from `dem sample generate`'s generator (app/services/synthetic.py):
1,000 regions (1 province, 32 cities, 967 counties) × 50 quarterly indicators (stocks, YTD flows,
rates; some lower-is-better) × 24 quarters (2020Q1–2025Q4) ≈ 1.2M published values, and one target
per region × indicator (50,000; deadlines 2025 and 2026; linear, geometric and seasonal
trajectories). Cities are reported with a little noise against the sum of their counties (some
differ by more than 1 %), and 3 % of city and province values are left out, so aggregation has sums
to make and inconsistencies to flag.

Two peers, in the same run, on the same aggregated values, judging by the same rules
(current, baseline, e, E, ρ, status; they skip trend, projection, flags and text, so their times are
lower bounds):
- peer A, the loop most people write first: for each target, filter the frame with a boolean mask;
- peer B, the careful pandas version: group the values by series once, then loop over targets.
Each runs on a random subset of targets and is scaled to the full count; the run also checks that
peer B and the vectorised engine give the same status and ρ on that subset.

Run alone: `.venv/bin/python -m benchmarks.bench_progress [--peer-sample 2000] [--repeat 3]`
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict

import numpy as np
import pandas as pd

from app.services.synthetic import SyntheticSpec, synthetic_values
from benchmarks.harness import Figure, median_time, say, table
from indicators.aggregate import aggregate_regions
from indicators.model import Comparator, Measure, Plan, Target, Trajectory
from indicators.periods import Period
from indicators.progress import compute_progress

AS_OF = "2025Q2"
SEED = 20210801
PEER_A_SHARE = 10  # peer A is so slow that it runs on a tenth of the sample
#: the national-scale progress set: 1,000 regions × 50 indicators × 24 quarters, every region a target
SPEC = SyntheticSpec(
    regions=1_000, indicators=50, periods=24, seed=SEED, targets="all", noise=0.004, missing=0.03
)


def synthetic(spec: SyntheticSpec = SPEC) -> tuple[Plan, pd.DataFrame]:
    """The plan (1,000 regions, 50 indicators, 50,000 targets) and its 1.2M observations by code."""
    return synthetic_values(spec)


# ------------------------------------------------------------------ the peers: one target at a time
Rows = list[tuple[int, float]]  # (period end as a month ordinal, value), sorted


def _ordinals(periods: pd.Series) -> list[int]:
    cache: dict[str, int] = {}
    return [cache.setdefault(p, Period.parse(p).ordinal) if p not in cache else cache[p] for p in periods]


def filtered_rows(frame: pd.DataFrame, target: Target) -> Rows:
    """Peer A, the loop most people write first: filter the whole frame for each target."""
    sub = frame[(frame["indicator"] == target.indicator) & (frame["region"] == target.region)]
    return sorted(zip(_ordinals(sub["period"].astype(str)), sub["value"].tolist(), strict=True))


def grouped_rows(frame: pd.DataFrame) -> dict[tuple[str, str], Rows]:
    """Peer B, the careful loop: group the values by series once, then look each target up."""
    series: dict[tuple[str, str], Rows] = defaultdict(list)
    ordinals = _ordinals(frame["period"].astype(str))
    keys = zip(frame["indicator"].astype(str), frame["region"].astype(str), strict=True)
    for key, ordinal, value in zip(keys, ordinals, frame["value"].tolist(), strict=True):
        series[key].append((ordinal, value))
    for rows in series.values():
        rows.sort()
    return series


def naive_progress(plan: Plan, rows: Rows, target: Target, as_of: int) -> tuple[str, float]:
    """Status and ρ of one target, in plain Python (no trend, projection, flags or text: a lower bound)."""
    ind = plan.indicator(target.indicator or "")
    assert target.value is not None and target.comparator is not None
    deadline = target.year * 12 + 12
    cutoff = min(as_of, deadline)
    visible = [(o, v) for o, v in rows if o <= cutoff]
    if not visible:
        return "no_data", math.nan
    is_flow = ind.measure is Measure.FLOW
    ytd = is_flow and (visible[-1][0] - 1) // 12 == target.year
    if is_flow and not ytd:
        visible = [(o, v) for o, v in visible if o % 12 == 0]
        if not visible:
            return "no_data", math.nan
    cur_ord, current = visible[-1]
    if ytd:
        b_ord, base = deadline - 12, 0.0
    else:
        b_ord = plan.baseline_year * 12 + 12
        found = [v for o, v in rows if o == b_ord]
        if found:
            base = found[0]
        else:
            b_ord, base = next((o, v) for o, v in rows if not is_flow or o % 12 == 0)
    e = min(max((cur_ord - b_ord) / (deadline - b_ord), 0.0), 1.0) if deadline > b_ord else 1.0
    tv = target.value
    expected = base + (tv - base) * e
    if target.trajectory is Trajectory.GEOMETRIC and not ytd and base > 0 and tv > 0:
        expected = base * (tv / base) ** e
    if target.trajectory is Trajectory.SEASONAL and ytd:
        same = [v for o, v in rows if o == cur_ord - 12]
        total = [v for o, v in rows if o == deadline - 12]
        if same and total and total[0] > 0:
            expected = tv * same[0] / total[0]
    rho = (
        1.0
        if abs(expected - base) <= 1e-9 * max(abs(expected), abs(base), 1)
        else (current - base) / (expected - base)
    )
    tol = 1e-9 * max(abs(tv), 1.0)
    met = {
        Comparator.GE: current >= tv - tol,
        Comparator.GT: current > tv + tol,
        Comparator.LE: current <= tv + tol,
        Comparator.LT: current < tv - tol,
    }[target.comparator]
    th = plan.thresholds
    r = round(rho, 9)
    if met:
        return "achieved", rho
    if as_of >= deadline:
        return "missed", rho
    if r >= 1:
        return "ahead", rho
    if r >= th.on_track:
        return "on_track", rho
    if r >= th.behind:
        return "behind", rho
    return "severely_behind", rho


def figures(*, spec: SyntheticSpec = SPEC, peer_sample: int = 2000, repetitions: int = 3) -> list[Figure]:
    """The engine (aggregation included) against peer A and peer B, and their agreement."""
    rng = np.random.default_rng(SEED)
    plan, obs = synthetic(spec)
    n = len(plan.numeric_targets)
    size = f"{len(obs):,} values / {n:,} targets"
    engine_s, result = median_time(
        lambda: compute_progress(plan=plan, observations=obs, as_of=AS_OF, explain=False), repetitions
    )
    aggregated = aggregate_regions(plan=plan, observations=obs)
    started = time.perf_counter()
    aggregate_regions(plan=plan, observations=obs)
    t_aggregate = time.perf_counter() - started
    as_of = Period.parse(AS_OF).ordinal
    picks = rng.choice(n, size=min(peer_sample, n), replace=False)
    sample = [plan.numeric_targets[i] for i in sorted(picks)]
    small = sample[: max(1, len(sample) // PEER_A_SHARE)]
    started = time.perf_counter()
    peer_a = [naive_progress(plan, filtered_rows(aggregated, t), t, as_of) for t in small]
    t_a = (time.perf_counter() - started) * n / len(small) + t_aggregate
    started = time.perf_counter()
    series = grouped_rows(aggregated)
    t_group = time.perf_counter() - started
    started = time.perf_counter()
    peer_b = [naive_progress(plan, series.get((t.indicator or "", t.region), []), t, as_of) for t in sample]
    t_b = t_aggregate + t_group + (time.perf_counter() - started) * n / len(sample)
    ours = result.set_index("target_id").loc[[t.id for t in sample]]
    same_status = float(np.mean(ours["status"].to_numpy() == np.array([s for s, _ in peer_b])))
    rho = np.array([r for _, r in peer_b])
    same_rho = float(
        np.mean(np.isclose(ours["progress_ratio"].to_numpy(dtype=float), rho, rtol=1e-9, equal_nan=True))
    )
    agreement = {
        "status": same_status,
        "rho": same_rho,
        "peer_a_vs_b": float(np.mean([a == b for a, b in zip(peer_a, peer_b, strict=False)])),
    }
    return [
        Figure(
            "progress engine", f"engine in memory, {size}", engine_s, peer=t_b,
            peer_name="pandas group once + per-target loop (scaled)", goal_kind="speedup_min", goal=10.0,
            repetitions=repetitions, extra={"agreement_with_peer": agreement, "aggregate_s": t_aggregate},
        ),
        Figure(
            "progress engine", f"engine in memory, {size}, vs filter peer", engine_s, peer=t_a,
            peer_name="pandas boolean filter per target (scaled)", goal_kind="speedup_min", goal=10.0,
            repetitions=repetitions,
        ),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--peer-sample", type=int, default=2000, help="targets the peers run on")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the vectorised engine (median)")
    args = parser.parse_args()
    found = figures(peer_sample=args.peer_sample, repetitions=args.repeat)
    say(table(found))
    say(f"agreement: {found[0].extra['agreement_with_peer']}")


if __name__ == "__main__":
    main()
