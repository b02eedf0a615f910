"""Where a benchmark sweep runs: in this process, on a local process pool, or on a Ray cluster.

A sweep is a list of (suite, instance name, solver, time limit, seed, solver threads, optional
step budget) runs; every
executor returns the same `BenchRow`s in the same order, so results do not depend on where they
were computed (only timings do). Instances travel by name and are loaded where they run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from schedlab.bench.runner import BenchRow, run_instance
from schedlab.core.errors import SchedlabError
from schedlab.core.processes import die_with_parent

EXECUTORS = ("serial", "local", "ray")


@dataclass(frozen=True)
class Run:
    suite: str
    instance: str
    solver: str
    time_limit: float
    seed: int
    threads: int = 1
    iterations: int | None = None  # a step budget for search solvers: same seed, same result on any machine


def run_one(run: Run) -> BenchRow:
    from schedlab.bench.suites import SUITES

    inst = next(i for i in SUITES.get(run.suite).instances() if i.name == run.instance)
    return run_instance(run.suite, inst, run.solver, run.time_limit, run.seed, run.threads, run.iterations)


def run_sweep(
    runs: Sequence[Run],
    executor: str = "local",
    address: str | None = None,
    processes: int | None = None,
    on_row: Callable[[BenchRow], None] | None = None,
) -> list[BenchRow]:
    if executor not in EXECUTORS:
        raise SchedlabError(f"unknown executor {executor!r}; known: {', '.join(EXECUTORS)}")
    if executor == "serial":
        rows = []
        for run in runs:
            rows.append(run_one(run))
            if on_row:
                on_row(rows[-1])
        return rows
    if executor == "local":
        threads = max((r.threads for r in runs), default=1)
        n = processes or max(1, (os.cpu_count() or 1) // threads)
        with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn"), initializer=die_with_parent) as pool:
            rows = []
            for row in pool.map(run_one, runs):
                rows.append(row)
                if on_row:
                    on_row(row)
            return rows
    return _ray_sweep(runs, address, on_row)


@contextmanager
def ray_session(address: str | None) -> Iterator[Any]:
    """Ray, connected to `address` or to a local cluster started here (and shut down after) unless one is running."""
    try:
        import ray
    except ImportError:
        raise SchedlabError("the ray executor needs Ray: pip install 'schedlab[ray]' (or 'ray==2.60.0')") from None
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        yield ray
    finally:
        if started_here:
            ray.shutdown()


def _ray_sweep(runs: Sequence[Run], address: str | None, on_row) -> list[BenchRow]:
    with ray_session(address) as ray:
        remote = ray.remote(num_cpus=1)(run_one)
        futures = [remote.options(num_cpus=max(1, r.threads)).remote(r) for r in runs]
        rows = []
        for f in futures:
            rows.append(ray.get(f))
            if on_row:
                on_row(rows[-1])
        return rows
