"""``tabu-fjsp``: tabu search for the flexible job shop (makespan), see ``fjsp_kernels``.

Starts from the best Giffler-Thompson rule schedule (or a hint) and runs the kernel in short
chunks so that the time limit and the incumbent callback are honoured.  With
``params={"iterations": N}`` it stops after N steps and is reproducible for a seed.
"""

from __future__ import annotations

import time

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.rules.priorities import RULES
from schedlab.solvers.rules.solver import run_giffler_thompson
from schedlab.solvers.search.budget import StepBudget
from schedlab.solvers.search.fjsp_kernels import fjsp_tabu
from schedlab.solvers.search.jssp_tabu import job_links
from schedlab.solvers.search.rng import make_state

START_RULES = ("mwkr", "fcfs", "mor", "lft", "spt")


def _start(problem: Problem, options: SolveOptions) -> tuple[np.ndarray, np.ndarray]:
    if options.hint is not None:
        by_task = options.hint.by_task()
        n = len(problem.tasks)
        return (np.array([by_task[t].start for t in range(n)], np.int64),
                np.array([by_task[t].mode for t in range(n)], np.int64))
    best = None
    for rule in START_RULES:
        starts, modes = run_giffler_thompson(problem, RULES[rule][0], options.seed)
        span = max(int(starts[t]) + problem.tasks[t].modes[int(modes[t])].duration for t in range(len(starts)))
        if best is None or span < best[0]:
            best = (span, starts, modes)
    assert best is not None
    return best[1], best[2]


def _link_machines(starts: np.ndarray, assign: np.ndarray, alt_machine: np.ndarray, mprev: np.ndarray,
                   mnext: np.ndarray, head: np.ndarray) -> None:
    """Fill each machine's linked list with its operations in order of start time."""
    mprev[:] = -1
    mnext[:] = -1
    head[:] = -1
    for m in range(len(head)):
        ops = sorted((int(starts[t]), t) for t in range(len(starts)) if alt_machine[assign[t]] == m)
        for (_, a), (_, b) in zip(ops, ops[1:], strict=False):
            mnext[a], mprev[b] = b, a
        if ops:
            head[m] = ops[0][1]


class FlexibleJobShopTabu(SolverBase):
    name = "tabu-fjsp"
    capabilities = Capabilities(shapes=frozenset({"flexible_job_shop"}), objectives=frozenset({"makespan"})).without(
        "setups", "downtime", "zero_durations", "blocking", "no_wait", "deadlines")

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        n = len(problem.tasks)
        n_machines = len(problem.resources)
        alt_ptr = np.zeros(n + 1, np.int64)
        for t, task in enumerate(problem.tasks):
            alt_ptr[t + 1] = alt_ptr[t] + len(task.modes)
        alt_machine = np.array([m.resources[0] for t in problem.tasks for m in t.modes], np.int64)
        alt_dur = np.array([m.duration for t in problem.tasks for m in t.modes], np.int64)
        release, jprev, jnext = job_links(problem)
        starts, modes = _start(problem, options)
        assign = alt_ptr[:-1] + modes
        mprev, mnext, head = np.empty(n, np.int64), np.empty(n, np.int64), np.empty(n_machines, np.int64)
        _link_machines(starts, assign, alt_machine, mprev, mnext, head)
        best_assign = assign.copy()
        best_r = starts.copy()
        rng = make_state(options.seed)
        tabu_swap = np.zeros((n, n), np.int32)
        tabu_move = np.zeros((n, n_machines), np.int32)
        max_stall = int(options.params.get("max_stall", 20_000))
        budget = StepBudget(options, started, chunk=50)
        best, it, stall = 1 << 60, 0, 0
        while (steps := budget.next_steps()) > 0:
            before = best
            best, it, stall = fjsp_tabu(alt_ptr, alt_machine, alt_dur, release, jprev, jnext, assign, mprev, mnext,
                                        head, it, steps, max_stall, 4, 10, rng, tabu_swap, tabu_move, best_assign,
                                        best_r, best, stall)
            budget.spent(steps)
            if best < before and options.on_incumbent:
                options.on_incumbent(float(best), None, budget.elapsed())
            if stall >= max_stall:  # restart from the best assignment and its sequences
                assign[:] = best_assign
                _link_machines(best_r, assign, alt_machine, mprev, mnext, head)
                stall = 0
        items = [ScheduledTask(t, int(best_assign[t] - alt_ptr[t]), int(best_r[t]),
                               int(best_r[t] + alt_dur[best_assign[t]])) for t in range(n)]
        return schedule_result(problem, self.name, Schedule(items), Status.FEASIBLE, None,
                               time.perf_counter() - started, options.seed, iterations=int(it))


SOLVERS.register("tabu-fjsp", FlexibleJobShopTabu,
                 "tabu search for the flexible job shop: N5 swaps and machine reassignment of critical operations")
