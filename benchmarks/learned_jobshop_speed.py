"""Per-schedule time of learned-jobshop-lite against rules:mwkr, repeated to remove noise (issue 14's 2x target).

For each 100x20 Taillard shop (ta71-ta80): each solver's `solve` is run once to warm up, then
`--repeats` times; the figure is the median wall time. The lite solver greedy on the shop alone
(forward) and on the shop and its time-reversed copy (both, its default); 64 sampled lite episodes
(both directions) against 64 MWKR runs; the same for `learned-jobshop-ensemble` (two lite networks,
each decoding both directions: four greedy episodes). One process, one thread.

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
    print("| instance | MWKR ms | lite greedy, forward | lite greedy, both directions | ensemble greedy "
          "| lite 64 samples vs 64 MWKR | ensemble 64 samples vs 64 MWKR |\n|---|---:|---:|---:|---:|---:|---:|")
    looks = {"lite forward": ("learned-jobshop-lite", {"directions": "forward"}),
             "lite both": ("learned-jobshop-lite", {}), "ensemble": ("learned-jobshop-ensemble", {})}
    ratios: dict[str, list[float]] = {name: [] for name in (*looks, "lite samples", "ensemble samples")}
    for inst in shops:
        problem = inst.load()
        mwkr = timed("rules:mwkr", problem, args.repeats)
        for name, (solver, params) in looks.items():
            ratios[name].append(timed(solver, problem, args.repeats, **params) / mwkr)
        for name, solver in (("lite samples", "learned-jobshop-lite"), ("ensemble samples", "learned-jobshop-ensemble")):
            ratios[name].append(timed(solver, problem, 1, samples=64) / (64 * mwkr))
        print(f"| {inst.name} | {1e3 * mwkr:.1f} | " + " | ".join(f"{values[-1]:.2f}" for values in ratios.values()) + " |",
              flush=True)
    print("| median (ratio to MWKR) | | " + " | ".join(f"{median(values):.2f}" for values in ratios.values()) + " |")

if __name__ == "__main__":
    main()
