"""The solver protocol, its options, the solver registry and the one ``solve`` entry point."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.model import Problem
from schedlab.core.objectives import evaluate
from schedlab.core.registry import Registry
from schedlab.core.result import Result
from schedlab.core.schedule import Schedule

IncumbentCallback = Callable[[float, float | None, float], None]  # objective, bound, elapsed seconds


class StopToken:
    """Lets a portfolio stop a solver that runs in another thread once a rival has proved the optimum.

    Solvers register a hook (CP-SAT's ``stop_search``) and check ``stopped`` between phases.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped = False
        self._hooks: list[Callable[[], None]] = []

    @property
    def stopped(self) -> bool:
        return self._stopped

    def register(self, hook: Callable[[], None]) -> None:
        with self._lock:
            if not self._stopped:
                self._hooks.append(hook)
                return
        hook()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            hooks, self._hooks = self._hooks, []
        for hook in hooks:
            hook()


def cpsat_stop_hook(solver: Any) -> Callable[[], None]:
    """A `StopToken` hook for an OR-Tools ``CpSolver`` that also holds before its ``solve`` begins.

    ``CpSolver.stop_search`` does nothing until ``solve`` has created its wrapper, so a stop that
    arrives while the model is still being built would be lost and the solver would run its whole
    time limit; a zero time limit, read when ``solve`` starts, is not lost.
    """

    def stop() -> None:
        solver.parameters.max_time_in_seconds = 0.0
        solver.stop_search()

    return stop


@dataclass(frozen=True)
class SolveOptions:
    """How to solve: the budget, the seed, the cores, a starting schedule, and portfolio hooks.

    ``stop`` and ``upper_bound`` let solvers running side by side cooperate: ``stop`` ends a
    solver early; ``upper_bound`` returns the best objective any of them has found so far.
    """

    time_limit: float = 10.0
    seed: int = 0
    workers: int = 2
    hint: Schedule | None = None
    on_incumbent: IncumbentCallback | None = None
    params: dict[str, Any] = field(default_factory=dict)
    stop: StopToken | None = None
    upper_bound: Callable[[], float | None] | None = None


class Solver(Protocol):
    """What the registry holds (subclass `schedlab.solvers.capabilities.SolverBase` to get `unsupported`)."""

    name: str

    def unsupported(self, problem: Problem) -> str | None:
        """Why this solver cannot handle the problem, or None if it can."""

    def solve(self, problem: Problem, options: SolveOptions) -> Result: ...


SOLVERS: Registry[Callable[[], Solver]] = Registry("solver")


def _register_builtin() -> None:
    """Import the solver modules (once; Python caches imports) so that they register themselves, then plug-ins."""
    from schedlab.learn import solver as learned_solver  # noqa: F401
    from schedlab.plugins import load_plugins
    from schedlab.solvers import cpsat, dag, milp, milp_positional, portfolio, rules, time_indexed  # noqa: F401
    from schedlab.solvers.search import fjsp_tabu, jssp_tabu, pfsp_ig, rcpsp_fbi, rcpsp_ga, smwt_ils  # noqa: F401

    load_plugins()


def get_solver(name: str) -> Solver:
    _register_builtin()
    return SOLVERS.get(name)()


def solver_names() -> list[str]:
    _register_builtin()
    return SOLVERS.names()


def solve(problem: Problem, solver: str = "cpsat", options: SolveOptions | None = None) -> Result:
    """Solve ``problem`` with the named solver; refuses problems the solver cannot handle.

    Search kernels are compiled (or loaded from Numba's cache) before the clock starts.
    """
    from schedlab.solvers.warmup import warm_up

    options = options or SolveOptions()
    impl = get_solver(solver)
    reason = impl.unsupported(problem)
    if reason:
        raise UnsupportedProblemError(f"solver {impl.name!r} cannot solve {problem.name}: {reason}")
    warm_up([impl.name])
    started = time.perf_counter()
    result = impl.solve(problem, options)
    if result.schedule is not None and result.objective is None:
        raise AssertionError("a solver returned a schedule without its objective")
    if result.runtime_s == 0.0:
        result = Result(**{**result.__dict__, "runtime_s": time.perf_counter() - started})
    return result


def schedule_result(problem: Problem, solver: str, schedule: Schedule, status: Any, lower_bound: float | None,
                    runtime_s: float, seed: int, **stats: Any) -> Result:
    """A Result for a schedule, with the objective computed by the one shared evaluator."""
    return Result(problem.name, solver, status, float(evaluate(problem, schedule)), lower_bound, runtime_s, seed,
                  schedule, dict(stats))
