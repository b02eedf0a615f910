"""Run solvers over a suite and summarise the gap to best-known values per size class."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from schedlab.bench.suites import Instance
from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.validate import first_violation
from schedlab.solvers.base import SolveOptions, solve


@dataclass(frozen=True)
class BenchRow:
    suite: str
    instance: str
    size_class: str
    solver: str
    seed: int
    time_limit: float
    status: str
    objective: float | None
    lower_bound: float | None
    best_known: float | None
    gap_pct: float | None
    runtime_s: float
    valid: bool
    note: str = ""


def run_instance(
    suite: str, inst: Instance, solver: str, time_limit: float, seed: int, workers: int = 2, iterations: int | None = None
) -> BenchRow:
    """One solver on one instance; `iterations` caps search solvers' steps (rules and CP-SAT ignore it)."""
    problem = inst.load()
    params = {} if iterations is None else {"iterations": iterations}
    try:
        result = solve(problem, solver, SolveOptions(time_limit=time_limit, seed=seed, workers=workers, params=params))
    except UnsupportedProblemError as exc:
        return BenchRow(suite, inst.name, inst.size_class, solver, seed, time_limit, "unsupported", None, None,
                        inst.best_known, None, 0.0, False, str(exc))
    violation = first_violation(problem, result.schedule) if result.schedule is not None else None
    return BenchRow(suite, inst.name, inst.size_class, solver, seed, time_limit, result.status.value,
                    result.objective, result.lower_bound, inst.best_known, result.gap_to(inst.best_known),
                    result.runtime_s, result.schedule is not None and violation is None, violation or "")


def run_bench(suite: str, instances: Sequence[Instance], solvers: Sequence[str], time_limit: float, seed: int,
              workers: int = 2, on_row: Callable[[BenchRow], None] | None = None) -> list[BenchRow]:
    rows = []
    for inst in instances:
        for solver in solvers:
            row = run_instance(suite, inst, solver, time_limit, seed, workers)
            rows.append(row)
            if on_row:
                on_row(row)
    return rows


@dataclass(frozen=True)
class SummaryRow:
    size_class: str
    solver: str
    instances: int
    mean_gap_pct: float | None
    at_best_known: int
    mean_runtime_s: float
    max_runtime_s: float


def summarise(rows: Sequence[BenchRow]) -> list[SummaryRow]:
    groups: dict[tuple[str, str], list[BenchRow]] = defaultdict(list)
    for row in rows:
        groups[(row.size_class, row.solver)].append(row)
    classes = list(dict.fromkeys(r.size_class for r in rows))
    solvers = list(dict.fromkeys(r.solver for r in rows))
    out = []
    for c in classes:
        for s in solvers:
            group = groups.get((c, s))
            if not group:
                continue
            gaps = [r.gap_pct for r in group if r.gap_pct is not None]
            at_best = sum(1 for r in group if r.objective is not None and r.best_known is not None
                          and r.objective <= r.best_known)
            times = [r.runtime_s for r in group]
            out.append(SummaryRow(c, s, len(group), sum(gaps) / len(gaps) if len(gaps) == len(group) else None,
                                  at_best, sum(times) / len(times), max(times)))
    return out


def write_csv(path: str | Path, rows: Sequence[BenchRow]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(BenchRow.__dataclass_fields__))
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
