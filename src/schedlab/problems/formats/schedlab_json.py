"""schedlab's own JSON format: the whole general model, documented in docs/FORMAT.md."""

from __future__ import annotations

import json
from typing import Any

from schedlab.core.errors import ModelError, ParseError
from schedlab.core.model import (
    OBJECTIVE_TERMS,
    Job,
    Mode,
    Objective,
    Precedence,
    Problem,
    Resource,
    SetupTime,
    Task,
)

FORMAT_TAG = "schedlab/1"


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, expected: str) -> ParseError:
        return ParseError(self.path, None, f"{where}: expected {expected}")

    def obj(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "an object")
        return value

    def items(self, data: dict[str, Any], key: str, where: str, required: bool = False) -> list[Any]:
        if key not in data:
            if required:
                raise self.fail(where, f"a list {key!r}")
            return []
        value = data[key]
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", "a list")
        return value

    def int(self, data: dict[str, Any], key: str, where: str, default: Any = ..., minimum: int | None = None) -> Any:
        if key not in data or data[key] is None:
            if default is ...:
                raise self.fail(where, f"an integer {key!r}")
            return default
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", f"an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.fail(f"{where}.{key}", f"an integer >= {minimum}, got {value}")
        return value


def problem_from_dict(data: Any, path: str, name: str) -> Problem:  # noqa: C901 - flat schema walk
    r = _Reader(path)
    data = r.obj(data, "top level")
    tag = data.get("format", FORMAT_TAG)
    if tag != FORMAT_TAG:
        raise r.fail("format", f"{FORMAT_TAG!r}, got {tag!r}")
    resources = []
    for i, item in enumerate(r.items(data, "resources", "top level", required=True)):
        where = f"resources[{i}]"
        item = r.obj(item, where)
        windows = []
        for k, w in enumerate(r.items(item, "unavailable", where)):
            if not (isinstance(w, list) and len(w) == 2 and all(isinstance(x, int) for x in w)):
                raise r.fail(f"{where}.unavailable[{k}]", "a pair [start, end] of integers")
            windows.append((w[0], w[1]))
        resources.append(Resource(str(item.get("name", f"R{i}")), r.int(item, "capacity", where, 1, 1), tuple(windows)))
    jobs_raw = r.items(data, "jobs", "top level")
    tasks = []
    job_tasks: list[list[int]] = [[] for _ in jobs_raw]
    for i, item in enumerate(r.items(data, "tasks", "top level", required=True)):
        where = f"tasks[{i}]"
        item = r.obj(item, where)
        modes = []
        for k, mode in enumerate(r.items(item, "modes", where, required=True)):
            mw = f"{where}.modes[{k}]"
            mode = r.obj(mode, mw)
            res = r.items(mode, "resources", mw)
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in res):
                raise r.fail(f"{mw}.resources", "a list of resource indices")
            demands = r.items(mode, "demands", mw) if "demands" in mode else [1] * len(res)
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in demands):
                raise r.fail(f"{mw}.demands", "a list of integers")
            modes.append(Mode(r.int(mode, "duration", mw, minimum=0), tuple(res), tuple(demands)))
        job = r.int(item, "job", where, None, 0)
        if job is not None:
            if job >= len(jobs_raw):
                raise r.fail(f"{where}.job", f"a job index in 0..{len(jobs_raw) - 1}, got {job}")
            job_tasks[job].append(i)
        tasks.append(Task(str(item.get("name", f"T{i}")), tuple(modes), job))
    jobs = []
    for i, item in enumerate(jobs_raw):
        where = f"jobs[{i}]"
        item = r.obj(item, where)
        jobs.append(Job(str(item.get("name", f"J{i}")), tuple(job_tasks[i]), r.int(item, "release", where, 0, 0),
                        r.int(item, "due", where, None), r.int(item, "deadline", where, None),
                        r.int(item, "weight", where, 1, 0)))
    precedences = []
    for i, item in enumerate(r.items(data, "precedences", "top level")):
        where = f"precedences[{i}]"
        item = r.obj(item, where)
        precedences.append(Precedence(r.int(item, "before", where, minimum=0), r.int(item, "after", where, minimum=0),
                                      r.int(item, "lag", where, 0), bool(item.get("no_wait", False)),
                                      bool(item.get("blocking", False))))
    setups = []
    for i, item in enumerate(r.items(data, "setups", "top level")):
        where = f"setups[{i}]"
        item = r.obj(item, where)
        setups.append(SetupTime(r.int(item, "resource", where, minimum=0), r.int(item, "before", where, minimum=0),
                                r.int(item, "after", where, minimum=0), r.int(item, "duration", where, minimum=0)))
    objective_raw = data.get("objective", {"makespan": 1})
    if isinstance(objective_raw, str):
        objective_raw = {objective_raw: 1}
    objective_raw = r.obj(objective_raw, "objective")
    unknown = set(objective_raw) - set(OBJECTIVE_TERMS)
    if unknown:
        raise r.fail("objective", f"terms among {', '.join(OBJECTIVE_TERMS)}; got {sorted(unknown)}")
    objective = Objective(**{k: r.int(objective_raw, k, "objective", minimum=0) for k in objective_raw})
    try:
        return Problem(str(data.get("name", name)), tuple(resources), tuple(tasks), tuple(jobs), tuple(precedences),
                       tuple(setups), objective, str(data.get("kind", "general")), dict(data.get("metadata") or {}))
    except ModelError as exc:
        raise ParseError(path, None, f"expected a consistent model: {exc}") from None


def read_schedlab_json(text: str, path: str, name: str) -> Problem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(path, exc.lineno, f"expected JSON ({exc.msg})") from None
    return problem_from_dict(data, path, name)


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    def mode(m: Mode) -> dict[str, Any]:
        return {"duration": m.duration, "resources": list(m.resources), "demands": list(m.demands)}

    return {
        "format": FORMAT_TAG,
        "name": problem.name,
        "kind": problem.kind,
        "resources": [{"name": r.name, "capacity": r.capacity, **({"unavailable": [list(w) for w in r.unavailable]}
                                                                   if r.unavailable else {})}
                      for r in problem.resources],
        "jobs": [{"name": j.name, "release": j.release, "due": j.due, "deadline": j.deadline, "weight": j.weight}
                 for j in problem.jobs],
        "tasks": [{"name": t.name, "job": t.job, "modes": [mode(m) for m in t.modes]} for t in problem.tasks],
        "precedences": [{"before": p.before, "after": p.after, "lag": p.lag, "no_wait": p.no_wait,
                         "blocking": p.blocking} for p in problem.precedences],
        "setups": [{"resource": s.resource, "before": s.before, "after": s.after, "duration": s.duration}
                   for s in problem.setups],
        "objective": problem.objective.terms(),
        "metadata": {k: v for k, v in problem.metadata.items() if isinstance(v, (int, float, str, bool, type(None)))},
    }


def write_schedlab_json(problem: Problem) -> str:
    return json.dumps(problem_to_dict(problem), indent=1)
