"""Genetic programming that discovers dispatching rules (what the SMTT paper did with an LLM,
done here by search), evaluated by Giffler-Thompson list scheduling with the evolved priority.

Fitness: the aggregate gap of the rule's schedules to reference values on the training
instances, 100 * (sum of objectives - sum of references) / sum of references.  (A mean of
per-instance ratios would be dominated by instances whose reference is close to zero, which
loose due dates produce.)  Everything is seeded; the same seed gives the same rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.objectives import evaluate
from schedlab.core.schedule import Schedule
from schedlab.discovery.expr import Tree, crossover, depth, mutate, random_tree, size, to_infix, to_postfix
from schedlab.solvers.rules.arrays import build_arrays
from schedlab.solvers.rules.kernels import PROGRAM_RULE
from schedlab.solvers.rules.solver import run_giffler_thompson

SINGLE_MACHINE_TERMINALS = ("p", "due", "t", "weight", "slack")
JOB_SHOP_TERMINALS = ("p", "work", "ops", "t", "ready")
PARSIMONY = 0.01  # fitness units (% gap) per tree node: prefer short, readable rules


def _v(name: str) -> Tree:
    return ("var", name)


# The classic rules as trees: the search starts from them, as the paper's challengers built on EDD/MDD.
SINGLE_MACHINE_SEEDS: tuple[Tree, ...] = (
    _v("due"),  # EDD
    _v("p"),  # SPT
    ("/", _v("p"), _v("weight")),  # WSPT
    ("max", _v("due"), ("+", _v("t"), _v("p"))),  # MDD
    ("/", ("max", _v("due"), ("+", _v("t"), _v("p"))), _v("weight")),  # weighted MDD
    ("/", ("max", _v("slack"), ("const", 0.0)), _v("weight")),  # weighted minimum slack
)
JOB_SHOP_SEEDS: tuple[Tree, ...] = (
    ("neg", _v("work")),  # MWKR
    _v("ready"),  # FCFS
    ("neg", _v("ops")),  # MOR
    _v("p"),  # SPT
)


@dataclass(frozen=True)
class Discovered:
    tree: Tree
    formula: str
    train_fitness: float
    history: tuple[float, ...]  # best fitness per generation


class RuleEvaluator:
    """Schedules a set of problems with a priority tree and scores the mean gap to references."""

    def __init__(self, problems: Sequence[Problem], references: Sequence[float]) -> None:
        self.problems = list(problems)
        self.references = list(references)
        self.arrays = [build_arrays(p) for p in self.problems]

    def objective(self, tree: Tree, problem_index: int) -> float:
        problem = self.problems[problem_index]
        starts, modes = run_giffler_thompson(problem, PROGRAM_RULE, 0, to_postfix(tree), self.arrays[problem_index])
        schedule = Schedule.from_arrays(starts, modes, [problem.tasks[t].modes[int(modes[t])].duration
                                                        for t in range(len(problem.tasks))])
        return float(evaluate(problem, schedule))

    def fitness(self, tree: Tree) -> float:
        return aggregate_gap([self.objective(tree, k) for k in range(len(self.problems))], self.references)


def aggregate_gap(values: Sequence[float], references: Sequence[float]) -> float:
    """100 * (sum of values - sum of references) / sum of references."""
    total = float(sum(references))
    return 100.0 * (float(sum(values)) - total) / max(total, 1.0)


def mean_positive_gap(values: Sequence[float], references: Sequence[float]) -> float:
    """Mean per-instance gap in %, over the instances whose reference is positive."""
    gaps = [100.0 * (v - r) / r for v, r in zip(values, references, strict=True) if r > 0]
    return float(np.mean(gaps)) if gaps else 0.0


def evolve(evaluator: RuleEvaluator, terminals: tuple[str, ...], seed: int, population: int = 60,
           generations: int = 25, max_depth: int = 4, seeds: Sequence[Tree] = (),
           on_generation: Callable[[int, float, str], None] | None = None) -> Discovered:
    rng = np.random.default_rng(seed)
    pop: list[Tree] = list(seeds)
    while len(pop) < population:
        pop.append(random_tree(rng, terminals, int(rng.integers(2, max_depth + 1)), grow=bool(rng.random() < 0.5)))
    cache: dict[Tree, float] = {}

    def fit(tree: Tree) -> float:
        if tree not in cache:
            cache[tree] = evaluator.fitness(tree) + PARSIMONY * size(tree)
        return cache[tree]

    history = []
    for generation in range(generations):
        scored = sorted(pop, key=fit)
        history.append(fit(scored[0]))
        if on_generation:
            on_generation(generation, fit(scored[0]), to_infix(scored[0]))
        elite = scored[: max(2, population // 10)]
        children = list(elite)
        while len(children) < population:
            a = _tournament(scored, fit, rng)
            r = rng.random()
            if r < 0.7:
                child = crossover(a, _tournament(scored, fit, rng), rng)
            elif r < 0.95:
                child = mutate(a, rng, terminals)
            else:
                child = a
            if depth(child) <= max_depth:
                children.append(child)
        pop = children
    best = min(pop, key=fit)
    return Discovered(best, to_infix(best), evaluator.fitness(best), tuple(history))


def _tournament(scored: list[Tree], fit: Callable[[Tree], float], rng: np.random.Generator, k: int = 3) -> Tree:
    picks = [scored[int(i)] for i in rng.integers(0, len(scored), size=k)]
    return min(picks, key=fit)
