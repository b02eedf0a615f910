"""Time-indexed MILP solved with HiGHS, for single-machine problems and small instances.

``x[t,k,s] = 1`` when task t starts at time s in mode k.  Capacity holds at every time unit;
precedences compare expected start times.  The formulation's LP bound is strong, but its
size grows with the horizon, so it is meant for small instances (the SMTT study's n=20..100).
"""

from __future__ import annotations

import os
import sys
import time

import highspy
import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase

MAX_VARIABLES = 2_000_000


def _quiet_highs() -> highspy.Highs:
    """A Highs instance without the banner that its constructor prints on the C-level stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def _time_horizon(problem: Problem) -> int:
    """A horizon that holds an optimal schedule: serial processing after the last release."""
    return problem.horizon()


def _job_sinks(problem: Problem, job) -> list[int]:
    """Tasks of the job that no other task of the same job follows."""
    members = set(job.tasks)
    return [t for t in job.tasks if not any(p.after in members for p in problem.successors[t])]


class MilpSolver(SolverBase):
    name = "milp"
    capabilities = Capabilities().without("setups", "blocking")

    def limits(self, problem: Problem) -> str | None:
        if "total_earliness" in problem.objective.terms() and any(len(_job_sinks(problem, j)) > 1 for j in problem.jobs):
            return "earliness needs each job to end with a single last task in the MILP"
        size = _time_horizon(problem) * sum(len(t.modes) for t in problem.tasks)
        if size > MAX_VARIABLES:
            return f"too large for the time-indexed MILP ({size} start variables > {MAX_VARIABLES})"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        built = _TimeIndexedModel(problem)
        built.add_start_variables()
        built.add_one_start_per_task()
        built.add_precedences()
        built.add_capacities()
        built.add_objective()
        h = built.to_highs(options)
        h.run()
        model_status = h.getModelStatus()
        info = h.getInfo()
        elapsed = time.perf_counter() - started
        has_solution = info.primal_solution_status == 2 or model_status == highspy.HighsModelStatus.kOptimal
        bound = info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else None
        if bound is not None:
            bound = float(np.ceil(bound - 1e-6))
        if model_status == highspy.HighsModelStatus.kInfeasible:
            return Result(problem.name, self.name, Status.INFEASIBLE, None, None, elapsed, options.seed, None, {})
        if not has_solution:
            return Result(problem.name, self.name, Status.UNKNOWN, None, bound, elapsed, options.seed, None, {})
        status = Status.OPTIMAL if model_status == highspy.HighsModelStatus.kOptimal else Status.FEASIBLE
        return schedule_result(problem, self.name, built.read_schedule(h.getSolution().col_value), status, bound, elapsed,
                               options.seed, variables=len(built.cost), rows=len(built.rows))


class _TimeIndexedModel:
    """The time-indexed MILP, one constraint family per method: x[t,mode,s] = 1 when task t starts at s in mode."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.horizon = _time_horizon(problem)
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integrality: list[int] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []
        self.starts: list[list[tuple[int, int, int]]] = []  # per task: (var, mode, start)

    def new_var(self, lo: float, hi: float, c: float = 0.0, integer: bool = True) -> int:
        self.cost.append(c)
        self.lower.append(lo)
        self.upper.append(hi)
        self.integrality.append(1 if integer else 0)
        return len(self.cost) - 1

    def end_expr(self, t: int) -> tuple[list[int], list[float]]:
        task = self.problem.tasks[t]
        return [v for v, _, _ in self.starts[t]], [float(s + task.modes[k].duration) for _, k, s in self.starts[t]]

    def start_expr(self, t: int) -> tuple[list[int], list[float]]:
        return [v for v, _, _ in self.starts[t]], [float(s) for _, _, s in self.starts[t]]

    def add_start_variables(self) -> None:
        """Binary start variables per task and mode over the feasible start times (release, deadline, downtime)."""
        problem = self.problem
        for task in problem.tasks:
            lo = problem.jobs[task.job].release if task.job is not None else 0
            deadline = problem.jobs[task.job].deadline if task.job is not None else None
            entries = []
            for k, mode in enumerate(task.modes):
                last = self.horizon - mode.duration
                if deadline is not None:
                    last = min(last, deadline - mode.duration)
                for s in range(lo, last + 1):
                    if any(s < b and a < s + max(mode.duration, 1) for r in mode.resources
                           for a, b in problem.resources[r].unavailable):
                        continue
                    entries.append((self.new_var(0, 1), k, s))
            self.starts.append(entries)

    def add_one_start_per_task(self) -> None:
        for entries in self.starts:
            self.rows.append(([v for v, _, _ in entries], [1.0] * len(entries), 1.0, 1.0))

    def add_precedences(self) -> None:
        """start(after) - end(before) >= lag (= lag for no-wait)."""
        inf = highspy.kHighsInf
        for p in self.problem.precedences:
            iv, ic = self.start_expr(p.after)
            jv, jc = self.end_expr(p.before)
            lo_bound = float(p.lag)
            self.rows.append((iv + jv, ic + [-c for c in jc], lo_bound, lo_bound if p.no_wait else inf))

    def add_capacities(self) -> None:
        """Per resource and time point, the demands of the tasks running then fit the capacity."""
        problem = self.problem
        usage: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
        for t, task in enumerate(problem.tasks):
            for v, k, s in self.starts[t]:
                mode = task.modes[k]
                for r, d in zip(mode.resources, mode.demands, strict=True):
                    for u in range(s, s + mode.duration):
                        cols, vals = usage.setdefault((r, u), ([], []))
                        cols.append(v)
                        vals.append(float(d))
        for (r, _), (cols, vals) in usage.items():
            if sum(vals) > problem.resources[r].capacity:
                self.rows.append((cols, vals, -highspy.kHighsInf, float(problem.resources[r].capacity)))

    def add_objective(self) -> None:
        """The objective terms: makespan, job completion, tardiness, tardy jobs, earliness, maximum lateness."""
        problem, horizon, new_var, rows, end_expr = self.problem, self.horizon, self.new_var, self.rows, self.end_expr
        inf = highspy.kHighsInf
        terms = problem.objective.terms()
        if "makespan" in terms:
            cmax = new_var(0, horizon, float(terms["makespan"]), integer=False)
            for t in range(len(problem.tasks)):
                cols, vals = end_expr(t)
                rows.append((cols + [cmax], [-v for v in vals] + [1.0], 0.0, inf))
        job_terms = set(terms) - {"makespan"}
        if not job_terms:
            return
        lmax = new_var(-inf, inf, float(terms.get("max_lateness", 0)), integer=False) if "max_lateness" in terms else None
        for job in problem.jobs:
            if not job.tasks:
                continue
            c = new_var(0, horizon, float(terms.get("total_completion", 0) + terms.get("weighted_completion", 0)
                                          * job.weight), integer=False)
            sinks = _job_sinks(problem, job)
            for t in job.tasks:
                cols, vals = end_expr(t)
                exact = len(sinks) == 1 and t == sinks[0]  # C equals the end of the job's unique last task
                rows.append((cols + [c], [-v for v in vals] + [1.0], 0.0, 0.0 if exact else inf))
            if job.due is None:
                continue
            tard_cost = terms.get("total_tardiness", 0) + terms.get("weighted_tardiness", 0) * job.weight
            if tard_cost:
                tard = new_var(0, inf, float(tard_cost), integer=False)
                rows.append(([tard, c], [1.0, -1.0], float(-job.due), inf))
            late_cost = terms.get("tardy_jobs", 0) + terms.get("weighted_tardy_jobs", 0) * job.weight
            if late_cost:
                late = new_var(0, 1, float(late_cost))
                rows.append(([c, late], [1.0, -float(horizon)], -inf, float(job.due)))
            if "total_earliness" in terms:
                early = new_var(0, inf, float(terms["total_earliness"]), integer=False)
                rows.append(([early, c], [1.0, 1.0], float(job.due), inf))
            if lmax is not None:
                rows.append(([lmax, c], [1.0, -1.0], float(-job.due), inf))

    def to_highs(self, options: SolveOptions):
        h = _quiet_highs()  # threads left at the default: HiGHS refuses a change once its scheduler runs
        h.setOptionValue("time_limit", float(options.time_limit))
        h.setOptionValue("random_seed", int(options.seed))
        n = len(self.cost)
        h.addVars(n, np.array(self.lower), np.array(self.upper))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(self.cost))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array(self.integrality, dtype=np.uint8))
        for cols, vals, lo, hi in self.rows:
            h.addRow(lo, hi, len(cols), np.array(cols, dtype=np.int32), np.array(vals))
        h.setOptionValue("mip_rel_gap", 0.0)
        return h

    def read_schedule(self, values) -> Schedule:
        items = []
        for t, entries in enumerate(self.starts):
            v, k, s = max(entries, key=lambda e: values[e[0]])
            items.append(ScheduledTask(t, k, s, s + self.problem.tasks[t].modes[k].duration))
        return Schedule(items)


SOLVERS.register("milp", MilpSolver, "time-indexed MILP with HiGHS (single machine and small instances)")
