"""ISBJSSP: the learned blocking-shop dispatcher vs the priority dispatching rules under random machine interruptions.

    .venv/bin/python benchmarks/learned_isbjssp.py [--instances la01,...] [--seeds 5] [--cpsat-limit 10]

Each instance is run as a blocking job shop with swaps (every link blocking); for each
interruption rate (probability per machine and time unit that a machine shuts down, for 5-50
time units) every method meets the same interruptions (the shutdown times are drawn from the
seed, independently of the dispatching). Rate 0 is deterministic and gets one run, plus CP-SAT
on the same blocking model as the offline reference. Writes `benchmarks/results/learned_isbjssp.md`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from schedlab.instances import load_instance
from schedlab.learn.blocking import BLOCKING_RULES, Interruptions, blocking_arrays, run_rule
from schedlab.learn.solver import SHIPPED_BLOCKING, blocking_rollout, load_scorer
from schedlab.problems.shop import chain_routes, job_shop
from schedlab.solvers.base import SolveOptions, get_solver

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = [f"la{k:02d}" for k in range(1, 41)] + [f"ta{k:02d}" for k in range(1, 21)]
RATES = (0.0, 0.001, 0.003, 0.01)


def blocking_version(name: str):
    problem = load_instance(name).problem
    routes = chain_routes(problem)
    return job_shop(f"{name}-blocking", [[op[0] for op in r] for r in routes], len(problem.resources), blocking=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", help="comma-separated job-shop names (default: la01-la40, ta01-ta20)")
    parser.add_argument("--seeds", type=int, default=5, help="interruption draws per instance and rate > 0")
    parser.add_argument("--cpsat-limit", type=float, default=10.0, help="CP-SAT seconds at rate 0 (0: skip)")
    parser.add_argument("--weights", type=Path, default=SHIPPED_BLOCKING)
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    names = args.instances.split(",") if args.instances else DEFAULT
    scorer, record = load_scorer(str(args.weights))
    methods = (*BLOCKING_RULES, "random", "learned")
    spans: dict[float, dict[str, list[float]]] = {r: {m: [] for m in methods} for r in RATES}
    wins: dict[float, list[int]] = {r: [0, 0, 0] for r in RATES}  # learned below / equal / above the best rule
    cpsat: list[tuple[int, int]] = []  # (CP-SAT, learned) at rate 0
    walls = {m: 0.0 for m in methods}
    started = time.perf_counter()
    for name in names:
        problem = blocking_version(name)
        arrays = blocking_arrays(problem)
        for rate in RATES:
            for seed in range(args.seeds if rate > 0 else 1):
                interruptions = Interruptions(rate)
                result = {}
                for method in methods:
                    t0 = time.perf_counter()
                    if method == "learned":
                        result[method] = blocking_rollout(problem, scorer, interruptions, seed).makespan
                    else:
                        result[method] = run_rule(arrays, method, interruptions, seed).makespan
                    walls[method] += time.perf_counter() - t0
                    spans[rate][method].append(result[method])
                best_rule = min(result[m] for m in BLOCKING_RULES)
                wins[rate][0 if result["learned"] < best_rule else 1 if result["learned"] == best_rule else 2] += 1
        if args.cpsat_limit > 0:
            solved = get_solver("cpsat").solve(problem, SolveOptions(time_limit=args.cpsat_limit, workers=2))
            cpsat.append((int(solved.objective), spans[0.0]["learned"][-1]))
        print(name, {m: spans[RATES[-1]][m][-1] for m in methods}, flush=True)
    lines = [
        "# ISBJSSP: learned dispatching vs priority rules on blocking job shops with swaps and interruptions\n",
        f"Command: `.venv/bin/python benchmarks/learned_isbjssp.py{' --instances ' + args.instances if args.instances else ''}`."
        f" Instances: {len(names)} ({names[0]}..{names[-1]}), each with every link blocking (swaps allowed).",
        f"Interruptions: a machine shuts down in any time unit with the given probability, for 5-50 units (uniform);"
        f" {args.seeds} draws per instance at each rate > 0, the same draws for every method.",
        f"Policy: `{args.weights.name}`, {record['steps_done']:,} steps, seed {record['config']['seed']}, "
        f"{record['train_seconds']:.0f} s of training (random 10x5 to 20x10 shops, rates {{0, 0.001, 0.003, 0.01}}; "
        "none of the benchmark's instances).\n",
        "Mean makespan over instances and draws; the last columns compare the learned policy with the best rule "
        "*per run* (the best of the seven, chosen after the fact).\n",
        "| rate | " + " | ".join(methods) + " | learned vs best single rule | learned < / = / > best-per-run rule |",
        "|---:|" + "---:|" * (len(methods) + 2),
    ]
    for rate in RATES:
        means = {m: statistics.mean(spans[rate][m]) for m in methods}
        best_single = min(means[m] for m in BLOCKING_RULES)
        w = wins[rate]
        lines.append(f"| {rate} | " + " | ".join(f"{means[m]:.0f}" for m in methods)
                     + f" | {100 * (means['learned'] / best_single - 1):+.1f}% | {w[0]} / {w[1]} / {w[2]} |")
    if cpsat:
        gaps = [100 * (learned - c) / c for c, learned in cpsat]
        lines.append(f"\nAt rate 0, CP-SAT ({args.cpsat_limit:g} s, 2 workers, same blocking model) against the learned "
                     f"dispatcher: learned is {statistics.mean(gaps):.1f}% above CP-SAT on average "
                     f"(min {min(gaps):.1f}%, max {max(gaps):.1f}%).")
    per_run = {m: 1000 * walls[m] / max(1, sum(len(spans[r][m]) for r in RATES)) for m in methods}
    lines.append("\nMean wall milliseconds per dispatching run: "
                 + ", ".join(f"{m} {v:.1f}" for m, v in per_run.items()) + ".")
    lines.append(f"\nTotal wall time {time.perf_counter() - started:.0f} s on this two-core machine.\n")
    report = "\n".join(lines)
    (ROOT / f"benchmarks/results/learned_isbjssp{args.tag}.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
