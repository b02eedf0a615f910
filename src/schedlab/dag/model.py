"""Heterogeneous DAG scheduling model: tasks, an unrelated-machine cost matrix, and a network.

`cost[i, p]` is task i's execution time on processor p (inf: cannot run there). An edge (u, v,
data) sends `data` units from u to v; between distinct processors a and b it takes
`latency[a, b] + data / bandwidth[a, b]`, on the same processor nothing. The classic HEFT papers
give communication costs directly, which is `data` with bandwidth 1 and latency 0 (the default).
The related-machine form (task work / processor speed) is `DagProblem.related`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from schedlab.core.errors import ModelError
from schedlab.core.model import MAKESPAN, Objective


@dataclass(frozen=True, eq=False)
class DagProblem:
    name: str
    cost: np.ndarray  # (tasks, processors)
    edges: tuple[tuple[int, int, float], ...]
    latency: np.ndarray  # (processors, processors)
    bandwidth: np.ndarray  # (processors, processors)
    task_names: tuple[str, ...] = ()
    processor_names: tuple[str, ...] = ()
    preds: tuple[tuple[tuple[int, float], ...], ...] = field(default=(), repr=False)
    succs: tuple[tuple[tuple[int, float], ...], ...] = field(default=(), repr=False)
    topo_order: tuple[int, ...] = field(default=(), repr=False)

    problem_type: ClassVar[str] = "dag"
    kind: ClassVar[str] = "dag"
    objective: ClassVar[Objective] = MAKESPAN  # DAG scheduling minimises the makespan

    def features(self) -> frozenset[str]:
        return frozenset({"communication"})

    def first_violation(self, schedule) -> str | None:
        """The validator's entry point for DAG schedules (`schedlab.core.validate.first_violation` calls it)."""
        from schedlab.dag.schedule import DagSchedule, first_violation

        if not isinstance(schedule, DagSchedule):
            return f"expected a DAG schedule (processor, start, finish per task), got {type(schedule).__name__}"
        return first_violation(self, schedule)

    def evaluate(self, schedule) -> float:
        return schedule.makespan

    def schedule_from_records(self, records):
        from schedlab.dag.schedule import DagSchedule

        return DagSchedule.from_records(list(records))

    @property
    def n_tasks(self) -> int:
        return self.cost.shape[0]

    @property
    def n_processors(self) -> int:
        return self.cost.shape[1]

    def comm(self, data: float, a: int, b: int) -> float:
        """Transfer time of `data` from processor a to b (0 on the same processor)."""
        if a == b:
            return 0.0
        return float(self.latency[a, b] + data / self.bandwidth[a, b])

    def mean_comm(self, data: float) -> float:
        """Average transfer time over ordered pairs of distinct processors (HEFT's c-bar)."""
        p = self.n_processors
        if p < 2:
            return 0.0
        off = ~np.eye(p, dtype=bool)
        return float(np.mean(self.latency[off] + data / self.bandwidth[off]))

    @staticmethod
    def build(
        cost: Sequence[Sequence[float]] | np.ndarray,
        edges: Sequence[tuple[int, int, float]],
        *,
        latency: np.ndarray | None = None,
        bandwidth: np.ndarray | None = None,
        name: str = "dag",
        task_names: Sequence[str] = (),
        processor_names: Sequence[str] = (),
    ) -> DagProblem:
        """Validate and freeze a DAG problem; raises ModelError naming what is wrong."""
        w = np.array(cost, dtype=float)
        if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
            raise ModelError("the cost matrix must be tasks x processors with at least one of each")
        n, p = w.shape
        if np.isnan(w).any():
            i, j = map(int, np.argwhere(np.isnan(w))[0])
            raise ModelError(f"task {i} has no cost on processor {j} (use inf for 'cannot run there')")
        if (w < 0).any():
            raise ModelError("execution costs must be non-negative")
        for i in range(n):
            if not np.isfinite(w[i]).any():
                raise ModelError(f"task {i} cannot run on any processor")
        lat = np.zeros((p, p)) if latency is None else np.array(latency, dtype=float)
        bw = np.ones((p, p)) if bandwidth is None else np.array(bandwidth, dtype=float)
        if lat.shape != (p, p) or bw.shape != (p, p):
            raise ModelError(f"latency and bandwidth must be {p} x {p} matrices")
        if (lat < 0).any() or (bw <= 0).any():
            raise ModelError("latencies must be non-negative and bandwidths positive")
        preds: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        succs: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        seen = set()
        clean = []
        for e in edges:
            if len(e) != 3:
                raise ModelError(f"an edge is (from, to, data), got {e!r}")
            u, v, data = int(e[0]), int(e[1]), float(e[2])
            if not (0 <= u < n and 0 <= v < n):
                raise ModelError(f"edge {u}->{v} names a task outside 0..{n - 1}")
            if u == v or (u, v) in seen:
                raise ModelError(f"edge {u}->{v} is a self-loop or a duplicate")
            if data < 0:
                raise ModelError(f"edge {u}->{v} has negative data")
            seen.add((u, v))
            clean.append((u, v, data))
            preds[v].append((u, data))
            succs[u].append((v, data))
        order = _topological_order(n, succs, preds)
        if task_names and len(task_names) != n:
            raise ModelError(f"{len(task_names)} task names for {n} tasks")
        if processor_names and len(processor_names) != p:
            raise ModelError(f"{len(processor_names)} processor names for {p} processors")
        w.setflags(write=False)
        lat.setflags(write=False)
        bw.setflags(write=False)
        return DagProblem(
            name,
            w,
            tuple(clean),
            lat,
            bw,
            tuple(task_names),
            tuple(processor_names),
            tuple(tuple(x) for x in preds),
            tuple(tuple(x) for x in succs),
            order,
        )

    @staticmethod
    def related(
        work: Sequence[float],
        speeds: Sequence[float],
        edges: Sequence[tuple[int, int, float]],
        link_speed: float = 1.0,
        latency: float = 0.0,
        name: str = "dag",
    ) -> DagProblem:
        """Related machines: cost = work / speed; every link has the same speed and latency."""
        w = np.array(work, dtype=float)[:, None] / np.array(speeds, dtype=float)[None, :]
        p = len(speeds)
        return DagProblem.build(w, edges, latency=np.full((p, p), latency), bandwidth=np.full((p, p), link_speed), name=name)


def _topological_order(n: int, succs, preds) -> tuple[int, ...]:
    indeg = [len(preds[i]) for i in range(n)]
    stack = [i for i in range(n - 1, -1, -1) if indeg[i] == 0]
    order = []
    while stack:
        u = stack.pop()
        order.append(u)
        for v, _ in reversed(succs[u]):
            indeg[v] -= 1
            if indeg[v] == 0:
                stack.append(v)
    if len(order) != n:
        cyc = [i for i in range(n) if indeg[i] > 0]
        raise ModelError(f"the task graph has a cycle through tasks {cyc[:10]}")
    return tuple(order)
