"""The interrupting swap-allowed blocking job shop (ISBJSSP) as a dispatching process.

Blocking: a job that finishes an operation stays on its machine, holding it, until the machine of
its next operation takes it (there are no buffers). Swaps: when blocked jobs wait for each
other's machines in a cycle, they all move at the same instant. Interruptions: each machine
shuts down at random (a shutdown starts in any time unit with probability `rate`, lasts a
uniform whole number of units in [low, high]); while it is down the operation on it pauses and
resumes where it stopped, and no job can enter it, though a blocked job may still leave it.
These are the semantics of schedlab's blocking precedences (a task holds its machine until its
successor starts; a swap is two such hand-overs at one instant), so without interruptions a
finished episode is a schedule the validator checks.

A decision is made whenever a machine is free and up and more than one job wants it: an action
is the job that enters (the lowest-numbered such machine is decided first). Jobs waiting to enter
their first machine and blocked jobs compete alike; a single candidate enters without a decision.
The cost is the clock, so dense rewards add up to minus the makespan.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.model import Problem
from schedlab.learn.jobshop import IllegalActionError, JobShopArrays, RandomJobShops
from schedlab.problems.shop import chain_routes

BLOCKING_FEATURES = (
    "exists", "finished", "legal", "duration", "work", "ops", "blocked", "waited", "frees_demand",
    "after_free", "machines_down", "progress", "duration_rank",
)
N_BLOCKING_FEATURES = len(BLOCKING_FEATURES)
WAITING, PROCESSING, BLOCKED, FINISHED = 0, 1, 2, 3


@dataclass(frozen=True)
class Interruptions:
    rate: float = 0.0  # probability per machine and time unit that an up machine shuts down
    low: int = 5  # shortest shutdown (time units)
    high: int = 50  # longest shutdown


def blocking_arrays(problem: Problem) -> JobShopArrays:
    """A job shop whose every link is blocking (or none is: the same shop run with blocking) as arrays."""
    routes = chain_routes(problem)
    if routes is None or any(len(op) != 1 for route in routes for op in route):
        raise UnsupportedProblemError(f"{problem.name}: the blocking dispatcher takes job shops (chains of operations "
                                      "with one machine each)")
    if problem.has_no_wait or problem.setups or problem.has_unavailability or any(j.release for j in problem.jobs):
        raise UnsupportedProblemError(f"{problem.name}: the blocking dispatcher takes no setups, no-wait links, "
                                      "release dates or downtime")
    return JobShopArrays.from_routes(problem, routes)


class BlockingDispatch:
    """One ISBJSSP episode; `step(job)` puts `job` on the machine being decided, then runs to the next decision."""

    def __init__(self, arrays: JobShopArrays, interruptions: Interruptions = Interruptions(),
                 rng: np.random.Generator | None = None, max_jobs: int | None = None) -> None:
        self.a, self.interruptions = arrays, interruptions
        self.rng = rng or np.random.default_rng(0)
        self.max_jobs = arrays.width(max_jobs)
        n, m = arrays.n_jobs, arrays.n_machines
        self.scale, self.total_ops = arrays.time_scale, int(arrays.length.sum())
        self.now = 0
        self.op = np.full(n, -1, np.int64)  # the operation a job is on (processing or blocked after it)
        self.stage = np.where(arrays.length > 0, WAITING, FINISHED)
        self.remaining = np.zeros(n, np.int64)
        self.since = np.zeros(n, np.int64)  # when a job started waiting to move
        self.work = np.array([arrays.duration[j, :arrays.length[j]].sum() for j in range(n)], np.int64)
        self.holder = np.full(m, -1, np.int64)
        self.down_until = np.zeros(m, np.int64)
        self.next_shutdown = np.array([self._draw_shutdown(0) for _ in range(m)], dtype=float)
        self.start = np.full(int(arrays.task.max()) + 1 if arrays.task.size else 0, -1, np.int64)
        self.started_ops = 0
        self.swaps = 0
        self.shutdowns = 0
        self.makespan = 0
        self.m_star = -1
        self.legal = np.zeros(self.max_jobs, bool)
        self._settle()

    # -- the shop's mechanics ---------------------------------------------------------------
    def _draw_shutdown(self, after: int) -> float:
        rate = self.interruptions.rate
        return after + float(self.rng.geometric(rate)) if rate > 0 else math.inf

    def target(self, job: int) -> int:
        """The machine `job` wants next (-1 if it wants none: processing, finished, or blocked after its last op)."""
        stage = self.stage[job]
        if stage == WAITING:
            return int(self.a.machine[job, 0])
        if stage == BLOCKED and self.op[job] + 1 < self.a.length[job]:
            return int(self.a.machine[job, self.op[job] + 1])
        return -1

    def _up(self, machine: int) -> bool:
        return self.down_until[machine] <= self.now

    def _move(self, job: int, machine: int) -> None:
        if self.stage[job] == BLOCKED:
            self.holder[self.a.machine[job, self.op[job]]] = -1
        self._enter(job, machine)

    def _enter(self, job: int, machine: int) -> None:
        """`job` starts its next operation on `machine` now (whatever it held is already released)."""
        self.op[job] = 0 if self.stage[job] == WAITING else self.op[job] + 1
        o = self.op[job]
        self.holder[machine] = job
        self.stage[job] = PROCESSING
        self.remaining[job] = self.a.duration[job, o]
        self.start[self.a.task[job, o]] = self.now
        self.started_ops += 1

    def _swap_cycles(self) -> bool:
        """Move every cycle of blocked jobs waiting for each other's (up) machines at once."""
        nxt = {}
        for job in np.flatnonzero(self.stage == BLOCKED):
            t = self.target(int(job))
            if t >= 0 and self._up(t) and self.holder[t] >= 0 and self.stage[self.holder[t]] == BLOCKED:
                nxt[int(job)] = int(self.holder[t])
        moved, state = False, {}
        for first in nxt:
            path, job = [], first
            while job in nxt and job not in state:
                state[job] = first
                path.append(job)
                job = nxt[job]
            if job in path:  # a cycle closed in this walk
                cycle = path[path.index(job):]
                targets = [self.target(j) for j in cycle]
                for j in cycle:  # every hand-over happens at one instant
                    self.holder[self.a.machine[j, self.op[j]]] = -1
                for j, t in zip(cycle, targets, strict=True):
                    self._enter(j, t)
                self.swaps += 1
                moved = True
        return moved

    def targets(self) -> np.ndarray:
        """`target(j)` for every job at once."""
        a, n = self.a, self.a.n_jobs
        nxt = np.where(self.stage == WAITING, 0, self.op + 1)
        wants = (self.stage == WAITING) | ((self.stage == BLOCKED) & (nxt < a.length))
        return np.where(wants, a.machine[np.arange(n), np.minimum(nxt, a.task.shape[1] - 1)], -1)

    def _settle(self) -> None:
        """Run forced moves, swaps and time until a decision with two or more candidates, or the end."""
        while True:
            if self._swap_cycles():
                continue
            decided = False
            targets = self.targets()  # once per pass: a move below ends the pass
            for machine in range(self.a.n_machines):
                if self.holder[machine] >= 0 or not self._up(machine):
                    continue
                candidates = np.flatnonzero(targets == machine)
                if len(candidates) == 1:
                    self._move(int(candidates[0]), machine)
                    decided = True
                    break
                if len(candidates) > 1:
                    self.m_star = machine
                    self.legal = np.zeros(self.max_jobs, bool)
                    self.legal[candidates] = True
                    return
            if decided:
                continue
            if (self.stage == FINISHED).all():
                self.legal = np.zeros(self.max_jobs, bool)
                self.m_star = -1
                return
            self._advance()

    def _advance(self) -> None:
        """Jump the clock to the next completion, machine return or shutdown, and apply it."""
        events = [self.next_shutdown.min()]
        for machine in range(self.a.n_machines):
            if not self._up(machine):
                events.append(self.down_until[machine])
            job = self.holder[machine]
            if job >= 0 and self.stage[job] == PROCESSING and self._up(machine):
                events.append(self.now + self.remaining[job])
        later = min(events)
        if not math.isfinite(later):
            raise RuntimeError("the blocking shop stalled: no event is pending")  # cannot happen with swaps allowed
        later = int(later)
        for machine in range(self.a.n_machines):
            job = self.holder[machine]
            if job >= 0 and self.stage[job] == PROCESSING and self._up(machine):
                self.remaining[job] -= later - self.now
        self.now = later
        for machine in np.flatnonzero(self.next_shutdown <= self.now):
            duration = int(self.rng.integers(self.interruptions.low, self.interruptions.high + 1))
            self.down_until[machine] = self.now + duration
            self.next_shutdown[machine] = self._draw_shutdown(self.now + duration)
            self.shutdowns += 1
        for job in np.flatnonzero((self.stage == PROCESSING) & (self.remaining <= 0)):
            o = self.op[job]
            self.work[job] -= self.a.duration[job, o]
            self.since[job] = self.now
            if o + 1 == self.a.length[job]:
                self.stage[job] = FINISHED
                self.holder[self.a.machine[job, o]] = -1
                self.makespan = self.now
            else:
                self.stage[job] = BLOCKED

    # -- the decision process ---------------------------------------------------------------
    @property
    def done(self) -> bool:
        return bool((self.stage == FINISHED).all())

    @property
    def cost(self) -> int:
        return self.now

    def step(self, job: int) -> int:
        """Put `job` on the machine being decided; returns how far the clock moved before the next decision."""
        if not (0 <= job < self.max_jobs) or not self.legal[job]:
            raise IllegalActionError(f"job {job} does not want machine {self.m_star} now "
                                     f"(legal jobs: {np.flatnonzero(self.legal).tolist()})")
        before = self.now
        self._move(job, self.m_star)
        self._settle()
        return self.now - before

    def observation(self) -> np.ndarray:
        a, n, scale = self.a, self.a.n_jobs, self.scale
        obs = np.zeros((self.max_jobs, N_BLOCKING_FEATURES), np.float32)
        rows = obs[:n]
        rows[:, 0] = 1.0
        rows[:, 1] = self.stage == FINISHED
        rows[:, 2] = self.legal[:n]
        nxt = np.where(self.stage == WAITING, 0, self.op + 1)
        valid = nxt < a.length
        jobs = np.flatnonzero(valid & (self.stage != FINISHED))
        rows[jobs, 3] = a.duration[jobs, nxt[jobs]] / scale
        rows[:, 4] = self.work / (scale * max(1, a.n_machines))
        rows[:, 5] = (a.length - np.maximum(self.op + (self.stage != WAITING), 0)) / max(1, a.task.shape[1])
        blocked = self.stage == BLOCKED
        rows[:, 6] = blocked
        rows[:, 7] = np.where(blocked | (self.stage == WAITING), (self.now - self.since) / scale, 0.0)
        targets = self.targets()
        demand = np.bincount(targets[targets >= 0], minlength=a.n_machines)
        held = np.where(blocked, a.machine[np.arange(n), np.maximum(self.op, 0)], -1)
        rows[:, 8] = np.where(held >= 0, demand[np.maximum(held, 0)] / max(1, n), 0.0)
        after = nxt + 1
        has_after = after < a.length
        after_machine = a.machine[np.arange(n), np.minimum(after, a.task.shape[1] - 1)]
        rows[:, 9] = has_after & (self.holder[after_machine] < 0)
        rows[:, 10] = float(np.mean(self.down_until > self.now))
        rows[:, 11] = self.started_ops / max(1, self.total_ops)
        legal = self.legal[:n]
        mean_legal = rows[legal, 3].mean() if legal.any() else 1.0
        rows[:, 12] = rows[:, 3] / max(mean_legal, 1e-6)
        return obs


