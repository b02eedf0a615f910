"""CP-SAT over the general model: intervals, optional modes, no-overlap, cumulative, circuits."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, IncumbentCallback, SolveOptions, cpsat_stop_hook, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


@dataclass
class CpSatModel:
    """The CP-SAT model of a Problem and the variables needed to read a schedule back."""

    model: cp_model.CpModel
    starts: list[cp_model.IntVar]
    ends: list[cp_model.IntVar]
    presence: list[list[cp_model.IntVar | bool]] = field(default_factory=list)


def build_model(problem: Problem) -> CpSatModel:
    return _Builder(problem).build()


class _Builder:
    """Builds the CP-SAT model one constraint family per method (as PyJobShop's adapters do).

    `build` calls them in a fixed order: the order of variable creation is part of the model
    CP-SAT sees, and keeping it keeps seeded runs reproducible.
    """

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.horizon = problem.horizon()
        self.starts: list[cp_model.IntVar] = []
        self.ends: list[cp_model.IntVar] = []
        self.presence: list[list[cp_model.IntVar | bool]] = []
        self.occupancy_end: list[cp_model.LinearExprT] = []
        self.mode_intervals: list[list[tuple[cp_model.IntervalVar, int]]] = []

    def build(self) -> CpSatModel:
        self.add_tasks_and_modes()
        self.add_blocking_occupancy()
        self.add_mode_intervals()
        self.add_precedences()
        self.add_resources()
        _set_objective(self.model, self.problem, self.ends, self.horizon)
        return CpSatModel(self.model, self.starts, self.ends, self.presence)

    def add_tasks_and_modes(self) -> None:
        """Start and end per task (release dates, deadlines); exactly one mode, which fixes the duration."""
        model, problem, horizon = self.model, self.problem, self.horizon
        for t, task in enumerate(problem.tasks):
            lo = problem.jobs[task.job].release if task.job is not None else 0
            durations = [m.duration for m in task.modes]
            start = model.new_int_var(lo, max(lo, horizon), f"s{t}")
            end = model.new_int_var(lo + min(durations), max(lo + min(durations), horizon), f"e{t}")
            if task.job is not None and problem.jobs[task.job].deadline is not None:
                model.add(end <= problem.jobs[task.job].deadline)
            self.starts.append(start)
            self.ends.append(end)
            if len(task.modes) == 1:
                model.add(end == start + durations[0])
                self.presence.append([True])
            else:
                lits = [model.new_bool_var(f"p{t}_{k}") for k in range(len(task.modes))]
                model.add_exactly_one(lits)
                for lit, d in zip(lits, durations, strict=True):
                    model.add(end == start + d).only_enforce_if(lit)
                self.presence.append(lits)

    def add_blocking_occupancy(self) -> None:
        """A task holds its resources until it ends, or until its blocking successors start."""
        self.occupancy_end = list(self.ends)
        for t in range(len(self.problem.tasks)):
            blocking = [p.after for p in self.problem.successors[t] if p.blocking]
            if blocking:
                occ = self.model.new_int_var(0, self.horizon, f"occ{t}")
                self.model.add_max_equality(occ, [self.ends[t]] + [self.starts[b] for b in blocking])
                self.occupancy_end[t] = occ

    def add_mode_intervals(self) -> None:
        """One (optional) interval per mode, spanning the task's occupancy."""
        model = self.model
        for t, task in enumerate(self.problem.tasks):
            intervals = []
            blocked = self.occupancy_end[t] is not self.ends[t]
            for k, mode in enumerate(task.modes):
                lit = self.presence[t][k]
                if blocked:
                    size = model.new_int_var(0, self.horizon, f"occsize{t}_{k}")
                    model.add(size == self.occupancy_end[t] - self.starts[t])
                else:
                    size = mode.duration
                if lit is True:
                    iv = model.new_interval_var(self.starts[t], size, self.occupancy_end[t], f"i{t}_{k}")
                else:
                    iv = model.new_optional_interval_var(self.starts[t], size, self.occupancy_end[t], lit, f"i{t}_{k}")
                intervals.append((iv, k))
            self.mode_intervals.append(intervals)

    def add_precedences(self) -> None:
        """start(after) >= end(before) + lag; equality for no-wait links."""
        for p in self.problem.precedences:
            if p.no_wait:
                self.model.add(self.starts[p.after] == self.ends[p.before] + p.lag)
            else:
                self.model.add(self.starts[p.after] >= self.ends[p.before] + p.lag)

    def add_resources(self) -> None:
        """No-overlap on machines (with downtime and setup circuits), cumulative on renewable resources."""
        problem, model = self.problem, self.model
        by_resource: dict[int, list[tuple[cp_model.IntervalVar, int, int, int]]] = {}
        for t, task in enumerate(problem.tasks):
            blocked = self.occupancy_end[t] is not self.ends[t]
            for iv, k in self.mode_intervals[t]:
                mode = task.modes[k]
                if mode.duration == 0 and not blocked:
                    continue  # a zero-duration task occupies nothing (as in the validator)
                for r, d in zip(mode.resources, mode.demands, strict=True):
                    if d > 0:
                        by_resource.setdefault(r, []).append((iv, d, t, k))
        setup_resources = {s.resource for s in problem.setups}
        for r, uses in by_resource.items():
            res = problem.resources[r]
            downtime = [model.new_fixed_size_interval_var(a, b - a, f"down{r}_{a}") for a, b in res.unavailable]
            if res.capacity == 1:
                model.add_no_overlap([iv for iv, *_ in uses] + downtime)
                if r in setup_resources:
                    _add_setup_circuit(model, problem, r, uses, self.presence, self.starts, self.occupancy_end)
            else:
                model.add_cumulative([iv for iv, *_ in uses] + downtime, [d for _, d, *_ in uses]
                                     + [res.capacity] * len(downtime), res.capacity)


def _add_setup_circuit(model, problem, r, uses, presence, starts, occupancy_end) -> None:
    """Sequence the tasks on machine r with a circuit so that setups between neighbours hold."""
    nodes = [(t, presence[t][k]) for _, _, t, k in uses]
    arcs = []
    for i, (ti, pi) in enumerate(nodes, start=1):
        skip = model.new_bool_var("")
        if pi is True:
            model.add(skip == 0)
        else:
            model.add(skip == 1 - pi)
        arcs.append((i, i, skip))
        first, last = model.new_bool_var(""), model.new_bool_var("")
        arcs += [(0, i, first), (i, 0, last)]
        for j, (tj, _) in enumerate(nodes, start=1):
            if i == j:
                continue
            lit = model.new_bool_var("")
            arcs.append((i, j, lit))
            setup = problem.setup_lookup.get((r, ti, tj), 0)
            model.add(starts[tj] >= occupancy_end[ti] + setup).only_enforce_if(lit)
    empty = model.new_bool_var("")
    arcs.append((0, 0, empty))
    model.add_circuit(arcs)


def _set_objective(model: cp_model.CpModel, problem: Problem, ends, horizon: int) -> None:
    terms = problem.objective.terms()
    expr = []
    if "makespan" in terms:
        cmax = model.new_int_var(0, horizon, "makespan")
        model.add_max_equality(cmax, ends)
        expr.append(terms["makespan"] * cmax)
    job_terms = set(terms) - {"makespan"}
    if job_terms:
        lmax_parts = []
        for j, job in enumerate(problem.jobs):
            if not job.tasks:
                continue
            c = model.new_int_var(0, horizon, f"C{j}")
            model.add_max_equality(c, [ends[t] for t in job.tasks])
            expr.append(terms.get("total_completion", 0) * c)
            expr.append(terms.get("weighted_completion", 0) * job.weight * c)
            if job.due is None:
                continue
            span = horizon + abs(job.due)
            tard = model.new_int_var(0, span, f"T{j}")
            model.add_max_equality(tard, [c - job.due, 0])
            expr.append((terms.get("total_tardiness", 0) + terms.get("weighted_tardiness", 0) * job.weight) * tard)
            if "tardy_jobs" in terms or "weighted_tardy_jobs" in terms:
                late = model.new_bool_var(f"U{j}")
                model.add(c <= job.due).only_enforce_if(~late)
                model.add(c > job.due).only_enforce_if(late)
                expr.append((terms.get("tardy_jobs", 0) + terms.get("weighted_tardy_jobs", 0) * job.weight) * late)
            if "total_earliness" in terms:
                early = model.new_int_var(0, span, f"E{j}")
                model.add_max_equality(early, [job.due - c, 0])
                expr.append(terms["total_earliness"] * early)
            lmax_parts.append(c - job.due)
        if "max_lateness" in terms and lmax_parts:
            span = horizon + max(abs(job.due or 0) for job in problem.jobs)
            lmax = model.new_int_var(-span, span, "Lmax")
            model.add_max_equality(lmax, lmax_parts)
            expr.append(terms["max_lateness"] * lmax)
    model.minimize(sum(expr))


class _Incumbents(cp_model.CpSolverSolutionCallback):
    def __init__(self, callback: IncumbentCallback, started: float) -> None:
        super().__init__()
        self._callback = callback
        self._started = started

    def on_solution_callback(self) -> None:
        self._callback(self.objective_value, self.best_objective_bound, time.perf_counter() - self._started)


def read_schedule(problem: Problem, built: CpSatModel, solver: cp_model.CpSolver) -> Schedule:
    items = []
    for t, task in enumerate(problem.tasks):
        mode = next(k for k, lit in enumerate(built.presence[t]) if lit is True or solver.boolean_value(lit))
        start = solver.value(built.starts[t])
        items.append(ScheduledTask(t, mode, start, start + task.modes[mode].duration))
    return Schedule(items)


def add_hint(problem: Problem, built: CpSatModel, hint: Schedule) -> None:
    by_task = hint.by_task()
    for t, s in by_task.items():
        built.model.add_hint(built.starts[t], s.start)
        built.model.add_hint(built.ends[t], s.end)
        for k, lit in enumerate(built.presence[t]):
            if lit is not True:
                built.model.add_hint(lit, k == s.mode)


class CpSatSolver(SolverBase):
    name = "cpsat"
    capabilities = Capabilities(problem_types=frozenset({"scheduling", "dag"}))

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        if problem.problem_type == "dag":
            from schedlab.solvers.dag import solve_dag_cpsat

            return solve_dag_cpsat(problem, options, self.name)
        started = time.perf_counter()
        built = build_model(problem)
        if options.hint is not None:
            add_hint(problem, built, options.hint)
        solver = cp_model.CpSolver()
        # The limit counts from the call, so building a large model does not overrun it.
        solver.parameters.max_time_in_seconds = max(0.0, float(options.time_limit) - (time.perf_counter() - started))
        solver.parameters.num_workers = int(options.workers)
        solver.parameters.random_seed = int(options.seed)
        if options.params.get("deterministic"):
            solver.parameters.interleave_search = True
            solver.parameters.max_deterministic_time = float(options.time_limit)
        callback = _Incumbents(options.on_incumbent, started) if options.on_incumbent else None
        if options.stop is not None:
            options.stop.register(cpsat_stop_hook(solver))
            if options.stop.stopped:
                return Result(problem.name, self.name, Status.UNKNOWN, None, None, 0.0, options.seed, None, {})
        code = solver.solve(built.model, callback)
        status = _STATUS.get(code, Status.UNKNOWN)
        elapsed = time.perf_counter() - started
        bound = solver.best_objective_bound if status in (Status.OPTIMAL, Status.FEASIBLE, Status.UNKNOWN) else None
        if bound is not None and math.isfinite(bound):
            bound = float(math.ceil(bound - 1e-9))
        else:
            bound = None
        if status in (Status.OPTIMAL, Status.FEASIBLE):
            schedule = read_schedule(problem, built, solver)
            return schedule_result(problem, self.name, schedule, status, bound, elapsed, options.seed,
                                   branches=solver.num_branches, conflicts=solver.num_conflicts)
        return Result(problem.name, self.name, status, None, None, elapsed, options.seed, None, {})


SOLVERS.register("cpsat", CpSatSolver, "OR-Tools CP-SAT over the general model (exact; reports its bound)")
