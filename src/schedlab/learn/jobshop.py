"""Job-shop dispatching as a decision process: Giffler-Thompson, one decision per operation.

The mechanics are those of ``rules:<name>`` (``solvers/rules/kernels.giffler_thompson``): the
schedulable operation with the earliest completion fixes a machine m* and a time c*; the
conflict set is every schedulable operation on m* that could start before c*; a decision picks
one of them and it starts as early as its job and machine allow.  Here the decision is made by
the caller (a learned policy, or a rule in the tests), which makes the learned dispatcher and
the classic rules the same schedule-generation scheme, so their comparison is about the choice
alone.  An action is a job index; the legal ones are the jobs whose next operation is in the
conflict set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.model import Problem
from schedlab.problems.generators import random_job_shop
from schedlab.problems.shop import shop_routes
from schedlab.solvers.search.jssp_justify import double_justify


@njit(cache=True)
def _left_justify(order, tasks, jobs, machines, durations, n_jobs, n_machines, justified):
    """`JobShopArrays.left_justified`'s loop, compiled: it runs on every mirrored schedule a learned solver keeps,
    and in Python it cost about as much as a lite greedy episode on 100x20 (2 ms)."""
    job_end = np.zeros(n_jobs, np.int64)
    machine_end = np.zeros(n_machines, np.int64)
    for k in order:
        start = max(job_end[jobs[k]], machine_end[machines[k]])
        justified[tasks[k]] = start
        job_end[jobs[k]] = start + durations[k]
        machine_end[machines[k]] = start + durations[k]
    return justified


NO_CUTOFF = 1 << 62  # "no best makespan yet": a dispatching episode never stops early for it


FEATURES = (
    "exists", "done", "legal", "duration", "start", "work", "ops", "job_ready", "machine_free",
    "machine_load", "progress", "work_rank", "duration_rank",
)
N_FEATURES = len(FEATURES)
# Optional route lookahead, appended so that a scorer trained on the first N_FEATURES reads a prefix: the
# operation after the next one (its duration, its machine's free time and remaining load) and how far the
# next operation's end lies past c*, the conflict set's earliest completion.
LOOKAHEAD_FEATURES = ("next2_duration", "next2_machine_free", "next2_machine_load", "end_past_c_star")
N_LOOKAHEAD = N_FEATURES + len(LOOKAHEAD_FEATURES)


class IllegalActionError(ValueError):
    """An action outside the conflict set (the simulator refuses it as it would a bad rule)."""


@dataclass(frozen=True)
class JobShopArrays:
    """A plain job shop as arrays: task id, machine and duration per (job, position)."""

    name: str
    task: np.ndarray  # (jobs, machines-per-job) task ids, -1 past a job's last operation
    machine: np.ndarray
    duration: np.ndarray
    length: np.ndarray  # operations per job

    @classmethod
    def from_problem(cls, problem: Problem) -> JobShopArrays:
        routes = shop_routes(problem)
        if routes is None or any(len(op) != 1 for route in routes for op in route):
            raise UnsupportedProblemError(f"{problem.name}: the job-shop dispatcher takes plain job shops "
                                          "(chains of operations with one machine each, no setups/blocking)")
        if problem.has_unavailability or any(job.release for job in problem.jobs) or problem.objective.terms() != {
                "makespan": 1}:
            raise UnsupportedProblemError(f"{problem.name}: the job-shop dispatcher minimises makespan without "
                                          "release dates or downtime")
        return cls.from_routes(problem, routes)

    @classmethod
    def from_routes(cls, problem: Problem, routes: list) -> JobShopArrays:
        """The arrays of `problem`'s single-machine routes (checked by the caller)."""
        width = max(len(r) for r in routes)
        shape = (len(routes), width)
        task, machine, duration = np.full(shape, -1, np.int64), np.zeros(shape, np.int64), np.zeros(shape, np.int64)
        for j, (job, route) in enumerate(zip(problem.jobs, routes, strict=True)):
            for o, ((m, d), t) in enumerate(zip((op[0] for op in route), job.tasks, strict=True)):
                task[j, o], machine[j, o], duration[j, o] = t, m, d
        return cls(problem.name, task, machine, duration, np.array([len(r) for r in routes], np.int64))

    def reversed(self) -> JobShopArrays:
        """The time-reversed shop: every route read backwards, task ids kept. A schedule of it mirrored in
        time (`mirrored_starts`) is a schedule of this shop with the same makespan, so a dispatching policy
        gets a second, differently shaped instance of the same problem to decode."""
        task, machine, duration = self.task.copy(), self.machine.copy(), self.duration.copy()
        for j, length in enumerate(self.length):
            task[j, :length] = self.task[j, :length][::-1]
            machine[j, :length] = self.machine[j, :length][::-1]
            duration[j, :length] = self.duration[j, :length][::-1]
        return JobShopArrays(self.name, task, machine, duration, self.length.copy())

    def mirrored_starts(self, reversed_starts: np.ndarray, makespan: int) -> np.ndarray:
        """Start per task id of the mirror image of a schedule of `self.reversed()` with this makespan."""
        mask = self.task >= 0
        starts = np.full(int(self.task.max()) + 1, -1, np.int64)
        starts[self.task[mask]] = makespan - reversed_starts[self.task[mask]] - self.duration[mask]
        return starts

    def left_justified(self, starts: np.ndarray) -> np.ndarray:
        """A feasible schedule (start per task id) with every operation moved as early as its job and machine
        predecessors allow, machine orders kept: the makespan can only fall (a mirrored schedule is
        right-justified; a Giffler-Thompson one comes back unchanged)."""
        mask = self.task >= 0
        tasks, machines, durations, jobs = self.task[mask], self.machine[mask], self.duration[mask], np.nonzero(mask)[0]
        order = np.argsort(starts[tasks], kind="stable")  # by start, ties in route order: predecessors first
        return _left_justify(order, tasks, jobs, machines, durations, self.n_jobs, self.n_machines,
                             np.full_like(starts, -1))

    def double_justified(self, starts: np.ndarray) -> tuple[int, np.ndarray]:
        """A feasible schedule (start per task id) double-justified with gap insertion (`jssp_justify`): machine
        orders may change and the makespan can only fall; (makespan, start per task id) of the result."""
        mask = self.task >= 0
        by_position = np.zeros_like(self.task)
        by_position[mask] = starts[self.task[mask]]
        span, justified = double_justify(self.machine, self.duration, self.length, by_position)
        out = np.full_like(starts, -1)
        out[self.task[mask]] = justified[mask]
        return int(span), out

    @property
    def n_jobs(self) -> int:
        return self.task.shape[0]

    @property
    def n_machines(self) -> int:
        return int(self.machine.max()) + 1 if self.machine.size else 0

    @property
    def time_scale(self) -> float:
        """The longest operation: the unit of every time feature and reward (one policy for every size)."""
        return float(max(1, self.duration.max()))

    def width(self, max_jobs: int | None) -> int:
        """Rows of an observation: `max_jobs` (padding) or the job count; a shop with more jobs is refused."""
        width = max_jobs or self.n_jobs
        if self.n_jobs > width:
            raise ValueError(f"{self.name} has {self.n_jobs} jobs, more than this environment's {width}")
        return width