# -- priority dispatching rules (the paper's baselines) ------------------------------------
def _next_duration(state: BlockingDispatch, jobs: np.ndarray) -> np.ndarray:
    nxt = np.where(state.stage[jobs] == WAITING, 0, state.op[jobs] + 1)
    return state.a.duration[jobs, nxt]


BLOCKING_RULES: dict[str, Callable[[BlockingDispatch, np.ndarray], np.ndarray]] = {
    "spt": lambda s, j: _next_duration(s, j),
    "lpt": lambda s, j: -_next_duration(s, j),
    "mwkr": lambda s, j: -s.work[j],
    "lwkr": lambda s, j: s.work[j],
    "mor": lambda s, j: -(s.a.length[j] - np.maximum(s.op[j] + (s.stage[j] != WAITING), 0)),
    "lor": lambda s, j: s.a.length[j] - np.maximum(s.op[j] + (s.stage[j] != WAITING), 0),
    "fifo": lambda s, j: s.since[j] + 0.5 * (s.stage[j] == WAITING),  # longest waiting; blocked jobs first on ties
}


def rule_choice(state: BlockingDispatch, rule: str, rng: np.random.Generator | None = None) -> int:
    """The job a priority rule (or `random`) puts on the machine being decided; ties to the lowest job."""
    jobs = np.flatnonzero(state.legal)
    if rule == "random":
        return int(jobs[int((rng or np.random.default_rng(0)).integers(jobs.size))])
    return int(jobs[int(np.argmin(BLOCKING_RULES[rule](state, jobs)))])


