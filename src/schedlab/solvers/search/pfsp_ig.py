"""``ig``: iterated greedy for the permutation flow shop (makespan), Ruiz & Stuetzle (2007).

NEH start, then destruction of d=4 random jobs, greedy reinsertion at the best position
(Taillard acceleration), insertion local search, and a constant-temperature acceptance
(T = 0.4 * sum p / (10 n m)).  The schedule is a permutation schedule: every machine
processes the jobs in the same order.
"""

from __future__ import annotations

import time

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.problems.shop import shop_routes
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.search.budget import StepBudget
from schedlab.solvers.search.pfsp_kernels import iterated_greedy, makespan, neh
from schedlab.solvers.search.rng import make_state


def flow_shop_matrix(problem: Problem) -> np.ndarray | None:
    routes = shop_routes(problem)
    m = len(problem.resources)
    if routes is None or any(len(op) != 1 for route in routes for op in route):
        return None
    if any([op[0][0] for op in route] != list(range(m)) for route in routes):
        return None
    return np.array([[op[0][1] for op in route] for route in routes], np.int64)


def permutation_schedule(problem: Problem, seq: np.ndarray, proc: np.ndarray) -> Schedule:
    n, m = proc.shape
    finish = np.zeros(m, np.int64)
    items = []
    for j in seq:
        for i in range(m):
            start = max(finish[i], finish[i - 1] if i > 0 else 0)
            finish[i] = start + proc[j, i]
            items.append(ScheduledTask(problem.jobs[j].tasks[i], 0, int(start), int(finish[i])))
    return Schedule(items)


class FlowShopIG(SolverBase):
    name = "ig"
    capabilities = Capabilities(shapes=frozenset({"flow_shop"}), objectives=frozenset({"makespan"})).without(
        "release_dates", "downtime", "setups", "blocking", "no_wait", "deadlines")

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        proc = flow_shop_matrix(problem)
        assert proc is not None
        n, m = proc.shape
        order = np.lexsort((np.arange(n), -proc.sum(axis=1))).astype(np.int64)
        seq = neh(order, proc)
        best_seq = seq.copy()
        best = makespan(seq, n, proc)
        rng = make_state(options.seed)
        temperature = 0.4 * proc.sum() / (10.0 * n * m)
        destruct = min(int(options.params.get("destruct", 4)), max(n - 1, 1))
        lower = int(max(proc.sum(axis=0).max(), proc.sum(axis=1).max()))
        budget = StepBudget(options, started, chunk=1)
        while best > lower:
            steps = budget.next_steps()
            if steps == 0:
                break
            before = best
            best = iterated_greedy(seq, proc, steps, destruct, temperature, rng, best_seq, best)
            budget.spent(steps)
            if best < before and options.on_incumbent:
                options.on_incumbent(float(best), float(lower), budget.elapsed())
        done = budget.done
        status = Status.OPTIMAL if best <= lower else Status.FEASIBLE
        return schedule_result(problem, self.name, permutation_schedule(problem, best_seq, proc), status,
                               float(lower), time.perf_counter() - started, options.seed, iterations=done)


SOLVERS.register("ig", FlowShopIG, "iterated greedy (NEH + destruction/construction) for the permutation flow shop")
