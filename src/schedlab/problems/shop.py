"""Shop problem classes built on the general model: job shop, flexible job shop, flow shop,
open shop, parallel machines, hybrid flow shop, single machine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schedlab.core.model import Objective, Problem, ProblemBuilder


def job_shop(name: str, routes: Sequence[Sequence[tuple[int, int]]], n_machines: int,
             kind: str = "jobshop", metadata: dict[str, Any] | None = None,
             blocking: bool = False, no_wait: bool = False) -> Problem:
    """Each job visits machines in order; ``routes[j] = [(machine, duration), ...]``."""
    flexible = [[[op] for op in route] for route in routes]
    return flexible_job_shop(name, flexible, n_machines, kind, metadata, blocking, no_wait)


def flexible_job_shop(name: str, routes: Sequence[Sequence[Sequence[tuple[int, int]]]], n_machines: int,
                      kind: str = "fjsp", metadata: dict[str, Any] | None = None,
                      blocking: bool = False, no_wait: bool = False) -> Problem:
    """``routes[j][o]`` lists the (machine, duration) alternatives of operation o of job j."""
    b = ProblemBuilder(name, kind)
    for m in range(n_machines):
        b.add_machine(f"M{m}")
    for j, route in enumerate(routes):
        job = b.add_job(f"J{j}")
        previous = None
        for o, alternatives in enumerate(route):
            task = b.add_task(list(alternatives), job=job, name=f"J{j}.O{o}")
            if previous is not None:
                b.add_precedence(previous, task, blocking=blocking, no_wait=no_wait)
            previous = task
    b.metadata.update(metadata or {})
    return b.build()


def flow_shop(name: str, times: Sequence[Sequence[int]], metadata: dict[str, Any] | None = None) -> Problem:
    """``times[j][m]``: every job visits machines 0..m-1 in order (kind ``flowshop``)."""
    routes = [[(m, int(p)) for m, p in enumerate(row)] for row in times]
    n_machines = len(times[0]) if times else 0
    return job_shop(name, routes, n_machines, kind="flowshop", metadata=metadata)


def single_machine(name: str, durations: Sequence[int], weights: Sequence[int], dues: Sequence[int],
                   releases: Sequence[int] | None = None, objective: str = "weighted_tardiness",
                   metadata: dict[str, Any] | None = None) -> Problem:
    b = ProblemBuilder(name, "single_machine")
    machine = b.add_machine("M0")
    for j, (p, w, d) in enumerate(zip(durations, weights, dues, strict=True)):
        job = b.add_job(f"J{j}", release=int(releases[j]) if releases else 0, due=int(d), weight=int(w))
        b.add_task([(machine, int(p))], job=job, name=f"J{j}")
    b.set_objective(objective)
    b.metadata.update(metadata or {})
    return b.build()


def parallel_machines(name: str, durations: Sequence[Sequence[int | None]],
                      objective: Objective | str = "makespan") -> Problem:
    """Unrelated parallel machines: ``durations[j][m]`` (None where job j cannot use machine m)."""
    b = ProblemBuilder(name, "parallel_machines")
    n_machines = max(len(row) for row in durations)
    machines = [b.add_machine(f"M{m}") for m in range(n_machines)]
    for j, row in enumerate(durations):
        job = b.add_job(f"J{j}")
        b.add_task([(machines[m], int(p)) for m, p in enumerate(row) if p is not None], job=job, name=f"J{j}")
    b.set_objective(objective)
    return b.build()


def open_shop(name: str, times: Sequence[Sequence[int]]) -> Problem:
    """``times[j][m]``: operations of a job in any order, never two at once.

    Each job becomes a unary resource that all its operations use, so its operations
    cannot overlap; machines are unary resources as usual.
    """
    from schedlab.core.model import Mode

    b = ProblemBuilder(name, "openshop")
    n_machines = len(times[0])
    machines = [b.add_machine(f"M{m}") for m in range(n_machines)]
    for j, row in enumerate(times):
        job = b.add_job(f"J{j}")
        job_resource = b.add_resource(f"job{j}", 1)
        for m, p in enumerate(row):
            b.add_task([Mode(int(p), (machines[m], job_resource), (1, 1))], job=job, name=f"J{j}.M{m}")
    return b.build()


def hybrid_flow_shop(name: str, machines_per_stage: Sequence[int], times: Sequence[Sequence[int]]) -> Problem:
    """Jobs pass stages in order; stage s has ``machines_per_stage[s]`` identical machines."""
    b = ProblemBuilder(name, "hybrid_flowshop")
    stages = [[b.add_machine(f"S{s}.M{k}") for k in range(count)] for s, count in enumerate(machines_per_stage)]
    for j, row in enumerate(times):
        job = b.add_job(f"J{j}")
        previous = None
        for s, p in enumerate(row):
            task = b.add_task([(m, int(p)) for m in stages[s]], job=job, name=f"J{j}.S{s}")
            if previous is not None:
                b.add_precedence(previous, task)
            previous = task
    return b.build()


def shop_routes(problem: Problem) -> list[list[list[tuple[int, int]]]] | None:
    """The (flexible) job-shop routes of a problem, or None if it is not a plain chain shop."""
    if problem.setups or problem.has_blocking or problem.has_no_wait:
        return None
    return chain_routes(problem)


def chain_routes(problem: Problem) -> list[list[list[tuple[int, int]]]] | None:
    """Per job, per operation, its (machine, duration) alternatives when jobs are chains of machine operations
    (whatever the setups, blocking or no-wait on the links)."""
    if not problem.is_machine_problem:
        return None
    routes: list[list[list[tuple[int, int]]]] = []
    chain_links = 0
    for job in problem.jobs:
        routes.append([[(m.resources[0], m.duration) for m in problem.tasks[t].modes] for t in job.tasks])
        chain_links += max(len(job.tasks) - 1, 0)
    if any(task.job is None for task in problem.tasks) or len(problem.precedences) != chain_links:
        return None
    expected = {(a, b) for job in problem.jobs for a, b in zip(job.tasks, job.tasks[1:], strict=False)}
    if {(p.before, p.after) for p in problem.precedences if p.lag == 0} != expected:
        return None
    return routes
