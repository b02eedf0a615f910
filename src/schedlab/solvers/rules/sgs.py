"""Serial and parallel schedule-generation schemes for problems with renewable resources."""

from __future__ import annotations

import numpy as np

from schedlab.core.model import Problem
from schedlab.solvers.rules.arrays import RuleArrays
from schedlab.solvers.rules.kernels import _score


class ResourceProfile:
    """Remaining capacity per time unit and resource, with downtime blocked out."""

    def __init__(self, problem: Problem, horizon: int) -> None:
        self.capacity = np.array([r.capacity for r in problem.resources], np.int64)
        self.usage = np.zeros((horizon + 1, len(problem.resources)), np.int64)
        for r, res in enumerate(problem.resources):
            for a, b in res.unavailable:
                self.usage[a:b, r] = res.capacity

    def first_violation(self, start: int, duration: int, resources: np.ndarray, demands: np.ndarray) -> int:
        """Index (from start) of the last time unit where the mode does not fit, or -1."""
        if duration == 0 or resources.size == 0:
            return -1
        self._ensure(start + duration)
        window = self.usage[start:start + duration, resources] + demands > self.capacity[resources]
        rows = np.flatnonzero(window.any(axis=1))
        return int(rows[-1]) if rows.size else -1

    def earliest_fit(self, start: int, duration: int, resources: np.ndarray, demands: np.ndarray) -> int:
        while True:
            last_bad = self.first_violation(start, duration, resources, demands)
            if last_bad < 0:
                return start
            start += last_bad + 1

    def reserve(self, start: int, duration: int, resources: np.ndarray, demands: np.ndarray) -> None:
        if duration and resources.size:
            self._ensure(start + duration)
            self.usage[start:start + duration, resources] += demands

    def _ensure(self, end: int) -> None:
        if end > self.usage.shape[0]:
            extra = np.zeros((end - self.usage.shape[0] + 64, self.usage.shape[1]), np.int64)
            self.usage = np.vstack([self.usage, extra])


def _mode_arrays(problem: Problem) -> list[list[tuple[int, np.ndarray, np.ndarray]]]:
    return [[(m.duration, np.array(m.resources, np.int64), np.array(m.demands, np.int64)) for m in task.modes]
            for task in problem.tasks]


def _priority(arrays: RuleArrays, rule: int, t: int, start: int, random_key: np.ndarray, project: bool,
              job_work: np.ndarray, job_ops: np.ndarray, mean_duration: float) -> float:
    j = arrays.task_job[t]
    work = arrays.tail[t] if project or j < 0 else job_work[j]
    ops = arrays.mts[t] + 1 if project or j < 0 else job_ops[j]
    return _score(rule, t, arrays.task_min_dur[t], start, arrays.due[t], arrays.weight[t], work, ops,
                  start, random_key[t], arrays.lft[t], arrays.lst[t], arrays.mts[t], arrays.grpw[t], mean_duration)


def serial_sgs(problem: Problem, arrays: RuleArrays, rule: int, random_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(problem.tasks)
    modes = _mode_arrays(problem)
    profile = ResourceProfile(problem, problem.horizon())
    project = len(problem.jobs) <= 1
    job_work, job_ops = arrays.job_work.copy(), arrays.job_ops.copy()
    mean_duration = float(arrays.task_min_dur.mean())
    est = arrays.release.copy()
    remaining = arrays.pred_count.copy()
    eligible = [t for t in range(n) if remaining[t] == 0]
    starts = np.zeros(n, np.int64)
    chosen_modes = np.zeros(n, np.int64)
    for _ in range(n):
        t = min(eligible, key=lambda u: (_priority(arrays, rule, u, int(est[u]), random_key, project, job_work,
                                                    job_ops, mean_duration), u))
        eligible.remove(t)
        best = None
        for k, (d, res, dem) in enumerate(modes[t]):
            s = profile.earliest_fit(int(est[t]), d, res, dem)
            if best is None or s + d < best[0] + best[1]:
                best = (s, d, k)
        s, d, k = best
        profile.reserve(s, d, modes[t][k][1], modes[t][k][2])
        starts[t], chosen_modes[t] = s, k
        j = arrays.task_job[t]
        if j >= 0:
            job_work[j] -= arrays.task_min_dur[t]
            job_ops[j] -= 1
        for p in problem.successors[t]:
            est[p.after] = max(est[p.after], s + d + p.lag)
            remaining[p.after] -= 1
            if remaining[p.after] == 0:
                eligible.append(p.after)
    return starts, chosen_modes


def parallel_sgs(problem: Problem, arrays: RuleArrays, rule: int, random_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(problem.tasks)
    modes = _mode_arrays(problem)
    profile = ResourceProfile(problem, problem.horizon())
    project = len(problem.jobs) <= 1
    job_work, job_ops = arrays.job_work.copy(), arrays.job_ops.copy()
    mean_duration = float(arrays.task_min_dur.mean())
    est = arrays.release.copy()
    remaining = arrays.pred_count.copy()
    pending = {t for t in range(n) if remaining[t] == 0}
    starts = np.zeros(n, np.int64)
    chosen_modes = np.zeros(n, np.int64)
    events = {0} | {int(r) for r in arrays.release}
    for res in problem.resources:
        events |= {b for _, b in res.unavailable}
    done = 0
    now = 0
    while done < n:
        candidates = sorted((t for t in pending if est[t] <= now),
                            key=lambda u: (_priority(arrays, rule, u, now, random_key, project, job_work, job_ops,
                                                     mean_duration), u))
        for t in candidates:
            fitting = [(d, k) for k, (d, res, dem) in enumerate(modes[t])
                       if profile.first_violation(now, d, res, dem) < 0]
            if not fitting:
                continue
            d, k = min(fitting)
            profile.reserve(now, d, modes[t][k][1], modes[t][k][2])
            starts[t], chosen_modes[t] = now, k
            pending.discard(t)
            done += 1
            events.add(now + d)
            j = arrays.task_job[t]
            if j >= 0:
                job_work[j] -= arrays.task_min_dur[t]
                job_ops[j] -= 1
            for p in problem.successors[t]:
                est[p.after] = max(est[p.after], now + d + p.lag)
                events.add(int(est[p.after]))
                remaining[p.after] -= 1
                if remaining[p.after] == 0:
                    pending.add(p.after)
        if any(est[t] <= now for t in pending if remaining[t] == 0) and done < n:
            # zero-duration successors became ready at this same instant: decide again now
            if any(modes[t][0][0] == 0 and est[t] <= now for t in pending):
                continue
        later = [e for e in events if e > now]
        if not later:
            later = [now + 1]
        now = min(later)
    return starts, chosen_modes
