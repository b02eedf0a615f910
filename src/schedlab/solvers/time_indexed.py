"""``ti-sat``: time-indexed SAT encoding with destructive bounding, for makespan proofs.

The interval model that ``cpsat`` builds finds good schedules fast, but on a few small,
highly constrained projects (PSPLIB j3013_*, j3029_*) its bound stalls far below the optimum.
A Boolean encoding over time points, in the spirit of Horbach (2010, "A Boolean satisfiability
approach to the resource-constrained project scheduling problem"), learns clauses over
"starts by t" literals and proves such bounds in seconds.

For a deadline T each task i gets its window [ES_i, LS_i] from the precedence graph and the
order-encoding literals y[i, t] == (S_i <= t).  Precedences are binary clauses
y[j, t] -> y[i, t - d_i - lag]; a literal run[i, t] == y[i, t] and not y[i, t - d_i] says that
i runs in [t, t+1), and each resource gets one pseudo-Boolean row per time point
(sum of demand * run <= capacity at t).  Pairs of tasks that can never overlap (they exceed
a capacity together and are not ordered by precedence) additionally get at-most-one rows over
greedy cliques, which shortens the refutations.

The solver descends from an upper bound: it asks CP-SAT (one worker, no LP: the pure clause
search is what proves these instances) whether a schedule of makespan T = UB - 1 exists.  A
schedule found lowers UB to its makespan; a refutation proves UB optimal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, cpsat_stop_hook, get_solver, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase

MAX_LITERALS = 2_000_000  # beyond this the encoding costs more memory and build time than it can win back

Literal = cp_model.IntVar | bool


@dataclass(frozen=True)
class Windows:
    """Durations, earliest starts and the tail of each task (its duration plus the longest path after it)."""

    durations: list[int]
    earliest: list[int]
    tail: list[int]

    def latest(self, deadline: int) -> list[int]:
        return [deadline - self.tail[i] for i in range(len(self.durations))]

    @property
    def critical_path(self) -> int:
        return max((e + t for e, t in zip(self.earliest, self.tail, strict=True)), default=0)


def windows(problem: Problem) -> Windows:
    durations = [task.modes[0].duration for task in problem.tasks]
    earliest = [problem.jobs[task.job].release if task.job is not None else 0 for task in problem.tasks]
    order = problem.topological_order
    for t in order:
        for p in problem.successors[t]:
            earliest[p.after] = max(earliest[p.after], earliest[t] + durations[t] + p.lag)
    tail = list(durations)
    for t in reversed(order):
        for p in problem.successors[t]:
            tail[t] = max(tail[t], durations[t] + p.lag + tail[p.after])
    return Windows(durations, earliest, tail)


def _demands(problem: Problem, task: int) -> dict[int, int]:
    mode = problem.tasks[task].modes[0]
    return {r: d for r, d in zip(mode.resources, mode.demands, strict=True) if d > 0}


def _capacity_at(problem: Problem, resource: int, horizon: int) -> list[int]:
    res = problem.resources[resource]
    capacity = [res.capacity] * horizon
    for a, b in res.unavailable:
        for t in range(max(0, a), min(horizon, b)):
            capacity[t] = 0
    return capacity


class BuildAbandoned(Exception):
    """Raised inside a model build when the caller's `abandon` says the result is no longer wanted."""


