"""Runs inside the PyJobShop virtual environment (not schedlab's): solve one single-mode project.

Usage: python pyjobshop_rcpsp_runner.py project.json time_limit workers
The project JSON holds capacities, tasks (duration and demand per resource) and precedences
(before, after, lag), written by benchmarks/rcpsp_vs_pyjobshop.py from schedlab's model.
Prints one JSON line: objective, lower_bound, status, runtime (PyJobShop's Result) and wall seconds.
"""

import json
import sys

from pyjobshop import Model
from pyjobshop_common import solve_and_report


def main() -> None:
    path, time_limit, workers = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    data = json.load(open(path))
    model = Model()
    resources = [model.add_renewable(capacity=c, name=f"R{r}") for r, c in enumerate(data["capacities"])]
    tasks = []
    for t, (duration, demands) in enumerate(zip(data["durations"], data["demands"], strict=True)):
        task = model.add_task(name=f"T{t}")
        model.add_mode(task, resources, duration, demands)
        tasks.append(task)
    for before, after, lag in data["precedences"]:
        model.add_end_before_start(tasks[before], tasks[after], lag)
    solve_and_report(model, time_limit, workers)

if __name__ == "__main__":
    main()
