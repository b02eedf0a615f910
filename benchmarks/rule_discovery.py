"""Rule discovery by genetic programming, evaluated on held-out benchmark instances.

Single machine: rules are evolved on generated weighted-tardiness instances (n = 40,
Potts-Van Wassenhove due dates, references from 0.5 s of ILS), then tested on the OR-Library
wt40 and wt50 sets (gap to the proven optima) against EDD, MDD, ATC and MWKR.
Job shop: rules are evolved on generated 15x15 and 20x15 job shops (references from 2 s of
tabu search), then tested on Taillard ta01-ta80 (gap to best known) against MWKR, FCFS, MOR,
SPT and ATC. Every schedule is scheduled by Giffler-Thompson with the rule as priority.

Run: .venv/bin/python benchmarks/rule_discovery.py [--seed 0]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from schedlab.bench.suites import suite_instances
from schedlab.discovery.evolve import (
    JOB_SHOP_SEEDS,
    JOB_SHOP_TERMINALS,
    SINGLE_MACHINE_SEEDS,
    SINGLE_MACHINE_TERMINALS,
    RuleEvaluator,
    evolve,
)
from schedlab.problems.generators import random_job_shop, smtt_instance
from schedlab.solvers import SolveOptions, solve

RESULTS = Path(__file__).resolve().parent / "results"
GRID = [(0.2, 0.2), (0.4, 0.6), (0.6, 0.2), (0.6, 0.6), (0.8, 0.4), (1.0, 0.2), (0.4, 1.0), (0.8, 0.8)]


def held_out(problems, references, tree, baselines) -> dict[str, float]:
    evaluator = RuleEvaluator(problems, references)
    out = {"discovered": evaluator.fitness(tree)}
    for rule in baselines:
        gaps = [(solve(p, rule).objective - ref) / max(ref, 1.0) for p, ref in zip(problems, references, strict=True)]
        out[rule] = 100.0 * float(np.mean(gaps))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    lines = ["# Rule discovery by genetic programming", "",
             f"Command: `.venv/bin/python benchmarks/rule_discovery.py --seed {args.seed}`. "
             "Gap = mean of 100 * (objective - reference) / reference; lower is better.", ""]

    started = time.perf_counter()
    train = [smtt_instance(40, tf, rdd, args.seed * 100 + k, weighted=True) for k, (tf, rdd) in enumerate(GRID * 2)]
    refs = [solve(p, "ils", SolveOptions(time_limit=0.5, seed=0)).objective for p in train]
    found = evolve(RuleEvaluator(train, refs), SINGLE_MACHINE_TERMINALS, args.seed, population=80, generations=30,
                   seeds=SINGLE_MACHINE_SEEDS)
    test = [i for s in ("wt40", "wt50") for i in suite_instances(s)]
    scores = held_out([i.load() for i in test], [i.best_known for i in test], found.tree,
                      ("rules:edd", "rules:mdd", "rules:atc", "rules:mwkr", "rules:spt"))
    lines += ["## Single-machine weighted tardiness", "",
              f"Discovered rule (dispatch the job with the smallest value): `{found.formula}`  ",
              f"Training: {len(train)} generated instances, n = 40; training gap {found.train_fitness:.2f}% "
              f"to ILS; search time {time.perf_counter() - started:.0f} s.", "",
              "Held-out: OR-Library wt40 + wt50 (250 instances), gap to the proven optimum:", "",
              "| rule | mean gap % |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in sorted(scores.items(), key=lambda kv: kv[1])] + [""]

    started = time.perf_counter()
    train = [random_job_shop(15, 15, args.seed * 100 + k) for k in range(4)]
    train += [random_job_shop(20, 15, args.seed * 100 + 50 + k) for k in range(4)]
    refs = [solve(p, "tabu", SolveOptions(time_limit=2, seed=0)).objective for p in train]
    found = evolve(RuleEvaluator(train, refs), JOB_SHOP_TERMINALS, args.seed, population=60, generations=25,
                   seeds=JOB_SHOP_SEEDS)
    test = suite_instances("taillard")
    scores = held_out([i.load() for i in test], [float(i.best_known) for i in test], found.tree,
                      ("rules:mwkr", "rules:fcfs", "rules:mor", "rules:spt", "rules:lwkr"))
    lines += ["## Job shop makespan", "",
              f"Discovered rule: `{found.formula}`  ",
              f"Training: 8 generated job shops (4 of 15x15, 4 of 20x15); training gap {found.train_fitness:.2f}% "
              f"to 2 s of tabu search; search time {time.perf_counter() - started:.0f} s.", "",
              "Held-out: Taillard ta01-ta80, gap to best known:", "", "| rule | mean gap % |", "|---|---:|"]
    lines += [f"| {k} | {v:.2f} |" for k, v in sorted(scores.items(), key=lambda kv: kv[1])]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rule_discovery.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
