"""Seeded instance generators (no global random state)."""

from __future__ import annotations

import numpy as np

from schedlab.core.model import Problem
from schedlab.problems.shop import single_machine


def smtt_instance(n: int, tardiness_factor: float, due_range: float, seed: int, weighted: bool = False) -> Problem:
    """Potts & Van Wassenhove (1982): p ~ U{1..100}, d ~ U[P(1-TF-RDD/2), P(1-TF+RDD/2)], P = sum p.

    Due dates below zero (possible when TF + RDD/2 > 1) are raised to zero. With ``weighted``,
    w ~ U{1..10} as in the OR-Library wt sets; otherwise every weight is 1 (total tardiness).
    """
    rng = np.random.default_rng(seed)
    p = rng.integers(1, 101, size=n)
    total = int(p.sum())
    low = total * (1 - tardiness_factor - due_range / 2)
    high = total * (1 - tardiness_factor + due_range / 2)
    d = np.maximum(0, np.floor(rng.uniform(low, high, size=n))).astype(int)
    w = rng.integers(1, 11, size=n) if weighted else np.ones(n, int)
    objective = "weighted_tardiness" if weighted else "total_tardiness"
    name = f"smtt-n{n}-tf{tardiness_factor:g}-rdd{due_range:g}-s{seed}"
    return single_machine(name, p.tolist(), w.tolist(), d.tolist(), objective=objective,
                          metadata={"tf": tardiness_factor, "rdd": due_range, "seed": seed})


def random_job_shop(n_jobs: int, n_machines: int, seed: int, low: int = 1, high: int = 99) -> Problem:
    """Taillard-style random job shop: each job visits every machine once in random order."""
    from schedlab.problems.shop import job_shop

    rng = np.random.default_rng(seed)
    routes = []
    for _ in range(n_jobs):
        order = rng.permutation(n_machines)
        routes.append([(int(m), int(rng.integers(low, high + 1))) for m in order])
    return job_shop(f"rjs-{n_jobs}x{n_machines}-s{seed}", routes, n_machines)


def dmu_job_shop(n_jobs: int, n_machines: int, seed: int, two_sets: bool = False) -> Problem:
    """A job shop in the style of Demirkol, Mehta and Uzsoy's DMU set: durations uniform in 1..200; with
    `two_sets` (DMU41-80) the machines are split into two halves and every job visits all of the first half
    (in random order) before the second, otherwise (DMU01-40) each job visits the machines in random order.
    The published instances are not reproduced (their generator's seeds are not public): the same
    distributions, fresh draws."""
    from schedlab.problems.shop import job_shop

    rng = np.random.default_rng(seed)
    first = n_machines // 2
    routes = []
    for _ in range(n_jobs):
        if two_sets:
            order = np.concatenate([rng.permutation(first), first + rng.permutation(n_machines - first)])
        else:
            order = rng.permutation(n_machines)
        routes.append([(int(m), int(rng.integers(1, 201))) for m in order])
    kind = "dmu2" if two_sets else "dmu1"
    return job_shop(f"{kind}-{n_jobs}x{n_machines}-s{seed}", routes, n_machines)
