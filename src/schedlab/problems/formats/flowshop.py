"""Taillard's flow shop text: ``n m`` then m rows of n processing times (one row per machine)."""

from __future__ import annotations

from schedlab.core.errors import SchedlabError
from schedlab.core.model import Problem
from schedlab.problems.formats.tokens import Tokens
from schedlab.problems.shop import flow_shop, shop_routes


def read_flowshop(text: str, path: str, name: str) -> Problem:
    tokens = Tokens(text, path)
    n = tokens.int("the number of jobs", minimum=1)
    m = tokens.int("the number of machines", minimum=1)
    by_machine = [[tokens.int(f"the time of job {j} on machine {k}", minimum=0) for j in range(n)] for k in range(m)]
    tokens.expect_end()
    times = [[by_machine[k][j] for k in range(m)] for j in range(n)]
    return flow_shop(name, times)


def write_flowshop(problem: Problem) -> str:
    routes = shop_routes(problem)
    m = len(problem.resources)
    if routes is None or any([op[0][0] for op in route] != list(range(m)) for route in routes):
        raise SchedlabError(f"{problem.name} is not a flow shop")
    lines = [f"{len(routes)} {m}"]
    lines += [" ".join(str(route[k][0][1]) for route in routes) for k in range(m)]
    return "\n".join(lines) + "\n"
