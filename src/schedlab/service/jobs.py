"""What a job does: solve one instance, run one simulation, or run a benchmark sweep.

Runs inside a job process; `report(progress, incumbent)` sends progress to the worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

Report = Callable[[float | None, float | None], None]


def problem_of(spec: dict):
    """A solve job's problem (uploaded text or a bundled name) and its best-known value, if any."""
    if spec.get("text"):
        from schedlab.problems.formats.registry import parse_problem

        return parse_problem(spec["text"], spec.get("filename") or "upload", spec.get("format")), None
    from schedlab.instances import load_instance

    loaded = load_instance(spec["instance"])
    return loaded.problem, loaded.best_known


def run_solve(spec: dict, report: Report) -> dict:
    from schedlab.solvers.base import SolveOptions, solve

    problem, best_known = problem_of(spec)
    limit = float(spec["time_limit"])
    started = time.perf_counter()
    curve: list[tuple[float, float]] = []

    def on_incumbent(objective: float, bound: float | None, elapsed: float) -> None:
        curve.append((round(elapsed, 4), objective))
        report(min(0.99, (time.perf_counter() - started) / limit) if limit > 0 else None, objective)

    result = solve(
        problem,
        spec["solver"],
        SolveOptions(time_limit=limit, seed=int(spec.get("seed", 0)), workers=1, on_incumbent=on_incumbent),
    )
    out = result.to_dict(problem)
    out["best_known"] = best_known
    out["gap_pct"] = result.gap_to(best_known)
    out["objective_curve"] = curve
    out["machines"] = [r.name for r in problem.resources] if hasattr(problem, "resources") else []
    return out


def run_simulate(spec: dict, report: Report) -> dict:
    from schedlab.simulations import run_simulation

    report(0.0, None)
    return run_simulation(spec["domain"], dict(spec.get("params") or {}))


def run_sweep(spec: dict, report: Report) -> dict:
    """Suite x solvers x seeds, in this job process (`serial`) or dispatched to Ray (`ray`)."""
    from schedlab.bench.executors import Run
    from schedlab.bench.executors import run_sweep as run_runs
    from schedlab.bench.suites import SUITES

    instances = SUITES.get(spec["suite"]).instances()
    if spec.get("instances"):
        wanted = set(spec["instances"])
        instances = [i for i in instances if i.name in wanted]
    if spec.get("limit"):
        instances = instances[: int(spec["limit"])]
    runs = [
        Run(spec["suite"], inst.name, solver, float(spec["time_limit"]), int(seed), 1, spec.get("iterations"))
        for inst in instances
        for solver in spec["solvers"]
        for seed in spec.get("seeds", [0])
    ]
    done = []

    def on_row(row) -> None:
        done.append(row)
        report(len(done) / len(runs), None)

    rows = run_runs(runs, spec.get("executor") or "serial", spec.get("address"), on_row=on_row)
    return {"rows": [asdict(r) for r in rows], "executor": spec.get("executor") or "serial"}


RUNNERS: dict[str, Callable[[dict, Report], dict]] = {"solve": run_solve, "simulate": run_simulate, "sweep": run_sweep}


def execute(kind: str, spec: dict, report: Report) -> Any:
    return RUNNERS[kind](spec, report)