class JobShopDispatch:
    """The Giffler-Thompson state of one instance; `step(job)` schedules that job's next operation.

    `observation()` has one row of `N_FEATURES` per job (padded to `max_jobs` with rows of
    zeros), scaled so that one policy applies to every size: times in units of the longest
    operation, relative to the current decision time; with `lookahead`, `N_LOOKAHEAD` (the
    `LOOKAHEAD_FEATURES` appended).
    """

    def __init__(self, arrays: JobShopArrays, max_jobs: int | None = None, lookahead: bool = False) -> None:
        self.a = arrays
        self.n_features = N_LOOKAHEAD if lookahead else N_FEATURES
        self.max_jobs = arrays.width(max_jobs)
        n, m = arrays.n_jobs, arrays.n_machines
        self.scale, self.total_ops = arrays.time_scale, int(arrays.length.sum())
        self.position = np.zeros(n, np.int64)
        self.job_ready = np.zeros(n, np.int64)
        self.machine_free = np.zeros(m, np.int64)
        self.work = np.array([arrays.duration[j, :arrays.length[j]].sum() for j in range(n)], np.int64)
        self.machine_load = np.bincount(arrays.machine[arrays.task >= 0], arrays.duration[arrays.task >= 0], m)
        self.start = np.full(int(arrays.task.max()) + 1, -1, np.int64)
        # The ready list in the rule kernel's order (swap-remove, append), so that m* is chosen as it chooses it.
        self.ready = [j for j in range(n) if arrays.length[j] > 0]
        self.scheduled = 0
        self.makespan = 0
        self.bound = self._lower_bound()
        self._conflict()

    def _lower_bound(self) -> int:
        return int(max((self.job_ready + self.work).max(initial=0), (self.machine_free + self.machine_load).max(initial=0)))

    def _conflict(self) -> None:
        self.legal = np.zeros(self.max_jobs, bool)
        if not self.ready:
            return
        jobs = np.array(self.ready, np.int64)
        pos = self.position[jobs]
        machine, duration = self.a.machine[jobs, pos], self.a.duration[jobs, pos]
        start = np.maximum(self.job_ready[jobs], self.machine_free[machine])
        end = start + duration
        first = int(np.argmin(end))  # the first job in ready order with the earliest completion fixes m*
        self.c_star, self.m_star = int(end[first]), int(machine[first])
        self.legal[jobs[(machine == self.m_star) & ((start < self.c_star) | (end == self.c_star))]] = True

    @property
    def done(self) -> bool:
        return not self.ready

    @property
    def cost(self) -> int:
        return self.makespan

    def step(self, job: int) -> int:
        """Schedule `job`'s next operation; returns how much the makespan lower bound grew."""
        if not (0 <= job < self.max_jobs) or not self.legal[job]:
            legal = np.flatnonzero(self.legal).tolist()
            raise IllegalActionError(f"job {job} is not in the conflict set on machine {self.m_star} "
                                     f"(legal jobs: {legal})")
        o = self.position[job]
        m, d = int(self.a.machine[job, o]), int(self.a.duration[job, o])
        s = max(int(self.job_ready[job]), int(self.machine_free[m]))
        self.start[self.a.task[job, o]] = s
        end = s + d
        self.job_ready[job] = end
        self.machine_free[m] = max(int(self.machine_free[m]), end)
        self.work[job] -= d
        self.machine_load[m] -= d
        self.position[job] += 1
        self.scheduled += 1
        self.makespan = max(self.makespan, end)
        i = self.ready.index(job)  # swap-remove, then the successor joins at the end, as in the kernel
        self.ready[i] = self.ready[-1]
        self.ready.pop()
        if self.position[job] < self.a.length[job]:
            self.ready.append(job)
        before, self.bound = self.bound, self._lower_bound()
        self._conflict()
        return self.bound - before

    def observation(self) -> np.ndarray:
        a, n = self.a, self.a.n_jobs
        obs = np.zeros((self.max_jobs, self.n_features), np.float32)
        rows = obs[:n]
        rows[:, 0] = 1.0
        active = self.position < a.length
        rows[:, 1] = ~active
        rows[:, 2] = self.legal[:n]
        if not active.any():
            return obs
        jobs = np.flatnonzero(active)
        pos = self.position[jobs]
        machine, duration = a.machine[jobs, pos], a.duration[jobs, pos]
        start = np.maximum(self.job_ready[jobs], self.machine_free[machine])
        now = float(start.min())
        scale = self.scale
        rows[jobs, 3] = duration / scale
        rows[jobs, 4] = (start - now) / scale
        rows[jobs, 5] = self.work[jobs] / (scale * a.n_machines)
        rows[jobs, 6] = (a.length[jobs] - pos) / max(1, a.task.shape[1])
        rows[jobs, 7] = (self.job_ready[jobs] - now) / scale
        rows[jobs, 8] = (self.machine_free[machine] - now) / scale
        rows[jobs, 9] = self.machine_load[machine] / (scale * n)
        rows[:, 10] = self.scheduled / self.total_ops
        rows[jobs, 11] = self.work[jobs] / max(1, self.work[jobs].max())
        legal = self.legal[jobs]
        mean_legal = duration[legal].mean() if legal.any() else 1.0
        rows[jobs, 12] = duration / max(1.0, mean_legal)
        if self.n_features > N_FEATURES:
            after = pos + 1 < a.length[jobs]
            ahead, next_pos = jobs[after], pos[after] + 1
            next_machine = a.machine[ahead, next_pos]
            rows[ahead, 13] = a.duration[ahead, next_pos] / scale
            rows[ahead, 14] = (self.machine_free[next_machine] - now) / scale
            rows[ahead, 15] = self.machine_load[next_machine] / (scale * n)
            rows[jobs, 16] = (start + duration - self.c_star) / scale
        return obs


@dataclass(frozen=True)
class RandomJobShops:
    """Taillard-style random instances (durations uniform in 1..99), sizes drawn from `sizes`."""

    sizes: tuple[tuple[int, int], ...] = ((10, 10), (15, 15))

    @property
    def max_jobs(self) -> int:
        return max(n for n, _ in self.sizes)

    def draw(self, rng: np.random.Generator) -> JobShopArrays:
        n, m = self.sizes[int(rng.integers(len(self.sizes)))]
        return JobShopArrays.from_problem(random_job_shop(n, m, seed=int(rng.integers(2**31))))
