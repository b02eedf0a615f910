"""What a job does: solve one instance, run one simulation, or run a benchmark sweep.

Runs inside a job process; `report(progress, incumbent)` sends progress to the worker. Inputs
come from the spec (validated at the door) and from the store (uploaded files); a simulation's
`upload:ID` parameter becomes a private temporary file here, never a path a client chose.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

Report = Callable[[float | None, float | None], None]


def problem_of(spec: dict, store=None):
    """A solve job's problem (an upload, inline text of older jobs, or a bundled name) and its best-known value."""
    from schedlab.problems.formats.registry import parse_problem

    if spec.get("upload") is not None:
        found = store.upload(int(spec["upload"])) if store is not None else None
        if found is None:
            raise ValueError(f"upload {spec['upload']} no longer exists")
        name, text = found
        return parse_problem(text, spec.get("filename") or name, spec.get("format")), None
    if spec.get("text"):
        return parse_problem(spec["text"], spec.get("filename") or "upload", spec.get("format")), None
    from schedlab.instances import load_instance

    loaded = load_instance(spec["instance"])
    return loaded.problem, loaded.best_known


def run_solve(spec: dict, report: Report, store=None) -> dict:
    from schedlab.solvers.base import SolveOptions, solve

    problem, best_known = problem_of(spec, store)
    limit = float(spec["time_limit"])
    started = time.perf_counter()
    curve: list[tuple[float, float]] = []

    def on_incumbent(objective: float, bound: float | None, elapsed: float) -> None:
        curve.append((round(elapsed, 4), objective))
        report(min(0.99, (time.perf_counter() - started) / limit) if limit > 0 else None, objective)

    result = solve(
        problem,
        spec["solver"],
        SolveOptions(time_limit=limit, seed=int(spec.get("seed", 0)), workers=1, on_incumbent=on_incumbent,
                     params=dict(spec.get("params") or {})),
    )
    out = result.to_dict(problem)
    out["best_known"] = best_known
    out["gap_pct"] = result.gap_to(best_known)
    out["objective_curve"] = curve
    if problem.problem_type == "dag":
        out["machines"] = list(problem.processor_names or (f"P{p}" for p in range(problem.n_processors)))
    else:
        out["machines"] = [r.name for r in problem.resources]
    return out


MAX_STORED_SPANS = 20_000
MAX_STORED_SAMPLES = 20_000


def run_simulate(spec: dict, report: Report, store=None) -> dict:
    from schedlab.sim.domain import get_domain, split_request

    report(0.0, None)
    domain = get_domain(spec["domain"])
    request = split_request(domain, dict(spec.get("params") or {}), allow_local_files=False)
    with tempfile.TemporaryDirectory(prefix="schedlab-job-") as private:
        resolved = {}
        for param in domain.param_specs():
            value = getattr(request.params, param.name)
            if param.meta.local_file and isinstance(value, str) and value.startswith("upload:"):
                resolved[param.name] = _upload_file(store, int(value.split(":", 1)[1]), Path(private))
        if resolved:
            request = dataclasses.replace(request, params=dataclasses.replace(request.params, **resolved))
        result = domain.run_request(request, record=True)
    out = result.to_dict(max_spans=MAX_STORED_SPANS, max_samples=MAX_STORED_SAMPLES)
    out["params"] = spec.get("params") or {}  # the client's values (upload references, not temporary paths)
    return out


def _upload_file(store, upload_id: int, folder: Path) -> str:
    found = store.upload(upload_id) if store is not None else None
    if found is None:
        raise ValueError(f"upload:{upload_id} does not exist (POST /uploads stores a file)")
    name, text = found
    suffix = Path(name.removesuffix(".gz")).suffix  # uploads are text: a compressed name's content is not compressed
    path = folder / f"upload-{upload_id}{suffix}"
    path.write_text(text)
    return str(path)


def run_sweep(spec: dict, report: Report, store=None) -> dict:
    """Suite x solvers x seeds, in this job process (`serial`) or dispatched to Ray (`ray`)."""
    from schedlab.bench.executors import Run
    from schedlab.bench.executors import run_sweep as run_runs

    runs = [
        Run(spec["suite"], name, solver, float(spec["time_limit"]), int(seed), 1, spec.get("iterations"))
        for name in sweep_instances(spec)
        for solver in spec["solvers"]
        for seed in spec.get("seeds", [0])
    ]
    done = []

    def on_row(row) -> None:
        done.append(row)
        report(len(done) / len(runs), None)

    rows = run_runs(runs, spec.get("executor") or "serial", spec.get("address"), on_row=on_row)
    return {"rows": [asdict(r) for r in rows], "executor": spec.get("executor") or "serial"}


def sweep_instances(spec: dict) -> list[str]:
    """The instance names a sweep spec selects (its suite, filtered by `instances`, cut by `limit`)."""
    from schedlab.bench.suites import SUITES

    names = [i.name for i in SUITES.get(spec["suite"]).instances()]
    if spec.get("instances"):
        wanted = {n.lower() for n in spec["instances"]}
        names = [n for n in names if n.lower() in wanted]
    if spec.get("limit"):
        names = names[: int(spec["limit"])]
    return names


RUNNERS: dict[str, Callable[..., dict]] = {"solve": run_solve, "simulate": run_simulate, "sweep": run_sweep}


def execute(kind: str, spec: dict, report: Report, store=None) -> Any:
    return RUNNERS[kind](spec, report, store)
