"""What each solver handles, declared once: problem shapes, model features, objective terms.

`Problem.features()` says which optional features a problem uses; `problem_shapes` says which
structures it has (a flow shop is also a job shop, a job shop also a flexible job shop). A
solver declares `Capabilities`; one generic check (`capability_gap`) explains a refusal, and
`schedlab list solvers` prints the table. Limits that are not features (sizes, a structure
inside a feature) stay in a solver's `limits` hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from schedlab.core.model import FEATURES, OBJECTIVE_TERMS
from schedlab.problems.shop import chain_routes

SHAPES = {
    "single_machine": "one machine, one task per job",
    "flow_shop": "every job visits machines 0..m-1 in order",
    "job_shop": "jobs are chains of operations, one machine each",
    "flexible_job_shop": "chains of operations, each on one of several machines",
    "general": "any task graph on renewable resources",
    "dag": "heterogeneous DAG (tasks on processors, communication costs)",
}
ALL_FEATURES = frozenset(FEATURES)
# Features a shape cannot have (chains of single-machine operations have no lags, no capacities > 1, ...).
SHAPE_EXCLUDES = {
    "single_machine": frozenset({"multi_mode", "time_lags", "negative_lags", "cumulative", "blocking", "no_wait"}),
    "flow_shop": frozenset({"multi_mode", "time_lags", "negative_lags", "cumulative"}),
    "job_shop": frozenset({"multi_mode", "time_lags", "negative_lags", "cumulative"}),
    "flexible_job_shop": frozenset({"time_lags", "negative_lags", "cumulative"}),
    "general": frozenset(),
}


def problem_shapes(problem: Any) -> frozenset[str]:
    """Every shape the problem has (features such as setups or blocking do not change its shape)."""
    if problem.problem_type == "dag":
        return frozenset({"dag"})
    shapes = {"general"}
    routes = chain_routes(problem)
    if routes is not None:
        shapes.add("flexible_job_shop")
        if all(len(op) == 1 for route in routes for op in route):
            shapes.add("job_shop")
            m = len(problem.resources)
            if all([op[0][0] for op in route] == list(range(m)) for route in routes):
                shapes.add("flow_shop")
    if (len(problem.resources) == 1 and not problem.precedences and all(t.job is not None for t in problem.tasks)
            and all(len(j.tasks) == 1 for j in problem.jobs)):
        shapes.add("single_machine")
    return frozenset(shapes)


@dataclass(frozen=True)
class Capabilities:
    """`shapes`: the problem must have one of them (None: any); `features`: the optional features
    handled; `objectives`: the objective terms handled (None: all); `problem_types`: which models."""

    shapes: frozenset[str] | None = None
    features: frozenset[str] = ALL_FEATURES
    objectives: frozenset[str] | None = None
    problem_types: frozenset[str] = field(default_factory=lambda: frozenset({"scheduling"}))

    def without(self, *features: str) -> Capabilities:
        unknown = set(features) - ALL_FEATURES
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}")
        return Capabilities(self.shapes, self.features - frozenset(features), self.objectives, self.problem_types)


PROBLEM_TYPES = {"scheduling": "problems of the general scheduling model", "dag": "DAG problems (task graphs on "
                 "heterogeneous processors)"}


def capability_gap(caps: Capabilities, problem: Any) -> str | None:
    """Why a solver with `caps` cannot take `problem`, or None."""
    if problem.problem_type not in caps.problem_types:
        wanted = " or ".join(PROBLEM_TYPES[t] for t in sorted(caps.problem_types))
        return f"it takes {wanted}; this is {_narrowest(problem_shapes(problem))}"
    if problem.problem_type != "scheduling":
        return None
    if caps.shapes is not None:
        shapes = problem_shapes(problem)
        if not shapes & caps.shapes:
            wanted = " or ".join(f"a {s.replace('_', ' ')} ({SHAPES[s]})" for s in sorted(caps.shapes))
            return f"it needs {wanted}; this is {_narrowest(shapes)}"
    missing = sorted(problem.features() - caps.features)
    if missing:
        return "it does not handle " + ", ".join(FEATURES[f] for f in missing)
    if caps.objectives is not None:
        extra = sorted(set(problem.objective.terms()) - caps.objectives)
        if extra:
            return f"it minimises {' + '.join(sorted(caps.objectives))} only, not {', '.join(extra)}"
    return None


def _narrowest(shapes: frozenset[str]) -> str:
    for name in ("single_machine", "flow_shop", "job_shop", "flexible_job_shop", "general", "dag"):
        if name in shapes:
            return {"dag": "a DAG problem", "general": "a general problem"}.get(name, f"a {name.replace('_', ' ')}")
    return "another kind of problem"


class SolverBase:
    """A registered solver: a name, declared capabilities, `solve`; `limits` for what they cannot say."""

    name: str = ""
    capabilities: ClassVar[Capabilities] = Capabilities()

    def limits(self, problem: Any) -> str | None:
        """A reason beyond the declared capabilities (size, structure), or None."""
        return None

    def unsupported(self, problem: Any) -> str | None:
        """Why this solver cannot handle the problem, or None if it can."""
        return capability_gap(self.capabilities, problem) or self.limits(problem)


def capability_table(table_factory) -> Any:
    """`schedlab list solvers`: every solver with the shapes, objectives and features it handles."""
    from schedlab.solvers.base import SOLVERS, get_solver, solver_names

    short = {"multi_mode": "modes", "setups": "setups", "blocking": "block", "no_wait": "no-wait", "downtime": "down",
             "release_dates": "release", "deadlines": "deadl.", "time_lags": "lags", "negative_lags": "max-lags",
             "cumulative": "cumul.", "zero_durations": "zero-d"}
    table = table_factory("solver", "problems", "objectives", *short.values(), "description")
    for name in solver_names():
        caps = get_solver(name).capabilities
        if caps.problem_types == frozenset({"dag"}):
            problems = "dag"
        else:
            problems = "any" if caps.shapes is None else ", ".join(sorted(s.replace("_", " ") for s in caps.shapes))
            if "dag" in caps.problem_types:
                problems += ", dag"
        objectives = "all" if caps.objectives is None else ", ".join(sorted(caps.objectives))
        if caps.problem_types == frozenset({"dag"}):
            marks = ["-"] * len(short)
            objectives = "makespan"
        else:
            excluded = frozenset.intersection(*(SHAPE_EXCLUDES[s] for s in caps.shapes)) if caps.shapes else frozenset()
            marks = ["yes" if f in caps.features - excluded else "" for f in short]
        table.add_row(name, problems, objectives, *marks, SOLVERS.describe(name))
    return table


__all__ = ["ALL_FEATURES", "Capabilities", "OBJECTIVE_TERMS", "SHAPES", "SolverBase", "capability_gap", "problem_shapes"]
