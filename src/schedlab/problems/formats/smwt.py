"""Single-machine weighted tardiness: the OR-Library multi-instance file and a one-instance text.

OR-Library ``wtN.txt`` holds instances back to back: N processing times, N weights, N due dates.
schedlab's one-instance ``.smwt`` text is ``n`` then n lines ``p w d``.
"""

from __future__ import annotations

from schedlab.core.errors import ParseError, SchedlabError
from schedlab.core.model import Problem
from schedlab.problems.formats.tokens import Tokens
from schedlab.problems.shop import single_machine


def read_orlib_wt(text: str, path: str, n: int, prefix: str) -> list[Problem]:
    tokens = Tokens(text, path)
    problems = []
    while not tokens.exhausted:
        k = len(problems) + 1
        p = [tokens.int(f"processing time {j + 1} of instance {k}", minimum=0) for j in range(n)]
        w = [tokens.int(f"weight {j + 1} of instance {k}", minimum=0) for j in range(n)]
        d = [tokens.int(f"due date {j + 1} of instance {k}", minimum=0) for j in range(n)]
        problems.append(single_machine(f"{prefix}-{k:03d}", p, w, d))
    if not problems:
        raise ParseError(path, 1, "expected at least one instance")
    return problems


def read_smwt(text: str, path: str, name: str) -> Problem:
    tokens = Tokens(text, path)
    n = tokens.int("the number of jobs", minimum=1)
    p, w, d = [], [], []
    for j in range(n):
        p.append(tokens.int(f"the processing time of job {j}", minimum=0))
        w.append(tokens.int(f"the weight of job {j}", minimum=0))
        d.append(tokens.int(f"the due date of job {j}", minimum=0))
    tokens.expect_end()
    return single_machine(name, p, w, d)


def write_smwt(problem: Problem) -> str:
    if problem.kind != "single_machine" or len(problem.resources) != 1:
        raise SchedlabError(f"{problem.name} is not a single-machine problem")
    lines = [str(len(problem.jobs))]
    for job in problem.jobs:
        task = problem.tasks[job.tasks[0]]
        lines.append(f"{task.modes[0].duration} {job.weight} {job.due}")
    return "\n".join(lines) + "\n"
