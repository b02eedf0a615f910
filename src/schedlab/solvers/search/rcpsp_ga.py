"""``ga``: a genetic algorithm for single-mode resource-constrained projects (makespan).

The activity-list GA of Hartmann (1998) with the justification of Valls, Ballestin and
Quintanilla (2005), the combination behind most of the best sampling heuristics on PSPLIB:

- an individual is a precedence-feasible activity list, decoded by the serial SGS;
- every decoded schedule is double-justified (right pass, then left pass) and the individual
  is rewritten as its justified schedule's own list, so children inherit the improvement;
- two-point crossover and neighbour-swap mutation (never across a precedence) keep lists
  feasible; elitist replacement keeps the best distinct schedules of parents and children;
- the first population comes from LFT-biased random sampling (and a hint, when given); after
  `restart_after` generations without improvement all but the best few are re-sampled;
  ``params={"stall_restarts": K}`` ends the search instead once K restarts in a row found
  nothing better, so that a portfolio can hand the rest of its time to CP-SAT.

Numba kernels (`rcpsp_kernels`) do the decoding and whole generations; Python only checks the
clock between chunks of generations. ``params={"iterations": N}`` stops after N generations,
which makes a run exactly reproducible for a seed; a time-limited run depends on the machine.
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
from schedlab.solvers.search.budget import StepBudget
from schedlab.solvers.search.rcpsp_kernels import biased_order, decode, generations
from schedlab.solvers.search.rng import make_state

POPULATION = 400  # best of 20-1600 on 12 hard j120 instances at 5 s (benchmarks/results/rcpsp_ga_tuning.md)
MUTATION = 0.05  # per neighbour pair
RESTART_AFTER = 60  # generations without a better makespan
ELITE_KEPT = 2  # individuals that survive a restart


@dataclass(frozen=True)
class ProjectArrays:
    dur: np.ndarray
    req: np.ndarray
    cap: np.ndarray
    pptr: np.ndarray
    pidx: np.ndarray
    plag: np.ndarray
    sptr: np.ndarray
    sidx: np.ndarray
    slag: np.ndarray
    topo: np.ndarray
    direct: np.ndarray
    lft_keys: np.ndarray
    critical_path: int
    horizon: int

    def kernel_args(self) -> tuple:
        return (self.dur, self.req, self.cap, self.pptr, self.pidx, self.plag, self.sptr, self.sidx, self.slag,
                self.topo)


def _csr(n: int, arcs: list[tuple[int, int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arcs (owner, other, lag) as CSR arrays indexed by owner."""
    arcs = sorted(arcs)
    ptr = np.zeros(n + 1, np.int64)
    for owner, _, _ in arcs:
        ptr[owner + 1] += 1
    return np.cumsum(ptr), np.array([a[1] for a in arcs], np.int64), np.array([a[2] for a in arcs], np.int64)


def project_arrays(problem: Problem) -> ProjectArrays:
    n, resources = len(problem.tasks), len(problem.resources)
    dur = np.array([t.modes[0].duration for t in problem.tasks], np.int64)
    req = np.zeros((n, max(resources, 1)), np.int64)
    for j, task in enumerate(problem.tasks):
        for r, d in zip(task.modes[0].resources, task.modes[0].demands, strict=True):
            req[j, r] += d
    cap = np.array([r.capacity for r in problem.resources] or [1], np.int64)
    pptr, pidx, plag = _csr(n, [(p.after, p.before, p.lag) for p in problem.precedences])
    sptr, sidx, slag = _csr(n, [(p.before, p.after, p.lag) for p in problem.precedences])
    topo = np.empty(n, np.int64)
    topo[list(problem.topological_order)] = np.arange(n)
    direct = np.zeros((n, n), np.bool_)
    for p in problem.precedences:
        direct[p.before, p.after] = True
    head = np.zeros(n, np.int64)  # earliest starts ignoring resources
    for j in problem.topological_order:
        head[j] = max((head[p.before] + dur[p.before] + p.lag for p in problem.predecessors[j]), default=0)
    tail = np.zeros(n, np.int64)  # longest path from a start to the end
    for j in reversed(problem.topological_order):
        tail[j] = dur[j] + max((p.lag + tail[p.after] for p in problem.successors[j]), default=0)
    critical_path = int((head + tail).max(initial=0))
    lft = critical_path - tail + dur
    horizon = int(dur.sum() + sum(max(p.lag, 0) for p in problem.precedences)) + 1
    return ProjectArrays(dur, req, cap, pptr, pidx, plag, sptr, sidx, slag, topo, direct, lft.astype(float),
                         critical_path, horizon)


