"""The cluster simulator: a pool of executor cores, jobs arriving, one task per free core.

Mechanism only: at every free core the policy picks a runnable stage (all parent stages done,
tasks left to launch); the simulator launches that stage's next task, and checks the pick.
Runtime partitioning (an option, applied at job arrival) splits every task longer than
`partition_s` into equal pieces, so a non-preemptive task cannot hold a core for long.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from schedlab.cluster.model import SIZE_CLASSES, Job, Stage
from schedlab.cluster.policies import make
from schedlab.sim.engine import Simulator
from schedlab.sim.metrics import QuantileSketch, jain_fairness
from schedlab.sim.policy import IllegalDecisionError


class ClusterView:
    def __init__(self, sim: ClusterSim) -> None:
        self._sim = sim

    @property
    def now(self) -> float:
        return self._sim.sim.now

    @property
    def cores(self) -> int:
        return self._sim.cores

    def running_by_user(self) -> dict[str, int]:
        return dict(self._sim.running_by_user)

    def estimated_remaining(self, job: Job) -> float:
        done = sum(s.work for s in job.stages if s.done)
        return max(job.estimate * (1 - done / job.work) if job.work else 0.0, 0.0)

    def dominant_shares(self) -> dict[str, float]:
        s = self._sim
        return {u: max(s.running_by_user[u] / s.cores, s.memory_by_user[u] / s.memory) for u in s.running_by_user}


class ClusterSim:
    def __init__(
        self,
        cores: int,
        policy,
        partition_s: float | None = None,
        memory: float | None = None,
        memory_per_task: dict[str, float] | None = None,
        move_delay_s: float = 0.0,
        record: bool = False,
    ) -> None:
        self.sim = Simulator()
        self.cores = cores
        self.free = cores
        self.idle_cores = list(range(cores - 1, -1, -1))
        self.core_last_job = [-1] * cores
        self.move_delay_s = move_delay_s
        self.record = record
        self.spans: list[tuple[int, int, str, float, float]] = []  # (core, job, user, start, end) when recording
        self.moves = 0
        self.share_dev_sum = 0.0
        self.share_dev_n = 0
        self.policy = policy
        self.partition_s = partition_s
        self.memory = memory or float(2 * cores)  # memory units; a light task holds 1
        self.memory_per_task = memory_per_task or {}
        self.memory_by_user: dict[str, float] = defaultdict(float)
        self.running_by_user: dict[str, int] = defaultdict(int)
        self.runnable: list[Stage] = []
        self.view = ClusterView(self)
        self.jobs: list[Job] = []
        self.busy_core_time = 0.0

    def _partition(self, job: Job) -> None:
        if not self.partition_s:
            return
        for st in job.stages:
            pieces = []
            for d in st.durations:
                k = max(1, math.ceil(d / self.partition_s))
                pieces += [d / k] * k
            st.durations = pieces

    def arrive(self, job: Job) -> None:
        self._partition(job)
        self.jobs.append(job)
        self.policy.on_arrival(self.view, job)
        for st in job.stages:
            if not st.parents:
                self.runnable.append(st)
        self._fill()

    def _mem(self, job: Job) -> float:
        return self.memory_per_task.get(job.user, job.memory_per_task)

    def _memory_free(self) -> float:
        return self.memory - sum(self.memory_by_user.values())

    def _fill(self) -> None:
        while self.free > 0 and self.runnable:
            room = self._memory_free()
            fits = [s for s in self.runnable if self._mem(s.job) <= room + 1e-9]
            self._sample_shares()
            if not fits:
                return  # every runnable stage needs more memory than is free: wait for a task to end
            st = self.policy.select(self.view, fits)
            if st not in fits or st.pending <= 0:
                raise IllegalDecisionError(f"policy {self.policy.name} picked a stage that is not runnable")
            duration = st.durations[st.next_task]
            core = self._pick_core(st.job.id)
            if self.core_last_job[core] not in (-1, st.job.id):
                duration += self.move_delay_s  # the executor moves to another job (Decima's moving delay)
                self.moves += self.move_delay_s > 0
            self.core_last_job[core] = st.job.id
            if self.record:
                self.spans.append((core, st.job.id, st.job.user, self.sim.now, self.sim.now + duration))
            st.next_task += 1
            st.running += 1
            if st.pending == 0:
                self.runnable.remove(st)
            self.free -= 1
            user = st.job.user
            self.running_by_user[user] += 1
            self.memory_by_user[user] += self._mem(st.job)
            self.busy_core_time += duration
            self.sim.schedule(duration, self._task_done, (st, core))

    def _sample_shares(self) -> None:
        """Share deviation: how far each user with demand is from an equal share of the busy cores."""
        demand = {s.job.user for s in self.runnable} | {u for u, r in self.running_by_user.items() if r > 0}
        busy = self.cores - self.free
        if len(demand) < 2 or busy == 0:
            return
        fair = 1.0 / len(demand)
        dev = sum(abs(self.running_by_user.get(u, 0) / busy - fair) for u in demand) / len(demand)
        self.share_dev_sum += dev
        self.share_dev_n += 1

    def _pick_core(self, job_id: int) -> int:
        """An idle core that last ran this job if there is one (no move), else any idle core."""
        for i in range(len(self.idle_cores) - 1, -1, -1):
            if self.core_last_job[self.idle_cores[i]] == job_id:
                return self.idle_cores.pop(i)
        return self.idle_cores.pop()

    def _task_done(self, arg) -> None:
        st, core = arg
        self.idle_cores.append(core)
        self.free += 1
        st.running -= 1
        st.finished_tasks += 1
        job = st.job
        self.running_by_user[job.user] -= 1
        self.memory_by_user[job.user] -= self._mem(job)
        if st.finished_tasks == len(st.durations):
            st.done = True
            for child in job.stages:
                if (
                    not child.done
                    and child.next_task == 0
                    and child not in self.runnable
                    and all(job.stages[p].done for p in child.parents)
                ):
                    self.runnable.append(child)
            if all(s.done for s in job.stages):
                job.finish = self.sim.now
        self._fill()


def simulate_cluster(
    jobs: list[Job],
    policy: str | object = "fifo",
    cores: int = 64,
    partition_s: float | None = None,
    move_delay_s: float = 0.0,
    memory_per_task: dict[str, float] | None = None,
    sim: ClusterSim | None = None,
) -> dict:
    """Run the jobs to completion; response time by size class and by user, slowdown, fairness, utilization.

    Pass `sim` (a ClusterSim built with record=True) to keep the executor timeline for a Gantt chart.
    """
    pol = make(policy) if isinstance(policy, str) else policy
    if sim is None:
        sim = ClusterSim(cores, pol, partition_s, memory_per_task=memory_per_task, move_delay_s=move_delay_s)
    for job in sorted(jobs, key=lambda j: (j.arrival, j.id)):
        sim.sim.schedule_at(job.arrival, sim.arrive, job)
    sim.sim.run()
    out: dict = {"policy": pol.name, "jobs": len(jobs), "cores": sim.cores, "partition_s": sim.partition_s}
    unfinished = [j for j in jobs if math.isnan(j.finish)]
    if unfinished:
        raise AssertionError(f"{len(unfinished)} jobs never finished")
    resp = {name: QuantileSketch() for name, _, _ in SIZE_CLASSES}
    overall = QuantileSketch()
    per_user = defaultdict(list)
    slowdowns = []
    for j in jobs:
        r = j.finish - j.arrival
        overall.add(r)
        resp[j.size_class()].add(r)
        ideal = max(max(max(s.durations) for s in j.stages), j.work / cores)
        slowdowns.append(r / ideal)
        per_user[j.user].append(r / ideal)
    out["response_time.mean"] = overall.mean
    out["response_time.p95"] = overall.quantile(0.95)
    for name, sk in resp.items():
        out[f"response_time.{name}.mean"] = sk.mean
        out[f"response_time.{name}.p95"] = sk.quantile(0.95)
        out[f"jobs.{name}"] = int(sk.count)
    out["slowdown.mean"] = float(np.mean(slowdowns))
    user_slowdown = {u: float(np.mean(v)) for u, v in sorted(per_user.items())}
    out["slowdown_by_user"] = user_slowdown
    out["fairness_jain_user_slowdown"] = jain_fairness([1.0 / v for v in user_slowdown.values()])
    span = max(j.finish for j in jobs) - min(j.arrival for j in jobs)
    out["utilization"] = sim.busy_core_time / (cores * span) if span > 0 else math.nan
    out["executor_moves"] = sim.moves
    out["share_deviation"] = sim.share_dev_sum / sim.share_dev_n if sim.share_dev_n else 0.0
    by_user = defaultdict(list)
    for j in jobs:
        by_user[j.user].append(j.finish - j.arrival)
    out["response_time_by_user"] = {
        u: {"mean": float(np.mean(v)), "p95": float(np.quantile(v, 0.95))} for u, v in sorted(by_user.items())
    }
    by_kind = defaultdict(list)  # users named heavy0, heavy1, light0, ...: their kind is the name without digits
    for u, v in by_user.items():
        by_kind[u.rstrip("0123456789")].extend(v)
    for kind, v in sorted(by_kind.items()):
        out[f"response_time.{kind}_users.mean"] = float(np.mean(v))
    return out
