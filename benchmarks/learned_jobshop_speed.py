"""Per-schedule time of learned-jobshop-lite against rules:mwkr, repeated to remove noise (issue 14's 2x target).

For each 100x20 Taillard shop (ta71-ta80): each solver's `solve` is run once to warm up, then
`--repeats` times; the figure is the median wall time. The lite solver greedy on the shop alone
(forward) and on the shop and its time-reversed copy (both, its default); 64 sampled lite episodes
(both directions) against 64 MWKR runs; the same for `learned-jobshop-ensemble` (two lite networks,
each decoding both directions: four greedy episodes), also with every episode double-justified
(``justify``, the default: the best greedy episode and every sample, which then runs to its end), and
without it (``justify=0``). One process, one thread.

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
    looks = {"lite greedy, forward, not justified": ("learned-jobshop-lite", {"directions": "forward", "justify": 0}),
             "lite greedy, both directions, not justified": ("learned-jobshop-lite", {"justify": 0}),
             "lite greedy (both directions, justified)": ("learned-jobshop-lite", {}),
             "ensemble greedy, not justified": ("learned-jobshop-ensemble", {"justify": 0}),
             "ensemble greedy (justified)": ("learned-jobshop-ensemble", {})}
    sampled = {"lite 64 samples (justified) vs 64 MWKR": ("learned-jobshop-lite", {}),
               "ensemble 64 samples, not justified, vs 64 MWKR": ("learned-jobshop-ensemble", {"justify": 0}),
               "ensemble 64 samples (justified) vs 64 MWKR": ("learned-jobshop-ensemble", {})}
    print("| instance | MWKR ms | " + " | ".join((*looks, *sampled)) + " |\n|---|---:|" + "---:|" * (len(looks) + len(sampled)))
    ratios: dict[str, list[float]] = {name: [] for name in (*looks, *sampled)}
    for inst in shops:
        problem = inst.load()
        mwkr = timed("rules:mwkr", problem, args.repeats)
        for name, (solver, params) in looks.items():
            ratios[name].append(timed(solver, problem, args.repeats, **params) / mwkr)
        for name, (solver, params) in sampled.items():
            ratios[name].append(timed(solver, problem, 1, samples=64, **params) / (64 * mwkr))
        print(f"| {inst.name} | {1e3 * mwkr:.1f} | " + " | ".join(f"{values[-1]:.2f}" for values in ratios.values()) + " |",
              flush=True)
    print("| median (ratio to MWKR) | | " + " | ".join(f"{median(values):.2f}" for values in ratios.values()) + " |")

if __name__ == "__main__":
    main()
