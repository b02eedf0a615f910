"""Rule discovery: expressions compile to the kernel's programs; evolution is seeded."""

import numpy as np

from schedlab.bench.suites import find_instance
from schedlab.discovery.evolve import (
    JOB_SHOP_SEEDS,
    PARSIMONY,
    SINGLE_MACHINE_SEEDS,
    SINGLE_MACHINE_TERMINALS,
    RuleEvaluator,
    evolve,
)
from schedlab.discovery.expr import random_tree, to_infix
from schedlab.problems.generators import smtt_instance
from schedlab.solvers import SolveOptions, solve


def test_seed_trees_reproduce_the_classic_rules():
    ft06 = find_instance("ft06").load()
    mwkr = solve(ft06, "rules:mwkr").objective
    assert RuleEvaluator([ft06], [mwkr]).objective(JOB_SHOP_SEEDS[0], 0) == mwkr
    wt = find_instance("wt40-003").load()
    edd = solve(wt, "rules:edd").objective
    assert RuleEvaluator([wt], [edd]).objective(SINGLE_MACHINE_SEEDS[0], 0) == edd


def test_infix_is_readable():
    assert to_infix(("/", ("max", ("var", "slack"), ("var", "p")), ("var", "weight"))) == "(max(slack, p) / weight)"
    tree = random_tree(np.random.default_rng(1), SINGLE_MACHINE_TERMINALS, 3)
    assert isinstance(to_infix(tree), str)


def test_evolution_is_seeded_and_never_worse_than_its_seeds():
    train = [smtt_instance(15, 0.6, 0.4, k, weighted=True) for k in range(3)]
    refs = [solve(p, "ils", SolveOptions(params={"iterations": 200})).objective for p in train]
    evaluator = RuleEvaluator(train, refs)
    a = evolve(evaluator, SINGLE_MACHINE_TERMINALS, 3, population=16, generations=4, seeds=SINGLE_MACHINE_SEEDS)
    b = evolve(evaluator, SINGLE_MACHINE_TERMINALS, 3, population=16, generations=4, seeds=SINGLE_MACHINE_SEEDS)
    assert a.tree == b.tree and a.formula == b.formula
    # elitism keeps the best penalised fitness; the raw gap can differ by the size penalty only
    assert a.train_fitness <= min(evaluator.fitness(s) for s in SINGLE_MACHINE_SEEDS) + PARSIMONY * 40
    assert list(a.history) == sorted(a.history, reverse=True)
