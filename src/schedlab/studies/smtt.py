"""Single-machine total tardiness study, after "Discovering Heuristics with LLMs for Mixed-Integer
Programs: Single-Machine Scheduling" (Cetinkaya et al.).

The paper compares classic rules (EDD, SPT, MDD, ATC), its LLM-discovered challengers (EDDC,
MDDC) and exact MIP for n = 20, 100, 200, 500.  Its challengers are not published in full, so
``edd+`` and ``mdd+`` stand in for them (labelled as schedlab's reconstruction: the rule
followed by swap/insertion descent).  ``ils`` is schedlab's own iterated local search.  Exact
methods: the paper's positional MIP (HiGHS) and CP-SAT.  (schedlab's time-indexed ``milp``
is left out: with p ~ U{1..100} its horizon makes even n = 20 too large to build and solve
in the study's time limits.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.validate import check_schedule
from schedlab.problems.generators import smtt_instance
from schedlab.solvers.base import SolveOptions, solve

HEURISTICS = ("rules:edd", "rules:spt", "rules:mdd", "rules:atc", "edd+", "mdd+", "ils")
EXACT = ("milp-positional", "cpsat")
GRID = ((0.2, 0.2), (0.4, 0.6), (0.6, 0.2), (0.6, 0.6), (0.8, 0.4))


@dataclass(frozen=True)
class StudyRow:
    n: int
    instance: str
    method: str
    status: str
    objective: float | None
    lower_bound: float | None
    runtime_s: float


def run_study(sizes: Sequence[int], per_size: int, exact_time_limit: float, ils_time_limit: float, seed: int,
              on_row: Callable[[StudyRow], None] | None = None) -> list[StudyRow]:
    rows = []
    for n in sizes:
        for k in range(per_size):
            tf, rdd = GRID[k % len(GRID)]
            problem = smtt_instance(n, tf, rdd, seed + 1000 * n + k)
            for method in HEURISTICS + EXACT:
                limit = ils_time_limit if method == "ils" else exact_time_limit
                try:
                    result = solve(problem, method, SolveOptions(time_limit=limit, seed=seed))
                except UnsupportedProblemError as exc:
                    rows.append(StudyRow(n, problem.name, method, f"unsupported: {exc}", None, None, 0.0))
                    continue
                if result.schedule is not None:
                    check_schedule(problem, result.schedule)
                row = StudyRow(n, problem.name, method, result.status.value, result.objective, result.lower_bound,
                               result.runtime_s)
                rows.append(row)
                if on_row:
                    on_row(row)
    return rows


def summarise(rows: Sequence[StudyRow]) -> list[dict]:
    """Per n and method: mean gap to the best objective found by any method, time, optima proved."""
    best: dict[str, float] = {}
    bounds: dict[str, float] = {}
    for r in rows:
        if r.objective is not None:
            best[r.instance] = min(best.get(r.instance, r.objective), r.objective)
        if r.lower_bound is not None and r.method in EXACT:
            bounds[r.instance] = max(bounds.get(r.instance, r.lower_bound), r.lower_bound)
    out = []
    for n in sorted({r.n for r in rows}):
        for method in HEURISTICS + EXACT:
            sel = [r for r in rows if r.n == n and r.method == method]
            if not sel:
                continue
            solved = [r for r in sel if r.objective is not None]
            gaps = [100.0 * (r.objective - best[r.instance]) / max(best[r.instance], 1) for r in solved]
            out.append({
                "n": n, "method": method, "instances": len(sel), "with_solution": len(solved),
                "mean_gap_to_best_pct": sum(gaps) / len(gaps) if gaps else None,
                "proved_optimal": sum(1 for r in sel if r.status == "optimal"),
                "mean_time_s": sum(r.runtime_s for r in sel) / len(sel),
                "best_proved_optimal": sum(1 for i in {r.instance for r in sel}
                                           if i in bounds and bounds[i] >= best[i]),
            })
    return out
