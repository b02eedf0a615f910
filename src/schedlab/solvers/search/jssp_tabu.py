"""``tabu``: tabu search for the job shop (N5 or N7 neighbourhood on critical blocks, Numba kernels).

``tabu`` swaps adjacent operations at the ends of critical blocks (N5, Nowicki & Smutnicki
1996); ``tabu-n7`` moves operations to the front or end of their block, and the first or last
operation into it (N7, Zhang et al. 2007), with the Balas-Vazacopoulos acyclicity test and an
estimate recomputed along the moved segment.  ``params={"neighbourhood": 5 | 7}`` picks either.

Starts from the best of a few Giffler-Thompson rule schedules (or from a hint), runs the
kernel in short chunks so that the time limit and the incumbent callback are honoured, and
restarts from the best solution with random kicks when the search stalls.  With
``params={"iterations": N}`` the run stops after N steps instead, which makes it exactly
reproducible for a seed; a time-limited run depends on the machine's speed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.rules.priorities import RULES
from schedlab.solvers.rules.solver import run_giffler_thompson
from schedlab.solvers.search.budget import StepBudget
from schedlab.solvers.search.jssp_kernels import heads_of, tabu_search
from schedlab.solvers.search.rng import make_state

START_RULES = ("mwkr", "fcfs", "mor", "lft", "cr", "lpt")


@dataclass(frozen=True)
class ShopArrays:
    p: np.ndarray
    release: np.ndarray
    jprev: np.ndarray
    jnext: np.ndarray
    machine: np.ndarray
    mptr: np.ndarray


def job_links(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Release date of each operation's job, and its job predecessor and successor (-1 if none)."""
    n = len(problem.tasks)
    release = np.array([problem.jobs[t.job].release if t.job is not None else 0 for t in problem.tasks], np.int64)
    jprev = np.full(n, -1, np.int64)
    jnext = np.full(n, -1, np.int64)
    for job in problem.jobs:
        for a, b in zip(job.tasks, job.tasks[1:], strict=False):
            jnext[a], jprev[b] = b, a
    return release, jprev, jnext


def shop_arrays(problem: Problem) -> ShopArrays:
    p = np.array([t.modes[0].duration for t in problem.tasks], np.int64)
    machine = np.array([t.modes[0].resources[0] for t in problem.tasks], np.int64)
    release, jprev, jnext = job_links(problem)
    counts = np.bincount(machine, minlength=len(problem.resources))
    mptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ShopArrays(p, release, jprev, jnext, machine, mptr)


def sequences_from_starts(arrays: ShopArrays, starts: np.ndarray) -> np.ndarray:
    order = np.lexsort((np.arange(len(starts)), starts, arrays.machine))
    return order.astype(np.int64)


def lower_bound(problem: Problem, arrays: ShopArrays) -> int:
    loads = np.bincount(arrays.machine, weights=arrays.p, minlength=len(problem.resources))
    jobs = [problem.jobs[j].release + sum(int(arrays.p[t]) for t in job.tasks) for j, job in enumerate(problem.jobs)]
    return int(max(loads.max(initial=0), max(jobs, default=0)))


def best_rule_start(problem: Problem, seed: int) -> np.ndarray:
    best, best_cmax = None, None
    for rule in START_RULES:
        starts, modes = run_giffler_thompson(problem, RULES[rule][0], seed)
        del modes
        cmax = int(max(starts[t] + problem.tasks[t].modes[0].duration for t in range(len(problem.tasks))))
        if best_cmax is None or cmax < best_cmax:
            best, best_cmax = starts, cmax
    assert best is not None
    return best


class JobShopTabu(SolverBase):
    capabilities = Capabilities(shapes=frozenset({"job_shop"}), objectives=frozenset({"makespan"})).without(
        "setups", "downtime", "blocking", "no_wait", "deadlines")

    def __init__(self, neighbourhood: int = 5) -> None:
        self.neighbourhood = neighbourhood
        self.name = "tabu" if neighbourhood == 5 else f"tabu-n{neighbourhood}"

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        arrays = shop_arrays(problem)
        n = len(problem.tasks)
        if options.hint is not None:
            starts = np.array([s.start for s in sorted(options.hint, key=lambda s: s.task)], np.int64)
        else:
            starts = best_rule_start(problem, options.seed)
        seq = sequences_from_starts(arrays, starts)
        best_seq = seq.copy()
        rng = make_state(options.seed)
        tabu = np.zeros((n, n), np.int32)
        n_machines = len(problem.resources)
        tenure_min = int(options.params.get("tenure_min", 2 + n // (10 * max(n_machines, 1)) // 2 + 6))
        tenure_max = int(options.params.get("tenure_max", tenure_min + 6))
        max_stall = int(options.params.get("max_stall", 100_000))
        neighbourhood = int(options.params.get("neighbourhood", self.neighbourhood))
        if neighbourhood not in (5, 7):
            raise ValueError(f"neighbourhood must be 5 or 7, not {neighbourhood}")
        lb = lower_bound(problem, arrays)
        budget = StepBudget(options, started, chunk=200)
        best, it, stall, finished = 1 << 60, 0, 0, False
        while not finished and best > lb:
            steps = budget.next_steps()
            if steps == 0:
                break
            before = best
            best, it, stall, finished = tabu_search(arrays.p, arrays.release, arrays.jprev, arrays.jnext, seq,
                                                    arrays.mptr, it, steps, max_stall, tenure_min, tenure_max, rng,
                                                    tabu, best_seq, best, stall, neighbourhood)
            budget.spent(steps)
            if best < before and options.on_incumbent:
                options.on_incumbent(float(best), float(lb), budget.elapsed())
        heads, cmax = heads_of(arrays.p, arrays.release, arrays.jprev, arrays.jnext, best_seq, arrays.mptr)
        schedule = Schedule(ScheduledTask(t, 0, int(heads[t]), int(heads[t] + arrays.p[t])) for t in range(n))
        status = Status.OPTIMAL if cmax <= lb else Status.FEASIBLE
        return schedule_result(problem, self.name, schedule, status, float(lb), time.perf_counter() - started,
                               options.seed, iterations=int(it))


SOLVERS.register("tabu", JobShopTabu, "tabu search, N5 critical-block swaps (job shop, flow shop; makespan)")
SOLVERS.register("tabu-n7", lambda: JobShopTabu(7),
                 "tabu search, N7 critical-block insertions (job shop, flow shop; makespan)")
