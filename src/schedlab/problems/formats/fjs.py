"""The flexible job shop ``.fjs`` format (Brandimarte, Hurink, ...): machines are 1-based."""

from __future__ import annotations

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem
from schedlab.problems.formats.tokens import Tokens
from schedlab.problems.shop import flexible_job_shop, shop_routes


def read_fjs(text: str, path: str, name: str) -> Problem:
    tokens = Tokens(text, path)
    header_lengths = tokens.peek_line_lengths(1)
    n = tokens.int("the number of jobs", minimum=1)
    m = tokens.int("the number of machines", minimum=1)
    if header_lengths and header_lengths[0] >= 3:
        tokens.number("the average number of machines per operation")  # informative only
    routes = []
    for j in range(n):
        n_ops = tokens.int(f"the number of operations of job {j}", minimum=1)
        route = []
        for o in range(n_ops):
            k = tokens.int(f"the number of machines of job {j} operation {o}", minimum=1)
            alternatives = []
            for _ in range(k):
                machine = tokens.int(f"a machine (1..{m}) of job {j} operation {o}", minimum=1)
                if machine > m:
                    raise tokens.fail(f"a machine in 1..{m} for job {j} operation {o}, got {machine}")
                duration = tokens.int(f"a duration of job {j} operation {o}", minimum=0)
                alternatives.append((machine - 1, duration))
            route.append(alternatives)
        routes.append(route)
    tokens.expect_end()
    return flexible_job_shop(name, routes, m)


def write_fjs(problem: Problem) -> str:
    routes = shop_routes(problem)
    if routes is None:
        raise SchedlabError(f"{problem.name} is not a (flexible) job shop; use the schedlab JSON format")
    n_alt = sum(len(op) for route in routes for op in route)
    n_ops = sum(len(route) for route in routes)
    lines = [f"{len(routes)} {len(problem.resources)} {max(1, round(n_alt / max(n_ops, 1)))}"]
    for route in routes:
        parts = [str(len(route))]
        for op in route:
            parts.append(str(len(op)))
            parts += [f"{m + 1} {d}" for m, d in op]
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"
