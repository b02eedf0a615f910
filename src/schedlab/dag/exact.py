"""Exact makespan minimisation for small DAGs with CP-SAT (the optimum reference).

One optional interval per (task, processor) with exactly one chosen; no overlap per processor;
for every edge and every pair of processors, the child starts after the parent's finish plus
the transfer time when both placements are chosen. Times are scaled to integers (exact when
costs and transfers are integral); the chosen placement and order are then re-timed with the
real numbers, so the returned schedule is valid for the original problem.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import DagSchedule


@dataclass(frozen=True)
class ExactResult:
    schedule: DagSchedule | None
    status: str  # optimal, feasible, unknown
    lower_bound: float | None


def _scale(problem: DagProblem) -> int:
    values = [x for x in problem.cost.ravel() if np.isfinite(x)]
    p = problem.n_processors
    for _, _, data in problem.edges:
        values += [problem.comm(data, a, b) for a in range(p) for b in range(p) if a != b]
    return 1 if all(abs(v - round(v)) < 1e-9 for v in values) else 1000


def solve_exact(
    problem: DagProblem, time_limit: float = 10.0, seed: int = 0, workers: int = 2, hint: DagSchedule | None = None
) -> ExactResult:
    n, p = problem.n_tasks, problem.n_processors
    k = _scale(problem)
    cost = [[math.inf if not np.isfinite(c) else int(round(c * k)) for c in row] for row in problem.cost]
    horizon = sum(max(c for c in row if c != math.inf) for row in cost)
    horizon += sum(
        int(math.ceil(max((problem.comm(d, a, b) for a in range(p) for b in range(p)), default=0) * k))
        for _, _, d in problem.edges
    )
    m = cp_model.CpModel()
    start = [m.NewIntVar(0, horizon, f"s{i}") for i in range(n)]
    end = [m.NewIntVar(0, horizon, f"e{i}") for i in range(n)]
    on = [[None] * p for _ in range(n)]
    per_proc = [[] for _ in range(p)]
    for i in range(n):
        for q in range(p):
            if cost[i][q] == math.inf:
                continue
            lit = m.NewBoolVar(f"x{i}_{q}")
            on[i][q] = lit
            per_proc[q].append(m.NewOptionalIntervalVar(start[i], cost[i][q], end[i], lit, f"i{i}_{q}"))
        m.AddExactlyOne(lit for lit in on[i] if lit is not None)
    for q in range(p):
        m.AddNoOverlap(per_proc[q])
    for u, v, data in problem.edges:
        m.Add(start[v] >= end[u])
        for a in range(p):
            for b in range(p):
                if a == b or on[u][a] is None or on[v][b] is None:
                    continue
                delay = int(math.ceil(problem.comm(data, a, b) * k - 1e-9))
                if delay > 0:
                    m.Add(start[v] >= end[u] + delay).OnlyEnforceIf([on[u][a], on[v][b]])
    makespan = m.NewIntVar(0, horizon, "makespan")
    m.AddMaxEquality(makespan, end)
    m.Minimize(makespan)
    if hint is not None:
        for i in range(n):
            m.AddHint(start[i], int(round(hint.start[i] * k)))
            for q in range(p):
                if on[i][q] is not None:
                    m.AddHint(on[i][q], 1 if hint.processor[i] == q else 0)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    code = solver.Solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactResult(None, "unknown", None)
    proc = [next(q for q in range(p) if on[i][q] is not None and solver.Value(on[i][q])) for i in range(n)]
    order = sorted(range(n), key=lambda i: (solver.Value(start[i]), i))
    schedule = retime(problem, proc, order, "exact")
    status = "optimal" if code == cp_model.OPTIMAL and k == 1 else "feasible"
    return ExactResult(schedule, status, solver.BestObjectiveBound() / k)


def retime(problem: DagProblem, proc: list[int], order: list[int], algorithm: str) -> DagSchedule:
    """Earliest times for a fixed placement and a fixed per-processor order (`order` is topological-compatible)."""
    n = problem.n_tasks
    start, finish = [0.0] * n, [0.0] * n
    free = [0.0] * problem.n_processors
    for i in order:
        ready = max((finish[u] + problem.comm(d, proc[u], proc[i]) for u, d in problem.preds[i]), default=0.0)
        start[i] = max(ready, free[proc[i]])
        finish[i] = start[i] + float(problem.cost[i, proc[i]])
        free[proc[i]] = finish[i]
    return DagSchedule(tuple(proc), tuple(start), tuple(finish), algorithm)
