"""Single-machine search solvers: ``ils`` (iterated local search) and the descents ``edd+``/``mdd+``.

``ils`` starts from the best of EDD, MDD, ATC and SPT, then alternates random-swap kicks with
a swap-and-insertion descent (Numba), accepting trials within 1% of the best and returning to
the best after 100 rounds without progress.  ``edd+`` and ``mdd+`` are schedlab's reconstruction of
the challenger rules of the SMTT heuristic-discovery paper (its EDDC/MDDC are not published in
full): the rule's sequence followed by the same descent, no kicks.
"""

from __future__ import annotations

import time

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.search.budget import StepBudget
from schedlab.solvers.search.rng import make_state
from schedlab.solvers.search.smwt_kernels import descent, iterated_local_search, sequence_cost

SUPPORTED_TERMS = {"total_tardiness", "weighted_tardiness", "total_completion", "weighted_completion"}


def single_machine_arrays(problem: Problem) -> tuple[np.ndarray, ...]:
    """Durations and the cost coefficients a (tardiness) and b (completion) of every job."""
    terms = problem.objective.terms()
    p = np.array([problem.tasks[job.tasks[0]].modes[0].duration for job in problem.jobs], np.int64)
    w = np.array([job.weight for job in problem.jobs], np.int64)
    d = np.array([job.due if job.due is not None else 1 << 40 for job in problem.jobs], np.int64)
    a = terms.get("total_tardiness", 0) + terms.get("weighted_tardiness", 0) * w
    b = terms.get("total_completion", 0) + terms.get("weighted_completion", 0) * w
    return p, np.asarray(a, np.int64), np.asarray(b, np.int64), d


def rule_sequence(rule: str, p: np.ndarray, a: np.ndarray, d: np.ndarray) -> np.ndarray:
    """EDD, SPT, MDD (Baker-Bertrand) or ATC (k=2, mean of unscheduled p) as a job order."""
    n = len(p)
    if rule == "edd":
        return np.lexsort((np.arange(n), d)).astype(np.int64)
    if rule == "spt":
        return np.lexsort((np.arange(n), p)).astype(np.int64)
    order, left, t = [], list(range(n)), 0
    while left:
        if rule == "mdd":
            j = min(left, key=lambda x: (max(d[x], t + p[x]), x))
        else:  # atc
            mean_p = float(np.mean(p[left]))
            j = max(left, key=lambda x: (max(a[x], 1e-9) / p[x] * np.exp(-max(d[x] - p[x] - t, 0) / (2.0 * mean_p)), -x))
        order.append(j)
        left.remove(j)
        t += p[j]
    return np.array(order, np.int64)


def schedule_of(problem: Problem, seq: np.ndarray, p: np.ndarray) -> Schedule:
    items, t = [], 0
    for j in seq:
        task = problem.jobs[j].tasks[0]
        items.append(ScheduledTask(task, 0, t, t + int(p[j])))
        t += int(p[j])
    return Schedule(items)


SINGLE_MACHINE = Capabilities(shapes=frozenset({"single_machine"}), features=frozenset({"zero_durations"}),
                              objectives=frozenset(SUPPORTED_TERMS))


class SingleMachineILS(SolverBase):
    name = "ils"
    capabilities = SINGLE_MACHINE

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        p, a, b, d = single_machine_arrays(problem)
        if options.hint is not None:
            by_task = {s.task: s.start for s in options.hint}
            start = np.array(sorted(range(len(p)), key=lambda j: by_task[problem.jobs[j].tasks[0]]), np.int64)
        else:
            starts = [rule_sequence(r, p, a, d) for r in ("edd", "mdd", "atc", "spt")]
            start = min(starts, key=lambda s: sequence_cost(s, p, a, b, d))
        seq = start.copy()
        best_seq = start.copy()
        best = sequence_cost(seq, p, a, b, d)
        rng = make_state(options.seed)
        kick = int(options.params.get("kick_size", 3))
        accept_ratio = float(options.params.get("accept_ratio", 1.01))
        restart_after = int(options.params.get("restart_after", 100))
        progress = np.zeros(1, np.int64)
        budget = StepBudget(options, started, chunk=1)
        while best > 0:
            steps = budget.next_steps()
            if steps == 0:
                break
            before = best
            best = iterated_local_search(seq, p, a, b, d, steps, kick, accept_ratio, restart_after, rng, best_seq, best,
                                         progress)
            budget.spent(steps)
            if best < before and options.on_incumbent:
                options.on_incumbent(float(best), 0.0, budget.elapsed())
        done = budget.done
        status = Status.OPTIMAL if best == 0 else Status.FEASIBLE
        return schedule_result(problem, self.name, schedule_of(problem, best_seq, p), status, 0.0,
                               time.perf_counter() - started, options.seed, iterations=done)


class RuleDescent(SolverBase):
    """A rule's sequence improved by swap/insertion descent to a local optimum (deterministic)."""

    capabilities = SINGLE_MACHINE

    def __init__(self, rule: str) -> None:
        self.rule = rule
        self.name = f"{rule}+"

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        p, a, b, d = single_machine_arrays(problem)
        seq = rule_sequence(self.rule, p, a, d)
        descent(seq, p, a, b, d)
        return schedule_result(problem, self.name, schedule_of(problem, seq, p), Status.FEASIBLE, None,
                               time.perf_counter() - started, options.seed)


SOLVERS.register("ils", SingleMachineILS, "iterated local search for single-machine tardiness/completion objectives")
SOLVERS.register("edd+", lambda: RuleDescent("edd"),
                 "EDD then swap/insertion descent (schedlab's stand-in for the SMTT paper's EDDC)")
SOLVERS.register("mdd+", lambda: RuleDescent("mdd"),
                 "MDD then swap/insertion descent (schedlab's stand-in for the SMTT paper's MDDC)")
