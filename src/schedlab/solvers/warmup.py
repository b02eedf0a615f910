"""Compile (or load from Numba's on-disk cache) the search kernels before any clock starts.

Numba compiles a kernel at its first call; done inside a timed solve, that compile ate the
time limit of a fresh clone's first run. `warm_up` runs each kernel solver once on a tiny
built-in problem with a step budget: the first time on a machine it compiles and caches (make
run does it at install), afterwards it loads the cache. `solve` and `auto` call it before they
start their clocks, so time limits count only the search; the service's workers call it at start,
so forked job processes inherit loaded kernels.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from schedlab.core.model import Mode, Problem, ProblemBuilder
from schedlab.problems.generators import random_job_shop, smtt_instance
from schedlab.problems.shop import flexible_job_shop, flow_shop

_warmed: set[str] = set()


def _project(multi_mode: bool = True) -> Problem:
    """Six activities on one renewable resource of capacity 3, one of them with two modes (if `multi_mode`)."""
    b = ProblemBuilder("warm-project", "rcpsp")
    r = b.add_resource("R", capacity=3)
    ids = []
    for k, d in enumerate((3, 2, 4, 2, 3, 1)):
        modes = [Mode(d, (r,), (1 + k % 3,))] + ([Mode(d + 1, (r,), (1,))] if k == 2 and multi_mode else [])
        ids.append(b.add_task(modes, name=f"a{k}"))
    for a, c in ((0, 2), (1, 3), (2, 4), (3, 5)):
        b.add_precedence(ids[a], ids[c])
    return b.build()


TINY: dict[str, Callable[[], Problem]] = {
    "jobshop": lambda: random_job_shop(4, 3, seed=0),
    "fjsp": lambda: flexible_job_shop("warm-fjsp", [[[(0, 3), (1, 4)], [(1, 2)]], [[(1, 3)], [(0, 2), (1, 1)]]], 2),
    "flowshop": lambda: flow_shop("warm-flowshop", [[3, 2, 4], [2, 4, 1], [4, 1, 3]]),
    "single": lambda: smtt_instance(8, 0.6, 0.4, seed=0, weighted=True),
    "project": _project,
    "single-mode project": lambda: _project(multi_mode=False),
}
KERNEL_SOLVERS: dict[str, tuple[str, ...]] = {
    "rules:mwkr": ("jobshop", "project"),
    "rules-parallel:mwkr": ("project",),
    "tabu": ("jobshop",),
    "tabu-n7": ("jobshop",),
    "tabu-fjsp": ("fjsp",),
    "ig": ("flowshop",),
    "ils": ("single",),
    "fbi": ("project",),
    "ga": ("single-mode project",),
}


def warm_up(names: Iterable[str] | None = None) -> float:
    """Run each named kernel solver (default: all) once in this process; returns the seconds it took."""
    from schedlab.solvers.base import SolveOptions, get_solver

    started = time.perf_counter()
    for name in KERNEL_SOLVERS if names is None else names:
        if name in _warmed or name not in KERNEL_SOLVERS:
            continue
        _warmed.add(name)
        solver = get_solver(name)
        for kind in KERNEL_SOLVERS[name]:
            problem = TINY[kind]()
            if solver.unsupported(problem) is None:
                solver.solve(problem, SolveOptions(time_limit=5.0, seed=0, workers=1, params={"iterations": 50}))
    return time.perf_counter() - started
