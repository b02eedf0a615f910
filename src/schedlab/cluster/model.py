"""Jobs, stages and the multi-user workload generator."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SIZE_CLASSES = (("small", 0.0, 200.0), ("medium", 200.0, 2000.0), ("large", 2000.0, math.inf))  # core-seconds


@dataclass(eq=False)
class Stage:
    id: int
    job: Job
    durations: list[float]  # task durations (seconds on one core)
    parents: list[int] = field(default_factory=list)  # stage indices within the job
    next_task: int = 0
    running: int = 0
    finished_tasks: int = 0
    done: bool = False

    @property
    def pending(self) -> int:
        return len(self.durations) - self.next_task

    @property
    def work(self) -> float:
        return float(sum(self.durations))


@dataclass(eq=False)
class Job:
    id: int
    user: str
    arrival: float
    stages: list[Stage] = field(default_factory=list)
    estimate: float = math.nan  # estimated core-seconds (what policies may use)
    memory_per_task: float = 1.0  # memory units each running task holds
    finish: float = math.nan
    virtual_deadline: float = math.nan

    @property
    def work(self) -> float:
        return sum(s.work for s in self.stages)

    @property
    def running(self) -> int:
        return sum(s.running for s in self.stages)

    def size_class(self) -> str:
        w = self.work
        return next(name for name, lo, hi in SIZE_CLASSES if lo <= w < hi)


def _make_job(rng, jid, user, t, n_stages, tasks, mean_task, skew) -> Job:
    job = Job(jid, user, t)
    for k in range(n_stages):
        n = max(1, int(tasks))
        durs = (rng.lognormal(0.0, skew, size=n) * mean_task / math.exp(skew**2 / 2)).tolist()
        # a stage depends on the previous one, or (40%) on the one before it, making parallel branches
        parents = [] if k == 0 else ([k - 2] if k >= 2 and rng.random() < 0.4 else [k - 1])
        job.stages.append(Stage(k, job, durs, parents))
    if n_stages >= 3:  # the last stage joins every branch that nothing else waits for
        last = job.stages[-1]
        waited = {p for st in job.stages for p in st.parents}
        last.parents = sorted({*last.parents, *(k for k in range(n_stages - 1) if k not in waited)})
    return job


def multi_user_workload(
    n_jobs: int = 600,
    heavy_users: int = 2,
    light_users: int = 6,
    load: float = 0.8,
    cores: int = 64,
    skew: float = 1.0,
    burst_cv: float = 1.0,
    estimate_noise: float = 0.0,
    seed: int = 0,
    size_mix: str = "two-class",
    heavy_memory: float = 1.0,
) -> list[Job]:
    """Jobs from heavy and light users.

    `size_mix="two-class"`: heavy users submit large multi-stage jobs (about 30% of the jobs, ~90% of
    the work), light users small ones. `size_mix="google"`: a Google-cluster-like heavy tail, most
    jobs one small stage and a few with Pareto(1.2)-distributed task counts (up to 500 tasks),
    submitted mostly by the heavy users. Arrivals are Poisson (Gamma when `burst_cv` > 1) at the
    rate that makes offered load `load` x `cores`; task durations log-normal with sigma `skew`;
    each job's runtime estimate is its true work times a log-normal factor (sigma
    `estimate_noise`); heavy users' tasks hold `heavy_memory` memory units each (light: 1).
    `size_mix="power"`: the UWFQ paper's micro-benchmark shape (see `power_users_workload`; `n_jobs`,
    `load` and `burst_cv` do not apply).
    """
    if size_mix == "power":
        return power_users_workload(heavy_users, light_users, cores, skew, estimate_noise, seed, heavy_memory)
    if size_mix not in ("two-class", "google"):
        raise ValueError(f"size_mix must be 'two-class', 'google' or 'power', got {size_mix!r}")
    rng = np.random.default_rng(seed)
    users = [f"heavy{i}" for i in range(heavy_users)] + [f"light{i}" for i in range(light_users)]
    specs = []
    for _ in range(n_jobs):
        big = rng.random() < (0.3 if size_mix == "two-class" else 0.15)
        if big and heavy_users:
            user = users[int(rng.integers(heavy_users))]
        else:
            user = users[heavy_users + int(rng.integers(light_users))] if light_users else users[int(rng.integers(len(users)))]
        if size_mix == "two-class":
            spec = (
                (int(rng.integers(2, 4)), rng.integers(40, 200), rng.uniform(5, 20))
                if big
                else (int(rng.integers(1, 3)), rng.integers(2, 12), rng.uniform(1, 5))
            )
        else:
            spec = (
                (int(rng.integers(2, 5)), min(500, int(20 * (1 + rng.pareto(1.2)))), rng.uniform(5, 30))
                if big
                else (1, int(rng.integers(1, 6)), rng.uniform(1, 10))
            )
        specs.append((user, *spec))
    mean_work = float(np.mean([s[1] * s[2] * s[3] for s in specs]))
    rate = load * cores / mean_work
    shape = 1.0 / (burst_cv**2)
    gaps = rng.gamma(shape, 1.0 / (rate * shape), size=n_jobs)
    times = np.cumsum(gaps)
    jobs: list[Job] = []
    for jid, ((user, n_stages, tasks, mean_task), t) in enumerate(zip(specs, times, strict=True)):
        job = _make_job(rng, jid, user, float(t), n_stages, tasks, mean_task, skew)
        job.estimate = job.work * (float(rng.lognormal(0.0, estimate_noise)) if estimate_noise > 0 else 1.0)
        job.memory_per_task = heavy_memory if user.startswith("heavy") else 1.0
        jobs.append(job)
    return jobs


def power_users_workload(
    power_users: int = 2,
    small_users: int = 2,
    cores: int = 64,
    skew: float = 1.0,
    estimate_noise: float = 0.0,
    seed: int = 0,
    power_memory: float = 1.0,
    streams: int = 4,
    burst: int = 20,
    stream_gap_s: float = 30.0,
    small_jobs: int = 12,
    small_rate_per_min: float = 8.0,
) -> list[Job]:
    """The shape of the UWFQ paper's "2 power users, 2 small users" micro-benchmark: every job is the same
    single-stage job (half as many tasks as cores, mean task 1.4 s); a power user submits `streams`
    bursts of `burst` jobs at once, `stream_gap_s` apart; a small user submits `small_jobs` jobs as a
    Poisson stream of `small_rate_per_min` per minute. Users differ only in how much they submit at once,
    which is where per-job fairness (Spark FAIR without per-user pools) fails the small users.
    """
    rng = np.random.default_rng(seed)
    tasks, mean_task = max(1, cores // 2), 1.4
    arrivals: list[tuple[float, str]] = []
    for u in range(power_users):
        for k in range(streams):
            arrivals += [(k * stream_gap_s + 0.1 * u, f"heavy{u}")] * burst
    for u in range(small_users):
        gaps = rng.exponential(60.0 / small_rate_per_min, size=small_jobs)
        arrivals += [(0.2 + 0.1 * u + float(t), f"light{u}") for t in np.cumsum(gaps) - gaps[0]]
    arrivals.sort(key=lambda a: a[0])
    jobs = []
    for jid, (t, user) in enumerate(arrivals):
        job = _make_job(rng, jid, user, t, 1, tasks, mean_task, skew)
        job.estimate = job.work * (float(rng.lognormal(0.0, estimate_noise)) if estimate_noise > 0 else 1.0)
        job.memory_per_task = power_memory if user.startswith("heavy") else 1.0
        jobs.append(job)
    return jobs