class _Population:
    """Activity lists, their justified makespans and fingerprints, best first."""

    def __init__(self, arrays: ProjectArrays, size: int, rng: np.ndarray, seed: int) -> None:
        n = len(arrays.dur)
        self.arrays = arrays
        self.rng = rng
        self.usage = np.zeros((arrays.horizon, len(arrays.cap)), np.int64)
        self.start = np.zeros(n, np.int64)
        self.scratch = np.zeros(n, np.int64)
        self.weights = np.random.default_rng(seed).integers(1, 2**62, size=n, dtype=np.int64).astype(np.uint64)
        self.lists = np.zeros((size, n), np.int64)
        self.spans = np.zeros(size, np.int64)
        self.prints = np.zeros(size, np.uint64)
        self.spread = max(1.0, float(arrays.lft_keys.max(initial=0) - arrays.lft_keys.min(initial=0)))

    def evaluate(self, order: np.ndarray) -> tuple[int, np.uint64]:
        """Decode (and justify) `order` in place; its makespan and fingerprint."""
        span = decode(order, *self.arrays.kernel_args(), self.usage, self.start, self.scratch)
        return int(span), np.uint64(np.sum(((self.start + 1).astype(np.uint64) * self.weights), dtype=np.uint64))

    def sample(self, first: int, seeds: list[np.ndarray]) -> None:
        """Rows from `first` on: the given lists, then LFT-biased random samples (the first one unperturbed)."""
        a = self.arrays
        for row in range(first, len(self.lists)):
            if seeds:
                order = seeds.pop(0).copy()
            else:
                noise = 0.0 if row == 0 else self.spread * (0.05 + 0.45 * (row % 8) / 7)
                order = biased_order(a.lft_keys, a.pptr, a.pidx, self.rng, noise)
            self.spans[row], self.prints[row] = self.evaluate(order)
            self.lists[row] = order
        rank = np.argsort(self.spans, kind="mergesort")
        self.lists, self.spans, self.prints = self.lists[rank].copy(), self.spans[rank].copy(), self.prints[rank].copy()

    def evolve(self, count: int, mutation: float) -> int:
        a = self.arrays
        return int(generations(self.lists, self.spans, self.prints, count, *a.kernel_args(), a.direct, self.weights,
                               int(mutation * 1_000_000), self.rng, self.usage, self.start, self.scratch))

    def best_starts(self) -> np.ndarray:
        order = self.lists[0].copy()
        self.evaluate(order)
        return self.start.copy()


def hint_order(problem: Problem, hint: Schedule, topo: np.ndarray) -> np.ndarray:
    by_task = hint.by_task()
    starts = np.array([by_task[t].start for t in range(len(problem.tasks))], np.int64)
    return np.lexsort((topo, starts)).astype(np.int64)


class ProjectGA(SolverBase):
    name = "ga"
    capabilities = Capabilities(objectives=frozenset({"makespan"})).without(
        "multi_mode", "setups", "blocking", "no_wait", "downtime", "release_dates", "deadlines", "negative_lags")

    def limits(self, problem: Problem) -> str | None:
        if problem.is_machine_problem:
            return "use tabu search (job shops), ig (flow shops) or tabu-fjsp for machine problems"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        arrays = project_arrays(problem)
        params = options.params
        size = max(4, int(params.get("population", POPULATION)))
        mutation = float(params.get("mutation", MUTATION))
        restart_after = max(1, int(params.get("restart_after", RESTART_AFTER)))
        stall_restarts = params.get("stall_restarts")
        bound = max(arrays.critical_path, int(params.get("lower_bound", 0)))
        rng = make_state(options.seed)
        population = _Population(arrays, size, rng, options.seed)
        seeds = [hint_order(problem, options.hint, arrays.topo)] if options.hint is not None else []
        population.sample(0, seeds)
        best = int(population.spans[0])
        best_starts = population.best_starts()
        self._report(options, best, bound, started)
        budget = StepBudget(options, started, chunk=1)
        done = stall = restarts = fruitless = 0
        stalled = False
        while best > bound:
            steps = budget.next_steps()
            if steps == 0:
                break
            span = population.evolve(steps, mutation)
            budget.spent(steps)
            done += steps
            if span < best:
                best, stall, fruitless = span, 0, 0
                best_starts = population.best_starts()
                self._report(options, best, bound, started)
            else:
                stall += steps
            if stall >= restart_after:
                if stall_restarts is not None and fruitless >= int(stall_restarts):
                    stalled = True
                    break
                population.sample(ELITE_KEPT, [])
                stall, restarts, fruitless = 0, restarts + 1, fruitless + 1
        dur = arrays.dur
        schedule = Schedule(ScheduledTask(t, 0, int(best_starts[t]), int(best_starts[t] + dur[t]))
                            for t in range(len(dur)))
        status = Status.OPTIMAL if best <= bound else Status.FEASIBLE
        return schedule_result(problem, self.name, schedule, status, float(bound), time.perf_counter() - started,
                               options.seed, generations=done, restarts=restarts, population=size, stalled=stalled)

    @staticmethod
    def _report(options: SolveOptions, best: int, bound: int, started: float) -> None:
        if options.on_incumbent:
            options.on_incumbent(float(best), float(bound), time.perf_counter() - started)


SOLVERS.register("ga", ProjectGA, "genetic algorithm: activity lists, serial SGS, double justification "
                 "(single-mode projects; makespan)")