class TimeIndexedModel:
    """The feasibility model "every task ends by ``deadline``" in the order encoding.

    Building it is Python work that takes seconds on j120-sized projects, so a portfolio can pass
    `abandon` (checked between rows) to give up a build once the time is out or a rival has won.
    """

    def __init__(self, problem: Problem, win: Windows, deadline: int,
                 abandon: Callable[[], bool] | None = None) -> None:
        self.problem = problem
        self._abandon = abandon
        self.deadline = deadline
        self.durations = win.durations
        self.earliest = win.earliest
        self.latest = win.latest(deadline)
        self.model = cp_model.CpModel()
        self.empty = any(lo > hi for lo, hi in zip(self.earliest, self.latest, strict=True))
        if self.empty:
            return
        self.y = [{t: self.model.new_bool_var(f"y{i}_{t}") for t in range(self.earliest[i], self.latest[i])}
                  for i in range(len(self.durations))]
        self._running: dict[tuple[int, int], Literal] = {}
        self._chain()
        self._precedences()
        self._resources()
        self._cliques()

    def _check_abandon(self) -> None:
        if self._abandon is not None and self._abandon():
            raise BuildAbandoned

    def started_by(self, task: int, t: int) -> Literal:
        """The literal S_task <= t (a constant outside the task's window)."""
        if t < self.earliest[task]:
            return False
        if t >= self.latest[task]:
            return True
        return self.y[task][t]

    def running(self, task: int, t: int) -> Literal:
        """The literal "task occupies [t, t+1)", created on first use."""
        key = (task, t)
        if key in self._running:
            return self._running[key]
        started, done = self.started_by(task, t), self.started_by(task, t - self.durations[task])
        if started is False or done is True:
            lit: Literal = False
        elif started is True and done is False:
            lit = True
        elif started is True:
            lit = ~done
        elif done is False:
            lit = started
        else:
            lit = self.model.new_bool_var(f"run{task}_{t}")
            self.model.add_bool_and([started, ~done]).only_enforce_if(lit)
            self.model.add_bool_or([~started, done, lit])
        self._running[key] = lit
        return lit

    def _chain(self) -> None:
        for i, row in enumerate(self.y):
            for t in range(self.earliest[i], self.latest[i] - 1):
                self.model.add_implication(row[t], row[t + 1])

    def _imply(self, a: Literal, b: Literal) -> None:
        if a is False or b is True:
            return
        if a is True:
            self.model.add_bool_or([b] if b is not False else [])
        elif b is False:
            self.model.add_bool_or([~a])
        else:
            self.model.add_implication(a, b)

    def _precedences(self) -> None:
        for p in self.problem.precedences:
            i, j = p.before, p.after
            shift = self.durations[i] + p.lag
            for t in range(self.earliest[j], self.latest[j]):
                self._imply(self.started_by(j, t), self.started_by(i, t - shift))
            if p.no_wait:
                for t in range(self.earliest[i], self.latest[i]):
                    self._imply(self.started_by(i, t), self.started_by(j, t + shift))

    def _resources(self) -> None:
        users: dict[int, list[tuple[int, int]]] = {}
        for i in range(len(self.durations)):
            if self.durations[i] > 0:
                for r, q in _demands(self.problem, i).items():
                    users.setdefault(r, []).append((i, q))
        for r, tasks in users.items():
            capacity = _capacity_at(self.problem, r, self.deadline)
            for t in range(self.deadline):
                if t % 64 == 0:
                    self._check_abandon()
                terms, fixed = [], 0
                for i, q in tasks:
                    if t < self.earliest[i] or t >= self.latest[i] + self.durations[i]:
                        continue
                    lit = self.running(i, t)
                    if lit is True:
                        fixed += q
                    elif lit is not False:
                        terms.append((q, lit))
                if fixed + sum(q for q, _ in terms) > capacity[t]:
                    self.model.add(sum(q * lit for q, lit in terms) <= capacity[t] - fixed)

    def _cliques(self) -> None:
        """At-most-one rows over greedy cliques of tasks that can never run together."""
        n = len(self.durations)
        demands = [_demands(self.problem, i) for i in range(n)]
        capacity = [res.capacity for res in self.problem.resources]
        after: list[set[int]] = [set() for _ in range(n)]
        for t in reversed(self.problem.topological_order):
            for p in self.problem.successors[t]:
                if p.lag >= 0:
                    after[t] |= {p.after} | after[p.after]
        active = [i for i in range(n) if self.durations[i] > 0 and demands[i]]
        conflicts = {i: {j for j in active if j != i and j not in after[i] and i not in after[j]
                         and any(q + demands[j].get(r, 0) > capacity[r] for r, q in demands[i].items())}
                     for i in active}
        covered: set[tuple[int, int]] = set()
        for i in sorted(active, key=lambda k: -len(conflicts[k])):
            for j in sorted(conflicts[i], key=lambda k: -len(conflicts[k])):
                if (min(i, j), max(i, j)) in covered:
                    continue
                clique = [i, j]
                for k in sorted(conflicts[i] & conflicts[j], key=lambda k: -len(conflicts[k])):
                    if all(k in conflicts[x] for x in clique):
                        clique.append(k)
                covered.update((min(a, b), max(a, b)) for a in clique for b in clique if a != b)
                self._at_most_one_running(clique)

    def _at_most_one_running(self, clique: list[int]) -> None:
        self._check_abandon()
        for t in range(self.deadline):
            lits = [self.running(i, t) for i in clique
                    if self.earliest[i] <= t < self.latest[i] + self.durations[i]]
            lits = [lit for lit in lits if lit is not False]
            if sum(lit is True for lit in lits) > 1:
                self.model.add_bool_or([])
            elif any(lit is True for lit in lits):
                for lit in lits:
                    if lit is not True:
                        self.model.add_bool_or([~lit])
            elif len(lits) > 1:
                self.model.add_at_most_one(lits)

    def read_schedule(self, solver: cp_model.CpSolver) -> Schedule:
        items = []
        for i, row in enumerate(self.y):
            start = next((t for t in sorted(row) if solver.boolean_value(row[t])), self.latest[i])
            items.append(ScheduledTask(i, 0, start, start + self.durations[i]))
        return Schedule(items)


