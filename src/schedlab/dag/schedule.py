"""A DAG schedule (processor, start, finish per task), its validator and its metrics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schedlab.dag.model import DagProblem

EPS = 1e-9


@dataclass(frozen=True)
class DagSchedule:
    processor: tuple[int, ...]
    start: tuple[float, ...]
    finish: tuple[float, ...]
    algorithm: str = ""

    @property
    def makespan(self) -> float:
        return max(self.finish) if self.finish else 0.0

    def to_records(self, problem: DagProblem) -> list[dict]:
        """The result JSON's schedule rows, in the same shape as the general model's (mode = processor)."""
        names = problem.task_names or tuple(f"t{i}" for i in range(problem.n_tasks))
        return [
            {"job": None, "task": i, "name": names[i], "mode": p, "resources": [p], "start": s, "end": f}
            for i, (p, s, f) in sorted(enumerate(zip(self.processor, self.start, self.finish, strict=True)),
                                       key=lambda x: (x[1][1], x[0]))
        ]

    @classmethod
    def from_records(cls, records: list[dict], algorithm: str = "") -> DagSchedule:
        rows = sorted(records, key=lambda r: int(r["task"]))
        return cls(tuple(int(r["mode"]) for r in rows), tuple(float(r["start"]) for r in rows),
                   tuple(float(r["end"]) for r in rows), algorithm)

    def to_dict(self) -> dict:
        return {
            "algorithm": self.algorithm,
            "makespan": self.makespan,
            "tasks": [
                {"task": i, "processor": p, "start": s, "finish": f}
                for i, (p, s, f) in enumerate(zip(self.processor, self.start, self.finish, strict=True))
            ],
        }


def first_violation(problem: DagProblem, s: DagSchedule) -> str | None:
    """The first broken rule, or None when the schedule is valid."""
    n, p = problem.n_tasks, problem.n_processors
    if not (len(s.processor) == len(s.start) == len(s.finish) == n):
        return f"schedule covers {len(s.processor)} tasks, the problem has {n}"
    for i in range(n):
        proc = s.processor[i]
        if not 0 <= proc < p:
            return f"task {i} is on unknown processor {proc}"
        if s.start[i] < -EPS:
            return f"task {i} starts before time 0"
        expected = problem.cost[i, proc]
        if not np.isfinite(expected):
            return f"task {i} cannot run on processor {proc}"
        if abs(s.finish[i] - s.start[i] - expected) > 1e-6 * max(1.0, expected):
            return f"task {i} runs {s.finish[i] - s.start[i]:g} on processor {proc}, its cost there is {expected:g}"
    for u, v, data in problem.edges:
        ready = s.finish[u] + problem.comm(data, s.processor[u], s.processor[v])
        if s.start[v] < ready - 1e-6 * max(1.0, ready):
            return f"task {v} starts at {s.start[v]:g} before its input from task {u} arrives at {ready:g}"
    for proc in range(p):
        tasks = sorted((s.start[i], s.finish[i], i) for i in range(n) if s.processor[i] == proc)
        for (_, f1, a), (s2, _, b) in zip(tasks, tasks[1:], strict=False):
            if s2 < f1 - 1e-6 * max(1.0, f1):
                return f"tasks {a} and {b} overlap on processor {proc}"
    return None


def critical_path_min(problem: DagProblem) -> float:
    """Length of the longest path using each task's minimum cost and no communication (SLR's denominator)."""
    best = np.min(problem.cost, axis=1)
    longest = np.zeros(problem.n_tasks)
    for u in reversed(problem.topo_order):
        tail = max((longest[v] for v, _ in problem.succs[u]), default=0.0)
        longest[u] = best[u] + tail
    return float(longest.max())


def metrics(problem: DagProblem, s: DagSchedule) -> dict[str, float]:
    """Makespan, SLR, speedup and efficiency as defined by Topcuoglu et al. (2002)."""
    makespan = s.makespan
    finite = np.where(np.isfinite(problem.cost), problem.cost, np.nan)
    sequential = float(np.nanmin(np.nansum(finite, axis=0) + np.where(np.isfinite(problem.cost).all(axis=0), 0, np.inf)))
    speedup = sequential / makespan if makespan > 0 else float("nan")
    return {
        "makespan": makespan,
        "slr": makespan / critical_path_min(problem),
        "speedup": speedup,
        "efficiency": speedup / problem.n_processors,
    }
