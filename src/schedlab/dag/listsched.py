"""Mechanism shared by the list-scheduling heuristics: processor timelines with insertion.

A processor keeps its busy intervals sorted; a task is inserted into the first idle gap after
its data-ready time that is long enough (the insertion policy of HEFT), or appended.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import DagSchedule


class Timelines:
    """Partial schedule: per-processor sorted intervals and each scheduled task's placement."""

    __slots__ = ("problem", "starts", "finishes", "proc", "start", "finish", "cost", "lat", "inv_bw")

    def __init__(self, problem: DagProblem) -> None:
        self.problem = problem
        p, n = problem.n_processors, problem.n_tasks
        self.starts: list[list[float]] = [[] for _ in range(p)]
        self.finishes: list[list[float]] = [[] for _ in range(p)]
        self.proc = [-1] * n
        self.start = [0.0] * n
        self.finish = [0.0] * n
        self.cost = problem.cost.tolist()
        self.lat = problem.latency.tolist()
        self.inv_bw = (1.0 / problem.bandwidth).tolist()

    def copy(self) -> Timelines:
        other = object.__new__(Timelines)
        other.problem = self.problem
        other.starts = [list(x) for x in self.starts]
        other.finishes = [list(x) for x in self.finishes]
        other.proc, other.start, other.finish = list(self.proc), list(self.start), list(self.finish)
        other.cost, other.lat, other.inv_bw = self.cost, self.lat, self.inv_bw
        return other

    def ready_time(self, task: int, p: int) -> float:
        """When all of `task`'s scheduled inputs have arrived at processor p."""
        ready = 0.0
        proc, finish, lat, inv_bw = self.proc, self.finish, self.lat, self.inv_bw
        for u, data in self.problem.preds[task]:
            q = proc[u]
            if q < 0:
                continue
            t = finish[u] if q == p else finish[u] + lat[q][p] + data * inv_bw[q][p]
            if t > ready:
                ready = t
        return ready

    def earliest_start(self, p: int, ready: float, duration: float) -> float:
        starts, finishes = self.starts[p], self.finishes[p]
        if not starts:
            return ready
        k = bisect_right(finishes, ready)  # intervals finishing at or before `ready` cannot block
        t = ready
        for idx in range(k, len(starts)):
            if starts[idx] - t >= duration:
                return t
            if finishes[idx] > t:
                t = finishes[idx]
        return t

    def eft(self, task: int, p: int) -> tuple[float, float]:
        """(start, finish) of `task` on p with insertion; (inf, inf) where it cannot run."""
        duration = self.cost[task][p]
        if duration == float("inf"):
            return float("inf"), float("inf")
        s = self.earliest_start(p, self.ready_time(task, p), duration)
        return s, s + duration

    def best_processor(self, task: int) -> tuple[int, float, float]:
        """Processor of minimum finish time (ties: lowest index)."""
        best = (-1, float("inf"), float("inf"))
        for p in range(len(self.starts)):
            s, f = self.eft(task, p)
            if f < best[2]:
                best = (p, s, f)
        return best

    def place(self, task: int, p: int, start: float, finish: float) -> None:
        starts, finishes = self.starts[p], self.finishes[p]
        k = bisect_right(starts, start)
        starts.insert(k, start)
        finishes.insert(k, finish)
        self.proc[task], self.start[task], self.finish[task] = p, start, finish

    def result(self, algorithm: str) -> DagSchedule:
        return DagSchedule(tuple(self.proc), tuple(self.start), tuple(self.finish), algorithm)


def mean_costs(problem: DagProblem) -> np.ndarray:
    """Each task's cost averaged over the processors it can run on."""
    w = problem.cost
    finite = np.isfinite(w)
    return np.where(finite, w, 0.0).sum(axis=1) / finite.sum(axis=1)


def mean_comm_fn(problem: DagProblem):
    """c-bar(data): mean transfer time over ordered pairs of distinct processors."""
    p = problem.n_processors
    if p < 2:
        return lambda data: 0.0
    off = ~np.eye(p, dtype=bool)
    mean_lat = float(problem.latency[off].mean())
    mean_inv = float((1.0 / problem.bandwidth[off]).mean())
    return lambda data: mean_lat + data * mean_inv


def upward_ranks(problem: DagProblem) -> list[float]:
    w, cbar = mean_costs(problem), mean_comm_fn(problem)
    rank = [0.0] * problem.n_tasks
    for u in reversed(problem.topo_order):
        rank[u] = float(w[u]) + max((cbar(d) + rank[v] for v, d in problem.succs[u]), default=0.0)
    return rank


def downward_ranks(problem: DagProblem) -> list[float]:
    w, cbar = mean_costs(problem), mean_comm_fn(problem)
    rank = [0.0] * problem.n_tasks
    for v in problem.topo_order:
        rank[v] = max((rank[u] + float(w[u]) + cbar(d) for u, d in problem.preds[v]), default=0.0)
    return rank
