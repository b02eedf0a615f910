"""Static list-scheduling heuristics for heterogeneous DAGs.

HEFT and CPOP (Topcuoglu, Hariri, Wu 2002), PEFT (Arabnejad, Barbosa 2014), lookahead HEFT
(Bittencourt, Sakellariou, Madeira 2010), and the simple baselines MET, ETF and MinMin. All
use the insertion policy and break ties deterministically (lower task index, lower processor).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np

from schedlab.dag.listsched import Timelines, downward_ranks, mean_comm_fn, upward_ranks
from schedlab.dag.model import DagProblem
from schedlab.dag.schedule import DagSchedule

TOL = 1e-9


def heft(problem: DagProblem) -> DagSchedule:
    """Tasks by decreasing upward rank, each on the processor that finishes it earliest."""
    rank = upward_ranks(problem)
    tl = Timelines(problem)
    for task in sorted(range(problem.n_tasks), key=lambda i: (-rank[i], i)):
        p, s, f = tl.best_processor(task)
        tl.place(task, p, s, f)
    return tl.result("heft")


def _ready_list(
    problem: DagProblem, priority: list[float], choose: Callable[[Timelines, int], tuple[int, float, float]], name: str
) -> DagSchedule:
    """Schedule tasks as they become ready, highest priority first."""
    tl = Timelines(problem)
    missing = [len(problem.preds[i]) for i in range(problem.n_tasks)]
    heap = [(-priority[i], i) for i in range(problem.n_tasks) if missing[i] == 0]
    heapq.heapify(heap)
    while heap:
        _, task = heapq.heappop(heap)
        p, s, f = choose(tl, task)
        tl.place(task, p, s, f)
        for v, _ in problem.succs[task]:
            missing[v] -= 1
            if missing[v] == 0:
                heapq.heappush(heap, (-priority[v], v))
    return tl.result(name)


def critical_path(problem: DagProblem, priority: list[float]) -> list[int]:
    """CPOP's critical path: from the highest-priority entry task, follow successors of equal priority."""
    entries = [i for i in range(problem.n_tasks) if not problem.preds[i]]
    node = max(entries, key=lambda i: (priority[i], -i))
    target = priority[node]
    path = [node]
    while problem.succs[node]:
        same = [v for v, _ in problem.succs[node] if abs(priority[v] - target) <= TOL * max(1.0, abs(target))]
        if not same:
            break
        node = min(same)
        path.append(node)
    return path


def cpop(problem: DagProblem) -> DagSchedule:
    """Critical-path tasks on the one processor that runs the whole path fastest; the rest by EFT."""
    up, down = upward_ranks(problem), downward_ranks(problem)
    priority = [a + b for a, b in zip(up, down, strict=True)]
    path = critical_path(problem, priority)
    on_path = set(path)
    path_cost = problem.cost[path].sum(axis=0)
    p_cp = int(np.argmin(path_cost))

    def choose(tl: Timelines, task: int) -> tuple[int, float, float]:
        if task in on_path and np.isfinite(problem.cost[task, p_cp]):
            s, f = tl.eft(task, p_cp)
            return p_cp, s, f
        return tl.best_processor(task)

    return _ready_list(problem, priority, choose, "cpop")


def optimistic_cost_table(problem: DagProblem) -> np.ndarray:
    """PEFT's OCT[i, k]: the optimistic remaining time after task i finishes on processor k."""
    n, p = problem.n_tasks, problem.n_processors
    cbar = mean_comm_fn(problem)
    oct_ = np.zeros((n, p))
    w = problem.cost
    for u in reversed(problem.topo_order):
        row = np.zeros(p)
        for v, data in problem.succs[u]:
            base = oct_[v] + w[v]  # over processors w of the child
            c = cbar(data)
            # min over w of base[w] + c * [w != k], for every k
            best_any = np.min(base + c)
            cand = np.minimum(base, best_any)  # staying on k costs base[k]; moving costs min over all + c
            row = np.maximum(row, cand)
        oct_[u] = row
    return oct_


def peft(problem: DagProblem) -> DagSchedule:
    """Ready list by mean OCT; processor minimising EFT + OCT (a one-step lookahead for free)."""
    oct_ = optimistic_cost_table(problem)
    rank = oct_.mean(axis=1).tolist()
    oct_list = oct_.tolist()

    def choose(tl: Timelines, task: int) -> tuple[int, float, float]:
        best = (-1, float("inf"), float("inf"), float("inf"))
        for p in range(problem.n_processors):
            s, f = tl.eft(task, p)
            score = f + oct_list[task][p]
            if score < best[3]:
                best = (p, s, f, score)
        return best[0], best[1], best[2]

    return _ready_list(problem, rank, choose, "peft")


def lookahead_heft(problem: DagProblem) -> DagSchedule:
    """HEFT order; each candidate processor is scored by the latest finish of the task's children
    when they are tentatively placed (in rank order, each on its EFT processor)."""
    rank = upward_ranks(problem)
    tl = Timelines(problem)
    for task in sorted(range(problem.n_tasks), key=lambda i: (-rank[i], i)):
        children = sorted((v for v, _ in problem.succs[task]), key=lambda i: (-rank[i], i))
        best = (float("inf"), float("inf"), -1, 0.0, 0.0)
        for p in range(problem.n_processors):
            s, f = tl.eft(task, p)
            if f == float("inf"):
                continue
            if not children:
                score = f
            else:
                trial = tl.copy()
                trial.place(task, p, s, f)
                score = 0.0
                for c in children:
                    q, cs, cf = trial.best_processor(c)
                    trial.place(c, q, cs, cf)
                    score = max(score, cf)
            if (score, f) < best[:2]:
                best = (score, f, p, s, f)
        tl.place(task, best[2], best[3], best[4])
    return tl.result("lookahead-heft")


def met(problem: DagProblem) -> DagSchedule:
    """Minimum execution time: each task (in upward-rank order) on its fastest processor."""
    rank = upward_ranks(problem)
    tl = Timelines(problem)
    for task in sorted(range(problem.n_tasks), key=lambda i: (-rank[i], i)):
        p = int(np.argmin(problem.cost[task]))
        s, f = tl.eft(task, p)
        tl.place(task, p, s, f)
    return tl.result("met")


def _greedy_ready(problem: DagProblem, key: str) -> DagSchedule:
    """ETF (earliest start among ready task/processor pairs) and MinMin (earliest finish)."""
    rank = upward_ranks(problem)
    tl = Timelines(problem)
    missing = [len(problem.preds[i]) for i in range(problem.n_tasks)]
    ready = {i for i in range(problem.n_tasks) if missing[i] == 0}
    while ready:
        best = None
        for task in ready:
            for p in range(problem.n_processors):
                s, f = tl.eft(task, p)
                score = (s, f, -rank[task], task, p) if key == "start" else (f, -rank[task], task, p, s)
                if best is None or score < best[0]:
                    best = (score, task, p, s, f)
        _, task, p, s, f = best
        tl.place(task, p, s, f)
        ready.discard(task)
        for v, _ in problem.succs[task]:
            missing[v] -= 1
            if missing[v] == 0:
                ready.add(v)
    return tl.result("etf" if key == "start" else "minmin")


def etf(problem: DagProblem) -> DagSchedule:
    return _greedy_ready(problem, "start")


def minmin(problem: DagProblem) -> DagSchedule:
    return _greedy_ready(problem, "finish")
