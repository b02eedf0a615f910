"""Pick between trained job-shop policy files on validation shops, never on Taillard (the test set).

Validation: random Taillard-style shops (`random_job_shop`, durations 1..99) of 15x15, 20x20,
30x20 and 50x20, seeds 900000+ (training draws its seeds from a 2^31 range, and never trains on
more than 15 jobs). Each file decodes greedily; the figure is the mean makespan relative to
MWKR's on the same shop (MWKR is the usual best rule there), per size and overall.

Run: .venv/bin/python benchmarks/learned_jobshop_select.py POLICY.pt [POLICY.pt ...] [--per-size 5]
"""

from __future__ import annotations

import argparse
from statistics import mean

from schedlab.learn.solver import load_scorer, rollouts
from schedlab.problems.generators import random_job_shop
from schedlab.solvers.base import SolveOptions, get_solver

SIZES = ((15, 15), (20, 20), (30, 20), (50, 20))
FIRST_SEED = 900_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policies", nargs="+")
    parser.add_argument("--per-size", type=int, default=5)
    args = parser.parse_args()
    shops = [random_job_shop(n, m, seed=FIRST_SEED + k) for n, m in SIZES for k in range(args.per_size)]
    mwkr = [get_solver("rules:mwkr").solve(p, SolveOptions()).objective for p in shops]
    print("| policy | " + " | ".join(f"{n}x{m}" for n, m in SIZES) + " | all |")
    print("|---" * (len(SIZES) + 2) + "|")
    for path in args.policies:
        scorer, _ = load_scorer(path)
        ratios = []
        for problem, rule in zip(shops, mwkr, strict=True):
            (span, _starts), = rollouts(problem, scorer)
            ratios.append(span / rule)
        per = [mean(ratios[i * args.per_size:(i + 1) * args.per_size]) for i in range(len(SIZES))]
        print(f"| {path} | " + " | ".join(f"{r:.4f}" for r in per) + f" | {mean(ratios):.4f} |", flush=True)


if __name__ == "__main__":
    main()