def literal_count(win: Windows, deadline: int) -> int:
    return sum(max(0, deadline - t) for t in win.tail) - sum(win.earliest)


class TimeIndexedSat(SolverBase):
    name = "ti-sat"
    # No deadlines: its refutations assume the starting schedule is feasible.
    capabilities = Capabilities(objectives=frozenset({"makespan"})).without("multi_mode", "setups", "blocking", "deadlines")

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        win = windows(problem)
        best = options.hint
        if best is None:
            first = get_solver("rules:lft").solve(problem, SolveOptions(time_limit=options.time_limit,
                                                                        seed=options.seed, workers=1))
            best = first.schedule
        upper = max((s.end for s in best), default=0) if best is not None else None
        lower = max(win.critical_path, int(options.params.get("lower_bound", 0) or 0))
        refuted, notes = 0, []
        while (target := _target(upper, options)) is not None and lower < target:
            if _time_is_up(started + options.time_limit, options):
                break
            if literal_count(win, target - 1) > MAX_LITERALS:
                notes.append(f"model for T={target - 1} too large")
                break
            found, status = self._check(problem, win, target - 1, started + options.time_limit, options)
            if status is Status.INFEASIBLE:
                lower, refuted = target, refuted + 1
            elif found is not None:
                best, upper = found, max(s.end for s in found)
                if options.on_incumbent:
                    options.on_incumbent(float(upper), float(lower), time.perf_counter() - started)
            else:
                break
        elapsed = time.perf_counter() - started
        if best is None:
            return Result(problem.name, self.name, Status.UNKNOWN, None, float(lower), elapsed, options.seed, None, {})
        status = Status.OPTIMAL if upper is not None and lower >= upper else Status.FEASIBLE
        return schedule_result(problem, self.name, best, status, float(lower), elapsed, options.seed,
                               refutations=refuted, notes=notes)

    @staticmethod
    def _check(problem: Problem, win: Windows, deadline: int, ends_at: float, options: SolveOptions
               ) -> tuple[Schedule | None, Status]:
        try:
            built = TimeIndexedModel(problem, win, deadline, lambda: _time_is_up(ends_at, options))
        except BuildAbandoned:
            return None, Status.UNKNOWN
        if built.empty:
            return None, Status.INFEASIBLE
        if _time_is_up(ends_at, options):  # building a large model takes seconds: the limit still holds
            return None, Status.UNKNOWN
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = ends_at - time.perf_counter()
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 0
        # This presolve step ignores the time limit (3 s on j12056_5's 24k literals, asked for 1 s) and gave the
        # same refutations without it on five j60 proofs: off, so a portfolio's ti-sat ends when told.
        solver.parameters.find_clauses_that_are_exactly_one = False
        solver.parameters.random_seed = int(options.seed)
        if options.stop is not None:
            options.stop.register(cpsat_stop_hook(solver))
        code = solver.solve(built.model)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return built.read_schedule(solver), Status.FEASIBLE
        return None, Status.INFEASIBLE if code == cp_model.INFEASIBLE else Status.UNKNOWN


def _time_is_up(ends_at: float, options: SolveOptions) -> bool:
    """Less than a useful slice of time left before `ends_at`, or a rival has stopped the run."""
    return ends_at - time.perf_counter() <= 0.05 or (options.stop is not None and options.stop.stopped)


def _target(upper: int | None, options: SolveOptions) -> int | None:
    """The makespan to beat: ours, or a better one that a solver running beside us has found."""
    shared = options.upper_bound() if options.upper_bound is not None else None
    if shared is None:
        return upper
    return int(shared) if upper is None else min(upper, int(shared))


SOLVERS.register("ti-sat", TimeIndexedSat, "time-indexed SAT encoding with destructive bounding (makespan proofs)")