def run_rule(arrays: JobShopArrays, rule: str, interruptions: Interruptions = Interruptions(), seed: int = 0
             ) -> BlockingDispatch:
    state = BlockingDispatch(arrays, interruptions, np.random.default_rng(seed))
    choice_rng = np.random.default_rng(seed + 1)
    while not state.done:
        state.step(rule_choice(state, rule, choice_rng))
    return state


TRAIN_RATES = (0.0, 0.001, 0.003, 0.01)
TRAIN_SIZES = ((10, 5), (10, 10), (15, 10), (15, 15), (20, 10))


def longest_waiting(rows: np.ndarray, legal: np.ndarray) -> int:
    """The FIFO rule read from the observation (the teacher for `schedlab train isbjssp --imitate N`): the legal job
    that has waited longest, a blocked one before a waiting one."""
    return int(np.argmax(np.where(legal, rows[:, 7] + 1e-6 * rows[:, 6], -np.inf)))


def blocking_env(reward: str = "dense", illegal: str = "refuse", sizes: tuple[tuple[int, int], ...] = TRAIN_SIZES,
                 rates: tuple[float, ...] = TRAIN_RATES, problem: Problem | None = None):
    """`schedlab/ISBJSSP-v0`: random Taillard-style shops run with blocking and swaps, the interruption rate drawn
    per episode from `rates` (or a fixed `problem`)."""
    from schedlab.learn.env import DecisionEnv

    source = None if problem is not None else RandomJobShops(tuple(sizes))
    fixed = blocking_arrays(problem) if problem is not None else None
    width = fixed.n_jobs if fixed is not None else source.max_jobs

    def make(rng: np.random.Generator) -> BlockingDispatch:
        arrays = fixed if fixed is not None else source.draw(rng)
        rate = float(rates[int(rng.integers(len(rates)))])
        return BlockingDispatch(arrays, Interruptions(rate), np.random.default_rng(int(rng.integers(2**31))), width)

    return DecisionEnv(make, width, reward, illegal, n_features=N_BLOCKING_FEATURES)
