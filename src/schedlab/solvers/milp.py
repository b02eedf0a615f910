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


class MilpSolver:
    name = "milp"

    def unsupported(self, problem: Problem) -> str | None:
        if problem.setups:
            return "the time-indexed MILP does not model sequence-dependent setups"
        if problem.has_blocking:
            return "the time-indexed MILP does not model blocking"
        if "total_earliness" in problem.objective.terms() and any(len(_job_sinks(problem, j)) > 1 for j in problem.jobs):
            return "earliness needs each job to end with a single last task in the MILP"
        size = _time_horizon(problem) * sum(len(t.modes) for t in problem.tasks)
        if size > MAX_VARIABLES:
            return f"too large for the time-indexed MILP ({size} start variables > {MAX_VARIABLES})"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:  # noqa: C901 - builds one LP
        started = time.perf_counter()
        horizon = _time_horizon(problem)
        h = _quiet_highs()  # threads left at the default: HiGHS refuses a change once its scheduler runs
        h.setOptionValue("time_limit", float(options.time_limit))
        h.setOptionValue("random_seed", int(options.seed))
        inf = highspy.kHighsInf

        cost: list[float] = []
        lower: list[float] = []
        upper: list[float] = []
        integrality: list[int] = []

        def new_var(lo: float, hi: float, c: float = 0.0, integer: bool = True) -> int:
            cost.append(c)
            lower.append(lo)
            upper.append(hi)
            integrality.append(1 if integer else 0)
            return len(cost) - 1

        # start variables per task and mode over feasible start times
        starts: list[list[tuple[int, int, int]]] = []  # per task: (var, mode, start)
        for task in problem.tasks:
            lo = problem.jobs[task.job].release if task.job is not None else 0
            deadline = problem.jobs[task.job].deadline if task.job is not None else None
            entries = []
            for k, mode in enumerate(task.modes):
                last = horizon - mode.duration
                if deadline is not None:
                    last = min(last, deadline - mode.duration)
                for s in range(lo, last + 1):
                    if any(s < b and a < s + max(mode.duration, 1) for r in mode.resources
                           for a, b in problem.resources[r].unavailable):
                        continue
                    entries.append((new_var(0, 1), k, s))
            starts.append(entries)

        rows: list[tuple[list[int], list[float], float, float]] = []
        for entries in starts:  # each task starts once
            rows.append(([v for v, _, _ in entries], [1.0] * len(entries), 1.0, 1.0))

        def end_expr(t: int) -> tuple[list[int], list[float]]:
            task = problem.tasks[t]
            return [v for v, _, _ in starts[t]], [float(s + task.modes[k].duration) for _, k, s in starts[t]]

        def start_expr(t: int) -> tuple[list[int], list[float]]:
            return [v for v, _, _ in starts[t]], [float(s) for _, _, s in starts[t]]

        for p in problem.precedences:  # start(after) - end(before) >= lag
            iv, ic = start_expr(p.after)
            jv, jc = end_expr(p.before)
            lo_bound = float(p.lag)
            rows.append((iv + jv, ic + [-c for c in jc], lo_bound, lo_bound if p.no_wait else inf))

        usage: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
        for t, task in enumerate(problem.tasks):
            for v, k, s in starts[t]:
                mode = task.modes[k]
                for r, d in zip(mode.resources, mode.demands, strict=True):
                    for u in range(s, s + mode.duration):
                        cols, vals = usage.setdefault((r, u), ([], []))
                        cols.append(v)
                        vals.append(float(d))
        for (r, _), (cols, vals) in usage.items():
            if sum(vals) > problem.resources[r].capacity:
                rows.append((cols, vals, -inf, float(problem.resources[r].capacity)))

        self._objective(problem, horizon, new_var, rows, end_expr)

        n = len(cost)
        h.addVars(n, np.array(lower), np.array(upper))
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(cost))
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array(integrality, dtype=np.uint8))
        for cols, vals, lo, hi in rows:
            h.addRow(lo, hi, len(cols), np.array(cols, dtype=np.int32), np.array(vals))
        h.setOptionValue("mip_rel_gap", 0.0)
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
        values = h.getSolution().col_value
        items = []
        for t, entries in enumerate(starts):
            v, k, s = max(entries, key=lambda e: values[e[0]])
            items.append(ScheduledTask(t, k, s, s + problem.tasks[t].modes[k].duration))
        status = Status.OPTIMAL if model_status == highspy.HighsModelStatus.kOptimal else Status.FEASIBLE
        return schedule_result(problem, self.name, Schedule(items), status, bound, elapsed, options.seed,
                               variables=n, rows=len(rows))

    @staticmethod
    def _objective(problem, horizon, new_var, rows, end_expr) -> None:
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


SOLVERS.register("milp", MilpSolver, "time-indexed MILP with HiGHS (single machine and small instances)")
