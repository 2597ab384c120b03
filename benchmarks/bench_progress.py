"""Benchmark: progress for 50,000 targets over 1.2M values, against naive per-target Python loops.

Synthetic national-scale data: 1,000 regions (1 province, 111 cities, 888 counties) × 50 quarterly
indicators (stocks, YTD flows, rates; some lower-is-better) × 24 quarters (2020Q1–2025Q4) = 1.2M
published values, and one target per region × indicator (50,000; deadlines 2025 and 2026; linear,
geometric and seasonal trajectories). Cities are reported with a little noise against the sum of
their counties (some differ by more than 1 %), and 3 % of city and province values are left out, so
aggregation has sums to make and inconsistencies to flag.

Two peers, in the same run, on the same aggregated values, judging by the same rules
(current, baseline, e, E, ρ, status; they skip trend, projection, flags and text, so their times are
lower bounds):
- peer A, the loop most people write first: for each target, filter the frame with a boolean mask;
- peer B, the careful loop: group the values by series once, then loop over targets in plain Python.
Each runs on a random subset of targets and is scaled to the full count; the run also checks that
peer B and the vectorised engine give the same status and ρ on that subset.

Run: `.venv/bin/python benchmarks/bench_progress.py [--peer-sample 2000] [--repeat 3]`
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from indicators.aggregate import aggregate_regions
from indicators.explain import explain_progress
from indicators.model import Comparator, Measure, Plan, Target, Trajectory
from indicators.periods import Period
from indicators.plan import parse_plan
from indicators.progress import compute_progress

N_CITIES = 111
COUNTIES_PER_CITY = 8
N_INDICATORS = 50
YEARS = range(2020, 2026)
AS_OF = "2025Q2"
SEED = 20210801
REPORT_NOISE = 0.004  # relative noise of a city's report against its counties' sum
DROPPED = 0.03  # share of city and province values left out
SEASONS = np.array([0.8, 0.95, 1.05, 1.2])  # quarterly shape of flows
PEER_A_SHARE = 10  # peer A is so slow that it runs on a tenth of the sample


def _indicators() -> list[dict[str, Any]]:
    out = []
    for i in range(N_INDICATORS):
        measure = "flow" if i % 5 == 0 else "rate" if i % 10 == 7 else "stock"
        out.append(
            {
                "code": f"ind{i:02d}",
                "name": f"指标{i}",
                "unit": "个",
                "frequency": "quarterly",
                "measure": measure,
                "aggregation": "none" if measure == "rate" else "sum",
                "polarity": "lower" if i % 20 == 7 else "higher",
                "domain": "d",
                "department": "dep",
            }
        )
    return out


def _regions() -> list[dict[str, Any]]:
    regions: list[dict[str, Any]] = [{"code": "P", "name": "省", "level": "province"}]
    for c in range(N_CITIES):
        regions.append({"code": f"C{c:02d}", "name": f"市{c}", "level": "city", "parent": "P"})
        regions += [
            {"code": f"C{c:02d}K{k}", "name": f"县{c}-{k}", "level": "county", "parent": f"C{c:02d}"}
            for k in range(COUNTIES_PER_CITY)
        ]
    return regions


def synthetic(rng: np.random.Generator) -> tuple[Plan, pd.DataFrame]:
    """The plan (1,000 regions, 50 indicators, 50,000 targets) and its 1.2M observations."""
    indicators, regions = _indicators(), _regions()
    n_q = len(YEARS) * 4
    t = np.arange(n_q)
    base = rng.lognormal(3.0, 1.0, (N_INDICATORS, N_CITIES, COUNTIES_PER_CITY, 1))
    growth = rng.normal(0.03, 0.03, (N_INDICATORS, N_CITIES, COUNTIES_PER_CITY, 1))
    level = base * (1 + growth) ** t
    measure = np.array([i["measure"] for i in indicators])
    flow = (measure == "flow")[:, None, None, None]
    quarterly = level * np.tile(SEASONS, len(YEARS))
    ytd = quarterly.reshape(*quarterly.shape[:3], len(YEARS), 4).cumsum(axis=-1).reshape(quarterly.shape)
    county = np.where(flow, ytd, level)
    rate = (measure == "rate")[:, None, None]
    city_sum = county.sum(axis=2)
    city = np.where(rate, county.mean(axis=2), city_sum) * (1 + rng.normal(0, REPORT_NOISE, city_sum.shape))
    province = np.where(
        rate[:, :, 0][:, :, None], city.mean(axis=1, keepdims=True), city.sum(axis=1, keepdims=True)
    )
    # one row per (indicator, region, quarter), regions in plan order: province, then city, its counties
    per_city = np.concatenate([city[:, :, None, :], county], axis=2).reshape(N_INDICATORS, -1, n_q)
    values = np.concatenate([province, per_city], axis=1)
    periods = np.array([str(Period.quarter(y, q)) for y in YEARS for q in range(1, 5)], dtype=object)
    codes = np.array([r["code"] for r in regions], dtype=object)
    obs = pd.DataFrame(
        {
            "indicator": np.repeat([i["code"] for i in indicators], len(regions) * n_q),
            "region": np.tile(np.repeat(codes, n_q), N_INDICATORS),
            "period": np.tile(periods, N_INDICATORS * len(regions)),
            "value": values.reshape(-1),
        }
    )
    upper = ~obs["region"].str.contains("K", regex=False).to_numpy()
    obs = obs[~(upper & (rng.random(len(obs)) < DROPPED))].reset_index(drop=True)
    return _plan(indicators, regions, values, rng), obs


def _plan(
    indicators: list[dict[str, Any]],
    regions: list[dict[str, Any]],
    values: np.ndarray,
    rng: np.random.Generator,
) -> Plan:
    base_2020 = values[:, :, 3]  # 2020Q4: the stock's level, the flow's full-year total
    targets = []
    trajectories = ["linear", "geometric", "seasonal"]
    for i, ind in enumerate(indicators):
        lower = ind["polarity"] == "lower"
        factors = rng.uniform(0.6, 0.9, len(regions)) if lower else rng.uniform(1.3, 2.4, len(regions))
        for r, region in enumerate(regions):
            kinds = 3 if ind["measure"] == "flow" else 2
            targets.append(
                {
                    "indicator": ind["code"],
                    "region": region["code"],
                    "year": 2025 + (r + i) % 2,
                    "value": round(float(base_2020[i, r] * factors[r]), 2),
                    "comparator": "<=" if lower else ">=",
                    "trajectory": trajectories[(r + i) % kinds],
                    "clause": "bench",
                }
            )
    head = {
        "code": "bench",
        "document": "bench",
        "title": "bench",
        "issued": "2021-01-01",
        "baseline_year": 2020,
    }
    return parse_plan(
        {
            "plan": head,
            "regions": regions,
            "departments": [{"code": "dep", "name": "部门"}],
            "domains": [{"code": "d", "name": "域"}],
            "tasks": [],
            "indicators": indicators,
            "targets": targets,
        },
        file="<bench>",
    )


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


def say(text: str, *more: object) -> None:
    """Benchmarks report on standard output; the rest of the code base never prints."""
    print(text, *more)  # noqa: T201


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--peer-sample", type=int, default=2000, help="targets the peers run on")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the vectorised engine (best is kept)")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    plan, obs = synthetic(rng)
    say(
        f"setup: {len(plan.regions):,} regions, {len(plan.indicators)} indicators, {len(obs):,} values, "
        f"{len(plan.numeric_targets):,} targets ({time.perf_counter() - started:.1f} s)"
    )

    best = best_bare = math.inf
    result = pd.DataFrame()
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = compute_progress(plan=plan, observations=obs, as_of=AS_OF)
        best = min(best, time.perf_counter() - started)
        started = time.perf_counter()
        compute_progress(plan=plan, observations=obs, as_of=AS_OF, explain=False)
        best_bare = min(best_bare, time.perf_counter() - started)
    started = time.perf_counter()
    aggregated = aggregate_regions(plan=plan, observations=obs)
    t_aggregate = time.perf_counter() - started
    started = time.perf_counter()
    bare = compute_progress(plan=plan, observations=aggregated, as_of=AS_OF, explain=False)
    t_engine = time.perf_counter() - started
    started = time.perf_counter()
    explain_progress(bare, thresholds=plan.thresholds)
    t_text = time.perf_counter() - started

    as_of = Period.parse(AS_OF).ordinal
    n = len(plan.numeric_targets)
    picks = rng.choice(n, size=min(args.peer_sample, n), replace=False)
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
    t_loop = (time.perf_counter() - started) * n / len(sample)
    t_b = t_aggregate + t_group + t_loop

    ours = result.set_index("target_id").loc[[t.id for t in sample]]
    same_status = np.mean(ours["status"].to_numpy() == np.array([s for s, _ in peer_b]))
    rho = np.array([r for _, r in peer_b])
    same_rho = np.mean(
        np.isclose(ours["progress_ratio"].to_numpy(dtype=float), rho, rtol=1e-9, equal_nan=True)
    )
    same_a = np.mean([a == b for a, b in zip(peer_a, peer_b, strict=False)])

    say(f"vectorised compute_progress, aggregation and explanations included (best of {args.repeat}):")
    parts = f"aggregate_regions {t_aggregate:.2f} s + engine {t_engine:.2f} s + text {t_text:.2f} s"
    say(f"  {best:.2f} s (measured separately: {parts})")
    say(f"  without explanations (explain=False): {best_bare:.2f} s")
    say(f"peer A, filter the frame per target: {len(small):,} targets timed, scaled to {n:,}: {t_a:,.0f} s")
    say(
        f"peer B, group once then loop: {t_group:.2f} s grouping + {t_loop:.2f} s loop (scaled from "
        f"{len(sample):,}) + {t_aggregate:.2f} s aggregation = {t_b:.2f} s"
    )
    say(f"ratios: peer A / vectorised {t_a / best:,.0f}×; peer B / vectorised {t_b / best:.1f}×")
    say(f"agreement with peer B on {len(sample):,} targets: status {same_status:.1%}, ρ {same_rho:.1%}")
    say(f"peer A and peer B agree: {same_a:.1%}")
    say("statuses:", result["status"].value_counts().to_dict())
    say("flags:", result["flags"].explode().value_counts().to_dict())


if __name__ == "__main__":
    main()
