"""Per-schedule time of learned-jobshop-lite against rules:mwkr, repeated to remove noise (issue 14's 2x target).

For each 100x20 Taillard shop (ta71-ta80): each solver's `solve` is run once to warm up, then
`--repeats` times; the figure is the median wall time. The lite solver greedy on the shop alone
(forward) and on the shop and its time-reversed copy (both, its default); 64 sampled lite episodes
(both directions) against 64 MWKR runs. One process, one thread.

Run: .venv/bin/python benchmarks/learned_jobshop_speed.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import time
from statistics import median

from schedlab.bench.suites import suite_instances
from schedlab.solvers.base import SolveOptions, get_solver


def timed(solver: str, problem, repeats: int, **params) -> float:
    options = SolveOptions(time_limit=600, params=params)
    get_solver(solver).solve(problem, options)
    walls = []
    for _ in range(repeats):
        started = time.perf_counter()
        get_solver(solver).solve(problem, options)
        walls.append(time.perf_counter() - started)
    return median(walls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    shops = [i for i in suite_instances("taillard") if i.name in {f"ta{k}" for k in range(71, 81)}]
    print("| instance | lite greedy, forward ms | lite greedy, both directions ms | MWKR ms | ratio forward | ratio both "
          "| lite 64 samples, both directions s | 64 x MWKR s | ratio |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    ratios, both_ratios, sample_ratios = [], [], []
    for inst in shops:
        problem = inst.load()
        forward = timed("learned-jobshop-lite", problem, args.repeats, directions="forward")
        both = timed("learned-jobshop-lite", problem, args.repeats, directions="both")
        mwkr = timed("rules:mwkr", problem, args.repeats)
        sampled = timed("learned-jobshop-lite", problem, 1, samples=64, directions="both")
        ratios.append(forward / mwkr)
        both_ratios.append(both / mwkr)
        sample_ratios.append(sampled / (64 * mwkr))
        print(f"| {inst.name} | {1e3 * forward:.1f} | {1e3 * both:.1f} | {1e3 * mwkr:.1f} | {forward / mwkr:.2f} "
              f"| {both / mwkr:.2f} | {sampled:.2f} | {64 * mwkr:.2f} | {sampled / (64 * mwkr):.2f} |", flush=True)
    print(f"| median | | | | {median(ratios):.2f} | {median(both_ratios):.2f} | | | {median(sample_ratios):.2f} |")


if __name__ == "__main__":
    main()
