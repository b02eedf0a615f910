"""Flat NumPy views of a Problem that the rule kernels and the SGS consume."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schedlab.core.model import Problem
from schedlab.solvers.rules.priorities import NO_DUE


@dataclass(frozen=True)
class RuleArrays:
    mode_ptr: np.ndarray
    mode_machine: np.ndarray  # first resource of each mode (machine problems)
    mode_dur: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_lag: np.ndarray
    pred_count: np.ndarray
    release: np.ndarray
    task_job: np.ndarray
    due: np.ndarray
    weight: np.ndarray
    task_min_dur: np.ndarray
    job_work: np.ndarray
    job_ops: np.ndarray
    lft: np.ndarray
    lst: np.ndarray
    mts: np.ndarray
    grpw: np.ndarray
    tail: np.ndarray  # longest path from a task's start to the end, itself included


def build_arrays(problem: Problem) -> RuleArrays:
    n = len(problem.tasks)
    mode_ptr = np.zeros(n + 1, np.int64)
    machines, durations = [], []
    for t, task in enumerate(problem.tasks):
        mode_ptr[t + 1] = mode_ptr[t] + len(task.modes)
        for mode in task.modes:
            machines.append(mode.resources[0] if mode.resources else -1)
            durations.append(mode.duration)
    succ_ptr = np.zeros(n + 1, np.int64)
    succ_idx, succ_lag = [], []
    for t in range(n):
        succ = problem.successors[t]
        succ_ptr[t + 1] = succ_ptr[t] + len(succ)
        succ_idx += [p.after for p in succ]
        succ_lag += [p.lag for p in succ]
    pred_count = np.array([len(problem.predecessors[t]) for t in range(n)], np.int64)
    task_job = np.array([-1 if t.job is None else t.job for t in problem.tasks], np.int64)
    release = np.array([problem.jobs[t.job].release if t.job is not None else 0 for t in problem.tasks], np.int64)
    due = np.array([NO_DUE if t.job is None or problem.jobs[t.job].due is None else problem.jobs[t.job].due
                    for t in problem.tasks], np.int64)
    weight = np.array([1 if t.job is None else problem.jobs[t.job].weight for t in problem.tasks], np.float64)
    min_dur = np.array([min(m.duration for m in t.modes) for t in problem.tasks], np.int64)
    job_work = np.zeros(max(len(problem.jobs), 1), np.int64)
    job_ops = np.zeros(max(len(problem.jobs), 1), np.int64)
    for j, job in enumerate(problem.jobs):
        job_work[j] = int(sum(min_dur[t] for t in job.tasks))
        job_ops[j] = len(job.tasks)

    order = problem.topological_order
    tail = np.zeros(n, np.int64)  # longest path from a task's start to the end, itself included
    for t in reversed(order):
        tail[t] = min_dur[t] + max((p.lag + tail[p.after] for p in problem.successors[t]), default=0)
    head = np.zeros(n, np.int64)
    for t in order:
        head[t] = max([release[t]] + [head[p.before] + min_dur[p.before] + p.lag for p in problem.predecessors[t]])
    bound = int(max(head + tail)) if n else 0
    lft = bound - tail + min_dur
    lst = lft - min_dur
    mts = np.zeros(n, np.int64)
    descendants: list[set[int]] = [set() for _ in range(n)]
    for t in reversed(order):
        for p in problem.successors[t]:
            descendants[t].add(p.after)
            descendants[t] |= descendants[p.after]
        mts[t] = len(descendants[t])
    grpw = np.array([min_dur[t] + sum(min_dur[p.after] for p in problem.successors[t]) for t in range(n)], np.int64)

    return RuleArrays(mode_ptr, np.array(machines, np.int64), np.array(durations, np.int64), succ_ptr,
                      np.array(succ_idx, np.int64), np.array(succ_lag, np.int64), pred_count, release, task_job,
                      due, weight, min_dur, job_work, job_ops, lft, lst, mts, grpw, tail)
