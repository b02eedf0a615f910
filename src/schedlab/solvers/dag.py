"""Static DAG scheduling as registered solvers: the HEFT family returns the core `Result`.

Every list heuristic of `schedlab.dag` is a solver for `dag` problems; `cpsat` solves a DAG with
the exact model of `schedlab.dag.exact` (warm-started from HEFT); `auto` takes the best
heuristic and hands it to CP-SAT while the model is small enough.
"""

from __future__ import annotations

import time

from schedlab.core.result import Result, Status
from schedlab.dag.algorithms import DAG_ALGORITHMS
from schedlab.dag.exact import solve_exact
from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import DagSchedule
from schedlab.solvers.base import SOLVERS, SolveOptions
from schedlab.solvers.capabilities import Capabilities, SolverBase

DAG_ONLY = Capabilities(problem_types=frozenset({"dag"}))
EXACT_MODEL_LIMIT = 200_000  # edge x processor-pair constraints beyond which CP-SAT's model is not built by `auto`


def _result(problem: DagProblem, solver: str, schedule: DagSchedule | None, status: Status, lower: float | None,
            started: float, seed: int, **stats) -> Result:
    objective = schedule.makespan if schedule is not None else None
    return Result(problem.name, solver, status, objective, lower, time.perf_counter() - started, seed, schedule, stats)


class ListHeuristic(SolverBase):
    capabilities = DAG_ONLY

    def __init__(self, algorithm: str) -> None:
        self.name = algorithm

    def solve(self, problem: DagProblem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        schedule = DAG_ALGORITHMS.get(self.name)(problem)
        return _result(problem, self.name, schedule, Status.FEASIBLE, None, started, options.seed)


def solve_dag_cpsat(problem: DagProblem, options: SolveOptions, name: str = "cpsat",
                    hint: DagSchedule | None = None) -> Result:
    started = time.perf_counter()
    hint = hint if hint is not None else options.hint if isinstance(options.hint, DagSchedule) else DAG_ALGORITHMS.get(
        "heft")(problem)
    exact = solve_exact(problem, options.time_limit, options.seed, options.workers, hint=hint)
    if exact.schedule is None:
        return _result(problem, name, None, Status.UNKNOWN, exact.lower_bound, started, options.seed)
    status = Status.OPTIMAL if exact.status == "optimal" else Status.FEASIBLE
    return _result(problem, name, exact.schedule, status, exact.lower_bound, started, options.seed)


def exact_model_size(problem: DagProblem) -> int:
    return len(problem.edges) * problem.n_processors ** 2 + problem.n_tasks * problem.n_processors


def solve_dag_auto(problem: DagProblem, options: SolveOptions, name: str = "auto") -> Result:
    """The best list heuristic, then CP-SAT warm-started from it while the time and the model size allow."""
    started = time.perf_counter()
    best: DagSchedule | None = None
    phases = []
    for algorithm in DAG_ALGORITHMS.names():
        schedule = DAG_ALGORITHMS.get(algorithm)(problem)
        if best is None or schedule.makespan < best.makespan - 1e-9:
            best = schedule
            phases.append(f"{algorithm}:{schedule.makespan:g}")
            if options.on_incumbent:
                options.on_incumbent(float(schedule.makespan), None, time.perf_counter() - started)
    remaining = options.time_limit - (time.perf_counter() - started)
    if remaining > 0.2 and exact_model_size(problem) <= EXACT_MODEL_LIMIT:
        exact = solve_dag_cpsat(problem, SolveOptions(time_limit=remaining, seed=options.seed, workers=options.workers),
                                "cpsat", hint=best)
        if exact.schedule is not None and exact.objective < best.makespan - 1e-9:
            best = exact.schedule
            phases.append(f"cpsat:{exact.objective:g}")
        if exact.status is Status.OPTIMAL or (exact.lower_bound is not None and best.makespan <= exact.lower_bound + 1e-9):
            return _result(problem, name, best, Status.OPTIMAL, best.makespan, started, options.seed, phases=phases)
        return _result(problem, name, best, Status.FEASIBLE, exact.lower_bound, started, options.seed, phases=phases)
    return _result(problem, name, best, Status.FEASIBLE, None, started, options.seed, phases=phases)


for _name in DAG_ALGORITHMS.names():
    SOLVERS.register(_name, (lambda n: lambda: ListHeuristic(n))(_name), "DAG: " + DAG_ALGORITHMS.describe(_name))
