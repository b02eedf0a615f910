"""Shared by the PyJobShop runners (runs inside PyJobShop's virtual environment)."""

import json
import time


def solve_and_report(model, time_limit: float, workers: int) -> None:
    """Solve with OR-Tools and print one JSON line: objective, bound, status, PyJobShop's runtime, wall seconds."""
    started = time.perf_counter()
    result = model.solve(solver="ortools", time_limit=time_limit, display=False, num_workers=workers)
    wall = time.perf_counter() - started
    print(json.dumps({"objective": result.objective, "lower_bound": result.lower_bound,
                      "status": str(result.status.value if hasattr(result.status, "value") else result.status),
                      "runtime": result.runtime, "wall_s": wall}))
