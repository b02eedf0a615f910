"""Foundation benchmark: CP-SAT (10 s) and every dispatching rule on Taillard ta01-ta10 and the
first 48 j30 instances; writes per-instance CSVs and a markdown summary under benchmarks/results.

Run: ``.venv/bin/python benchmarks/foundation.py [--time-limit 10] [--seed 0]``
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import ortools

from schedlab.bench.runner import BenchRow, run_bench, summarise, write_csv
from schedlab.bench.suites import suite_instances
from schedlab.solvers.rules.priorities import RULES

RESULTS = Path(__file__).resolve().parent / "results"


def _best_rule(rows: list[BenchRow]) -> str:
    by_solver: dict[str, list[float]] = {}
    for r in rows:
        if r.solver.startswith("rules") and r.gap_pct is not None:
            by_solver.setdefault(r.solver, []).append(r.gap_pct)
    return min(by_solver, key=lambda s: sum(by_solver[s]) / len(by_solver[s]))


def _table(rows: list[BenchRow], solvers: list[str]) -> list[str]:
    lines = ["| size class | solver | instances | mean gap % | at best known | mean time s | max time s |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for s in summarise([r for r in rows if r.solver in solvers]):
        gap = "-" if s.mean_gap_pct is None else f"{s.mean_gap_pct:.2f}"
        lines.append(f"| {s.size_class} | {s.solver} | {s.instances} | {gap} | {s.at_best_known} | "
                     f"{s.mean_runtime_s:.4f} | {s.max_runtime_s:.4f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = [f"# Foundation benchmark ({time.strftime('%Y-%m-%d')})", "",
              f"Machine: {platform.processor() or platform.machine()}, 2 cores; OR-Tools {ortools.__version__}; "
              f"CP-SAT with 2 workers, {args.time_limit:g} s per instance; seed {args.seed}. "
              "Gap = 100 * (objective - best known) / best known. Every schedule was checked by the validator.",
              "Command: `.venv/bin/python benchmarks/foundation.py`", ""]
    setups = [
        ("taillard", suite_instances("taillard")[:10], [f"rules:{r}" for r in RULES]),
        ("j30", suite_instances("j30")[:48], [f"rules:{r}" for r in RULES] + [f"rules-parallel:{r}" for r in RULES]),
    ]
    for suite, instances, rules in setups:
        started = time.perf_counter()
        rows = run_bench(suite, instances, ["cpsat", *rules], args.time_limit, args.seed)
        wall = time.perf_counter() - started
        assert all(r.valid for r in rows), [r for r in rows if not r.valid]
        write_csv(RESULTS / f"foundation_{suite}.csv", rows)
        best = _best_rule(rows)
        optimal = sum(1 for r in rows if r.solver == "cpsat" and r.status == "optimal")
        report += [f"## {suite}: {len(instances)} instances ({instances[0].name} .. {instances[-1].name})", "",
                   f"Best rule by mean gap: `{best}`. CP-SAT proved optimality on {optimal} of {len(instances)}. "
                   f"Wall time of the whole suite run: {wall:.0f} s.", ""]
        report += _table(rows, ["cpsat", best]) + [""]
        report += ["All rules (mean over the suite):", "", "| solver | mean gap % | mean time s |", "|---|---:|---:|"]
        for solver in rules:
            sel = [r for r in rows if r.solver == solver]
            report.append(f"| {solver} | {sum(r.gap_pct for r in sel) / len(sel):.2f} | "
                          f"{sum(r.runtime_s for r in sel) / len(sel):.4f} |")
        report.append("")
    (RESULTS / "foundation.md").write_text("\n".join(report) + "\n")
    print("\n".join(report))


if __name__ == "__main__":
    main()
