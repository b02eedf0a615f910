"""Pick between trained job-shop policy files on validation shops, never on Taillard (the test set).

Validation: random Taillard-style shops (`random_job_shop`, durations 1..99) of 15x15, 20x20,
30x20 and 50x20, seeds 900000+ (training draws its seeds from a 2^31 range, and never trains on
more than 15 jobs). Each file decodes greedily; the figure is the mean makespan relative to
MWKR's on the same shop (MWKR is the usual best rule there), per size and overall. With
`--samples K`, also the best of K sampled episodes (seed 0) of each lite policy file, at each of
the `--temperatures`. Lite files run in the compiled kernel, attention files in PyTorch.

With `--pairs`, lite files only: the `learned-jobshop-lite` solver as shipped (both directions) with
each file alone and with each pair of files as an ensemble (`weights=A,B`, as
`learned-jobshop-ensemble`), greedy and, with `--samples K`, best of K (seed 0).

Run: .venv/bin/python benchmarks/learned_jobshop_select.py POLICY.pt [POLICY.pt ...] [--per-size 5]
     [--samples 64 --temperatures 1,0.7]
     .venv/bin/python benchmarks/learned_jobshop_select.py A.pt B.pt C.pt --pairs [--samples 64]
"""

from __future__ import annotations

import argparse
from itertools import combinations
from statistics import mean

import numpy as np

from schedlab.learn.jobshop import JobShopArrays
from schedlab.learn.lite import export, lite_rollouts
from schedlab.learn.solver import load_scorer, rollouts
from schedlab.problems.generators import random_job_shop
from schedlab.solvers.base import SolveOptions, get_solver

SIZES = ((15, 15), (20, 20), (30, 20), (50, 20))
FIRST_SEED = 900_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policies", nargs="+")
    parser.add_argument("--per-size", type=int, default=5)
    parser.add_argument("--samples", type=int, default=0, help="also the best of this many sampled episodes (lite files)")
    parser.add_argument("--temperatures", default="1", help="softmax temperatures of the sampled episodes, e.g. 1,0.7")
    parser.add_argument("--pairs", action="store_true", help="each lite file and each pair as an ensemble, both "
                        "directions, through the solver")
    args = parser.parse_args()
    shops = [random_job_shop(n, m, seed=FIRST_SEED + k) for n, m in SIZES for k in range(args.per_size)]
    mwkr = [get_solver("rules:mwkr").solve(p, SolveOptions()).objective for p in shops]
    print("| policy | " + " | ".join(f"{n}x{m}" for n, m in SIZES) + " | all |")
    print("|---" * (len(SIZES) + 2) + "|")
    if args.pairs:
        _pairs(args, shops, mwkr)
        return
    for path in args.policies:
        scorer, _ = load_scorer(path)
        lite = hasattr(scorer, "first")
        temperatures = [float(t) for t in args.temperatures.split(",")] if args.samples and lite else []
        ratios, sampled = [], {t: [] for t in temperatures}
        for problem, rule in zip(shops, mwkr, strict=True):
            if lite:
                arrays, weights = JobShopArrays.from_problem(problem), export(scorer)
                (span, _starts), = lite_rollouts(arrays, weights)
                for t in temperatures:
                    best = min(s for s, _ in lite_rollouts(arrays, weights, args.samples, np.random.default_rng(0), t))
                    sampled[t].append(min(span, best) / rule)
            else:
                (span, _starts), = rollouts(problem, scorer)
            ratios.append(span / rule)
        rows = [("greedy", ratios)] + [(f"best of {args.samples} at T={t:g}", sampled[t]) for t in temperatures]
        for label, values in rows:
            if values:
                per = [mean(values[i * args.per_size:(i + 1) * args.per_size]) for i in range(len(SIZES))]
                print(f"| {path} {label} | " + " | ".join(f"{r:.4f}" for r in per) + f" | {mean(values):.4f} |",
                      flush=True)


def _pairs(args: argparse.Namespace, shops: list, mwkr: list[float]) -> None:
    solver = get_solver("learned-jobshop-lite")
    for group in [(p,) for p in args.policies] + list(combinations(args.policies, 2)):
        runs = [("greedy", {})] + ([(f"best of {args.samples}", {"samples": args.samples})] if args.samples else [])
        for label, params in runs:
            options = SolveOptions(time_limit=600, params={"weights": ",".join(group), **params})
            values = [solver.solve(problem, options).objective / rule for problem, rule in zip(shops, mwkr, strict=True)]
            per = [mean(values[i * args.per_size:(i + 1) * args.per_size]) for i in range(len(SIZES))]
            print(f"| {' + '.join(group)} {label}, both directions | " + " | ".join(f"{r:.4f}" for r in per)
                  + f" | {mean(values):.4f} |", flush=True)


if __name__ == "__main__":
    main()
