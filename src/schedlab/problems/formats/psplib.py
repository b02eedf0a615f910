"""PSPLIB ``.sm`` (RCPSP) reader and writer; renewable resources, one or more modes per activity."""

from __future__ import annotations

import re

from schedlab.core.errors import ParseError, SchedlabError
from schedlab.core.model import Mode, Problem, ProblemBuilder


def _ints(line: str, path: str, number: int, what: str) -> list[int]:
    try:
        return [int(x) for x in line.split()]
    except ValueError:
        raise ParseError(path, number, f"expected {what} (integers), got {line.strip()!r}") from None


def read_sm(text: str, path: str, name: str) -> Problem:  # noqa: C901 - a section-by-section parser
    lines = text.splitlines()

    def find(label: str, start: int = 0) -> int:
        for i in range(start, len(lines)):
            if lines[i].strip().upper().startswith(label):
                return i
        raise ParseError(path, len(lines), f"expected a section starting with {label!r}")

    def field(label: str) -> int:
        i = find(label)
        match = re.search(r":\s*(-?\d+)", lines[i])
        if not match:
            raise ParseError(path, i + 1, f"expected an integer after '{label}:'")
        return int(match.group(1))

    n_jobs = field("JOBS (INCL. SUPERSOURCE/SINK )")
    n_renewable = field("- RENEWABLE")
    for label in ("- NONRENEWABLE", "- DOUBLY CONSTRAINED"):
        if field(label) != 0:
            raise ParseError(path, find(label) + 1, "expected 0 (only renewable resources are supported)")

    due = None
    info = find("PROJECT INFORMATION:")
    row = _ints(lines[info + 2], path, info + 3, "pronr #jobs rel.date duedate tardcost MPM-Time")
    if len(row) >= 4:
        due = row[3]

    prec = find("PRECEDENCE RELATIONS:") + 2
    n_modes: list[int] = []
    successors: list[list[int]] = []
    for k in range(n_jobs):
        number = prec + k
        if number >= len(lines):
            raise ParseError(path, len(lines), f"expected the precedence row of activity {k + 1}")
        values = _ints(lines[number], path, number + 1, "jobnr #modes #successors successors")
        if len(values) < 3 or values[0] != k + 1 or len(values) != 3 + values[2]:
            raise ParseError(path, number + 1,
                             f"expected 'jobnr #modes #successors successors...' for activity {k + 1}")
        n_modes.append(values[1])
        successors.append(values[3:])

    req = find("REQUESTS/DURATIONS:") + 3
    modes: list[list[Mode]] = [[] for _ in range(n_jobs)]
    number = req
    for k in range(n_jobs):
        for mode in range(n_modes[k]):
            if number >= len(lines):
                raise ParseError(path, len(lines), f"expected the request row of activity {k + 1} mode {mode + 1}")
            values = _ints(lines[number], path, number + 1, "jobnr mode duration requests")
            if mode == 0:
                if not values or values[0] != k + 1:
                    raise ParseError(path, number + 1, f"expected a request row starting with activity {k + 1}")
                values = values[1:]
            if len(values) != 2 + n_renewable or values[0] != mode + 1:
                raise ParseError(path, number + 1,
                                 f"expected 'mode duration' and {n_renewable} requests for activity {k + 1}")
            duration, demands = values[1], values[2:]
            if duration < 0 or min(demands, default=0) < 0:
                raise ParseError(path, number + 1, "expected non-negative duration and requests")
            used = [(r, d) for r, d in enumerate(demands) if d > 0]
            modes[k].append(Mode(duration, tuple(r for r, _ in used), tuple(d for _, d in used)))
            number += 1

    avail = find("RESOURCEAVAILABILITIES:")
    capacities = _ints(lines[avail + 2], path, avail + 3, "resource availabilities")
    if len(capacities) != n_renewable:
        raise ParseError(path, avail + 3, f"expected {n_renewable} resource availabilities")

    b = ProblemBuilder(name, "rcpsp")
    for r, cap in enumerate(capacities):
        b.add_resource(f"R{r + 1}", max(cap, 1))
    job = b.add_job("project", due=due)
    for k in range(n_jobs):
        for mode in modes[k]:
            for r, d in zip(mode.resources, mode.demands, strict=True):
                if d > capacities[r]:
                    raise ParseError(path, req + k + 1, f"activity {k + 1} requests {d} of R{r + 1}, capacity {capacities[r]}")
        b.add_task(modes[k], job=job, name=f"A{k + 1}")
    for k, succ in enumerate(successors):
        for s in succ:
            if not 1 <= s <= n_jobs:
                raise ParseError(path, prec + k + 1, f"expected successor ids in 1..{n_jobs}, got {s}")
            b.add_precedence(k, s - 1)
    return b.build()


def write_sm(problem: Problem) -> str:
    if any(r.unavailable for r in problem.resources) or problem.setups:
        raise SchedlabError(f"{problem.name}: PSPLIB cannot express downtime or setups")
    if any(p.lag or p.no_wait or p.blocking for p in problem.precedences):
        raise SchedlabError(f"{problem.name}: PSPLIB .sm cannot express lags, no-wait or blocking")
    n, k = len(problem.tasks), len(problem.resources)
    due = next((j.due for j in problem.jobs if j.due is not None), 0)
    star = "*" * 72
    out = [star, f"file with basedata            : {problem.name}", star,
           "projects                      :  1", f"jobs (incl. supersource/sink ):  {n}",
           f"horizon                       :  {problem.horizon()}", "RESOURCES",
           f"  - renewable                 :  {k}   R", "  - nonrenewable              :  0   N",
           "  - doubly constrained        :  0   D", star, "PROJECT INFORMATION:",
           "pronr.  #jobs rel.date duedate tardcost  MPM-Time", f"    1  {n - 2}  0  {due}  0  0", star,
           "PRECEDENCE RELATIONS:", "jobnr.    #modes  #successors   successors"]
    for t, task in enumerate(problem.tasks):
        succ = [p.after + 1 for p in problem.successors[t]]
        out.append(f"  {t + 1}  {len(task.modes)}  {len(succ)}  " + "  ".join(map(str, succ)))
    out += [star, "REQUESTS/DURATIONS:", "jobnr. mode duration  " + "  ".join(f"R {r + 1}" for r in range(k)),
            "-" * 72]
    for t, task in enumerate(problem.tasks):
        for m, mode in enumerate(task.modes):
            demand = dict(zip(mode.resources, mode.demands, strict=True))
            req = "  ".join(str(demand.get(r, 0)) for r in range(k))
            head = f"  {t + 1}" if m == 0 else "   "
            out.append(f"{head}  {m + 1}  {mode.duration}  {req}")
    out += [star, "RESOURCEAVAILABILITIES:", "  " + "  ".join(f"R {r + 1}" for r in range(k)),
            "  " + "  ".join(str(r.capacity) for r in problem.resources), star]
    return "\n".join(out) + "\n"
