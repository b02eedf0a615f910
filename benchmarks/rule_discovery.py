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

from schedlab.bench.suites import suite_instances
from schedlab.discovery.evolve import (
    JOB_SHOP_SEEDS,
    JOB_SHOP_TERMINALS,
    SINGLE_MACHINE_SEEDS,
    SINGLE_MACHINE_TERMINALS,
    RuleEvaluator,
    aggregate_gap,
    evolve,
    mean_positive_gap,
)
from schedlab.problems.generators import random_job_shop, smtt_instance
from schedlab.solvers import SolveOptions, solve

RESULTS = Path(__file__).resolve().parent / "results"
GRID = [(0.2, 0.2), (0.4, 0.6), (0.6, 0.2), (0.6, 0.6), (0.8, 0.4), (1.0, 0.2), (0.4, 1.0), (0.8, 0.8)]


def held_out(problems, references, tree, baselines) -> dict[str, tuple[float, float]]:
    """Per rule: (aggregate gap, mean gap over instances with a positive reference)."""
    evaluator = RuleEvaluator(problems, references)
    values = {"discovered": [evaluator.objective(tree, k) for k in range(len(problems))]}
    for rule in baselines:
        values[rule] = [solve(p, rule).objective for p in problems]
    return {k: (aggregate_gap(v, references), mean_positive_gap(v, references)) for k, v in values.items()}


def table(scores: dict[str, tuple[float, float]]) -> list[str]:
    lines = ["| rule | aggregate gap % | mean gap % (reference > 0) |", "|---|---:|---:|"]
    for k, (agg, mean) in sorted(scores.items(), key=lambda kv: kv[1][0]):
        lines.append(f"| {k} | {agg:.2f} | {mean:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    lines = ["# Rule discovery by genetic programming", "",
             f"Command: `.venv/bin/python benchmarks/rule_discovery.py --seed {args.seed}`. "
             "Aggregate gap = 100 * (sum of objectives - sum of references) / sum of references (the GP fitness); "
             "the mean per-instance gap is over instances with a positive reference. Lower is better.", ""]

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
              "Held-out: OR-Library wt40 + wt50 (250 instances), gap to the proven optimum:", ""]
    lines += table(scores) + [""]

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
              "Held-out: Taillard ta01-ta80, gap to best known:", ""]
    lines += table(scores)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rule_discovery.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
