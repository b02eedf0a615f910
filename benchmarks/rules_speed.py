"""Time of one dispatching-rule schedule on the largest Taillard job shops (100x20, ta71-ta80).

Run: ``.venv/bin/python benchmarks/rules_speed.py``. The first call compiles (or loads the
cached) Numba kernel and is reported apart; the rest is the median of 20 repetitions.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from schedlab.bench.suites import find_instance
from schedlab.core.validate import first_violation
from schedlab.solvers import solve

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    lines = ["| instance | rule | first call s | median s (20 runs) | makespan | best known |", "|---|---|---:|---:|---:|---:|"]
    for name in ("ta71", "ta80"):
        inst = find_instance(name)
        problem = inst.load()
        for rule in ("rules:spt", "rules:mwkr", "rules:fcfs", "rules:atc", "rules-parallel:mwkr"):
            started = time.perf_counter()
            first = solve(problem, rule)
            first_time = time.perf_counter() - started
            assert first_violation(problem, first.schedule) is None
            times = []
            for _ in range(20):
                started = time.perf_counter()
                solve(problem, rule)
                times.append(time.perf_counter() - started)
            lines.append(f"| {name} | {rule} | {first_time:.4f} | {statistics.median(times):.4f} | "
                         f"{first.objective:g} | {inst.best_known} |")
    text = "# Dispatching-rule speed on 100x20 job shops\n\nCommand: `.venv/bin/python benchmarks/rules_speed.py`\n\n"
    text += "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "rules_speed.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
