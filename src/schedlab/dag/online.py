"""Online DAG scheduling on a heterogeneous SoC (DS3 / DeepSoCS style), on the simulation core.

DAG jobs arrive over time; each task runs on one processing element (PE), whose execution time
is the job's cost-matrix entry times a log-normal noise factor drawn per task at arrival (the
policy only knows the expected cost). Each PE runs its queue one task at a time, highest priority first among tasks
whose inputs have arrived. Policies (mechanism apart from policy):

- `heft`: at arrival, the whole job is mapped by HEFT against the PEs' expected backlog; tasks
  are queued at their PE when ready, prioritised by upward rank;
- `etf`: when a task becomes ready, it goes to the PE where it is expected to finish earliest;
- `met`: to the PE with the minimum expected execution time;
- any `SoCPolicy` subclass with `priority(job, task)` and `place(view, job, task)`, and
  optionally `pick_next(view, pe, waiting)` to choose among a free PE's arrived tasks itself
  (the learned ordering with a greedy EFT mapping, DeepSoCS's split, is `learned-deepsocs`).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from heapq import heappush

import numpy as np

from schedlab.dag.generators import random_dag
from schedlab.dag.listsched import Timelines, upward_ranks
from schedlab.dag.model import DagProblem
from schedlab.sim.domain import Policy, policy_registry
from schedlab.sim.engine import Simulator
from schedlab.sim.metrics import QuantileSketch
from schedlab.sim.policy import IllegalDecisionError
from schedlab.sim.workload import poisson_arrivals


@dataclass(eq=False)
class Job:
    id: int
    arrival: float
    dag: DagProblem
    rank: list[float]
    mapping: list[int] = field(default_factory=list)
    finish: list[float] = field(default_factory=list)
    pe: list[int] = field(default_factory=list)
    remaining_preds: list[int] = field(default_factory=list)
    left: int = 0
    done: float = math.nan
    noise: np.ndarray | None = None  # each task's execution-time factor, drawn when the job arrives


class SoCView:
    """What a policy may read: expected free time of each PE and the expected costs."""

    def __init__(self, sim: SoCSimulator) -> None:
        self._sim = sim

    @property
    def now(self) -> float:
        return self._sim.sim.now

    @property
    def n_pes(self) -> int:
        return self._sim.n_pes

    def expected_free(self, pe: int) -> float:
        return self._sim.expected_free[pe]

    def data_ready(self, job: Job, task: int, pe: int) -> float:
        dag = job.dag
        return max((job.finish[u] + dag.comm(d, job.pe[u], pe) for u, d in dag.preds[task]), default=self.now)


class SoCPolicy(Policy):
    """Decides where each ready task runs and in which order a PE serves its queue."""

    def on_arrival(self, view: SoCView, job: Job) -> None:
        """Called once per arriving job (a policy may plan the whole job here); nothing by default."""

    def priority(self, job: Job, task: int):
        """Smaller runs first among the ready tasks queued at one PE."""
        raise NotImplementedError

    def place(self, view: SoCView, job: Job, task: int) -> int:
        """The PE a ready task goes to."""
        raise NotImplementedError

    def pick_next(self, view: SoCView, pe: int, waiting: list[tuple]) -> int:
        """Which of a free PE's arrived tasks it runs next: an index into `waiting`, whose entries are
        (priority, order, data_ready, job, task); by default the smallest priority (ties: queue order)."""
        return min(range(len(waiting)), key=lambda k: waiting[k][:2])


class HEFTAtArrival(SoCPolicy):
    name = "heft"
    description = "whole job mapped by HEFT at arrival against the PEs' expected backlog"

    def on_arrival(self, view: SoCView, job: Job) -> None:
        tl = Timelines(job.dag)
        for p in range(view.n_pes):
            busy = max(view.expected_free(p), view.now)
            if busy > view.now:  # the PE's expected backlog blocks it until `busy`
                tl.starts[p].append(view.now)
                tl.finishes[p].append(busy)
        order = sorted(range(job.dag.n_tasks), key=lambda i: (-job.rank[i], i))
        for t in order:
            tl_ready = [tl.ready_time(t, p) for p in range(view.n_pes)]
            best = None
            for p in range(view.n_pes):
                dur = tl.cost[t][p]
                if dur == math.inf:
                    continue
                s = tl.earliest_start(p, max(tl_ready[p], view.now), dur)
                if best is None or s + dur < best[2]:
                    best = (p, s, s + dur)
            tl.place(t, *best)
        job.mapping = list(tl.proc)

    def priority(self, job: Job, task: int) -> tuple[float, float]:
        return (job.arrival, -job.rank[task])  # older jobs first, then upward rank within a job

    def place(self, view: SoCView, job: Job, task: int) -> int:
        return job.mapping[task]


class EarliestFinish(SoCPolicy):
    name = "etf"
    description = "each ready task to the PE where it is expected to finish earliest"

    def priority(self, job: Job, task: int) -> float:
        return job.arrival  # oldest job first

    def place(self, view: SoCView, job: Job, task: int) -> int:
        best, best_f = -1, math.inf
        for p in range(view.n_pes):
            dur = job.dag.cost[task, p]
            if not np.isfinite(dur):
                continue
            f = max(view.data_ready(job, task, p), view.expected_free(p)) + dur
            if f < best_f:
                best, best_f = p, f
        return best


class MinExecutionTime(EarliestFinish):
    name = "met"
    description = "each ready task to the PE with its minimum expected execution time"

    def place(self, view: SoCView, job: Job, task: int) -> int:
        return int(np.argmin(job.dag.cost[task]))


POLICIES = policy_registry("SoC policy", (HEFTAtArrival, EarliestFinish, MinExecutionTime))


class SoCSimulator:
    def __init__(self, n_pes: int, policy, noise: float, seed: int, record: bool = False) -> None:
        self.sim = Simulator()
        self.n_pes = n_pes
        self.policy = policy
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.queues: list[list] = [[] for _ in range(n_pes)]
        self.busy = [False] * n_pes
        self.expected_free = [0.0] * n_pes
        self.busy_time = [0.0] * n_pes
        self.view = SoCView(self)
        self.latency = QuantileSketch()
        self.finished_jobs = 0
        self.arrived = 0
        self.counter = 0
        self.last_finish = 0.0
        self.record = record
        self.spans: list[tuple[int, int, int, float, float]] = []  # (pe, job, task, start, end)
        self.job_latencies: list[float] = []

    def arrive(self, job: Job) -> None:
        self.arrived += 1
        n = job.dag.n_tasks
        job.finish, job.pe = [math.nan] * n, [-1] * n
        job.remaining_preds = [len(job.dag.preds[t]) for t in range(n)]
        job.left = n
        # Drawn per task at arrival, in arrival order: every policy meets the same execution times (common random
        # numbers), however it orders the work.
        job.noise = self.rng.lognormal(0.0, self.noise, size=n) if self.noise > 0 else np.ones(n)
        self.policy.on_arrival(self.view, job)
        for t in range(n):
            if job.remaining_preds[t] == 0:
                self._dispatch(job, t)

    def _dispatch(self, job: Job, task: int) -> None:
        pe = self.policy.place(self.view, job, task)
        if not (0 <= pe < self.n_pes) or not np.isfinite(job.dag.cost[task, pe]):
            raise IllegalDecisionError(f"policy {self.policy.name} put job {job.id} task {task} on PE {pe}, where it cannot run")
        ready = self.view.data_ready(job, task, pe)
        self.expected_free[pe] = max(self.expected_free[pe], ready, self.sim.now) + float(job.dag.cost[task, pe])
        job.pe[task] = pe
        self.counter += 1
        heappush(self.queues[pe], (self.policy.priority(job, task), self.counter, ready, job, task))
        self._try_start(pe)

    def _try_start(self, pe: int) -> None:
        if self.busy[pe] or not self.queues[pe]:
            return
        now = self.sim.now
        queue = self.queues[pe]
        arrived = [e for e in queue if e[2] <= now + 1e-12]
        if not arrived:
            self.sim.schedule_at(min(e[2] for e in queue), self._wake, pe)
            return
        pick = self.policy.pick_next(self.view, pe, arrived) if len(arrived) > 1 else 0
        if not isinstance(pick, (int, np.integer)) or not 0 <= pick < len(arrived):
            raise IllegalDecisionError(f"policy {self.policy.name} picked {pick!r}; {len(arrived)} tasks wait at PE {pe}")
        entry = arrived[pick]
        queue.remove(entry)
        heapq.heapify(queue)
        _, _, _, job, task = entry
        duration = float(job.dag.cost[task, pe]) * float(job.noise[task])
        self.busy[pe] = True
        self.busy_time[pe] += duration
        if self.record:
            self.spans.append((pe, job.id, task, now, now + duration))
        self.sim.schedule(duration, self._finish, (pe, job, task))

    def _wake(self, pe: int) -> None:
        self._try_start(pe)

    def _finish(self, arg) -> None:
        pe, job, task = arg
        now = self.sim.now
        self.busy[pe] = False
        job.finish[task] = now
        job.left -= 1
        if job.left == 0:
            job.done = now
            self.finished_jobs += 1
            self.latency.add(now - job.arrival)
            self.job_latencies.append(now - job.arrival)
            self.last_finish = max(self.last_finish, now)
        for v, _ in job.dag.succs[task]:
            job.remaining_preds[v] -= 1
            if job.remaining_preds[v] == 0:
                self._dispatch(job, v)
        self._try_start(pe)


def default_soc(seed: int = 0, templates: int = 4) -> tuple[list[str], list[DagProblem]]:
    """An 8-PE SoC (2 big cores, 4 little cores, a GPU-like and a DSP-like accelerator) and job templates.

    Task kinds: control (CPU-friendly), parallel (GPU-friendly), signal (DSP-friendly). Cost =
    work / speed[PE type][kind]; the accelerators cannot run control tasks.
    """
    pes = ["big0", "big1", "little0", "little1", "little2", "little3", "gpu", "dsp"]
    speed = {"big": (1.0, 1.0, 1.0), "little": (0.45, 0.35, 0.35), "gpu": (math.nan, 4.0, 1.2), "dsp": (math.nan, 1.2, 3.5)}
    kinds_of = [pe.rstrip("0123456789") for pe in pes]
    rng = np.random.default_rng(seed)
    out = []
    for k in range(templates):
        base = random_dag(int(rng.integers(10, 25)), processors=1, ccr=0.3, seed=seed * 100 + k)
        work = base.cost[:, 0]
        kinds = rng.integers(0, 3, size=base.n_tasks)
        kinds[0] = 0
        cost = np.empty((base.n_tasks, len(pes)))
        for t in range(base.n_tasks):
            for j, pk in enumerate(kinds_of):
                s = speed[pk][kinds[t]]
                cost[t, j] = math.inf if math.isnan(s) else work[t] / s
        out.append(DagProblem.build(cost, base.edges, name=f"template{k}", processor_names=pes))
    return pes, out


def simulate_soc(
    policy: str | SoCPolicy = "heft",
    jobs: int = 500,
    rate: float | None = None,
    noise: float = 0.2,
    seed: int = 0,
    templates: list[DagProblem] | None = None,
) -> dict:
    """Run `jobs` Poisson-arriving DAG jobs (default rate: 70% of the SoC's HEFT throughput); the metrics."""
    return run_soc(policy, jobs, rate, noise, seed, templates)[0]


def run_soc(
    policy: str | SoCPolicy = "heft",
    jobs: int = 500,
    rate: float | None = None,
    noise: float = 0.2,
    seed: int = 0,
    templates: list[DagProblem] | None = None,
    record: bool = False,
) -> tuple[dict, SoCSimulator, list[str]]:
    """`simulate_soc` that also returns the simulator (its spans when `record`) and the PE names."""
    if isinstance(policy, str):
        policy = POLICIES.get(policy)()
    if templates is None:
        _, templates = default_soc(seed)
    n_pes = templates[0].n_processors
    if rate is None:
        mean_span = np.mean([_alone_makespan(t) for t in templates])
        mean_work = np.mean([float(np.min(t.cost, axis=1).sum()) for t in templates])
        rate = float(0.7 * min(n_pes / mean_work * 0.5, 1.0 / (mean_span * 0.25)))
    sim = SoCSimulator(n_pes, policy, noise, seed + 1, record=record)
    rng = np.random.default_rng(seed + 2)
    times = poisson_arrivals(rate, jobs, seed + 3)
    ranks = [upward_ranks(t) for t in templates]
    for i, t in enumerate(times):
        k = int(rng.integers(len(templates)))
        sim.sim.schedule_at(float(t), sim.arrive, Job(i, float(t), templates[k], ranks[k]))
    sim.sim.run()
    span = sim.last_finish - float(times[0]) if jobs else math.nan
    metrics = {
        "policy": policy.name,
        "jobs": jobs,
        "arrived": sim.arrived,
        "finished": sim.finished_jobs,
        "rate": rate,
        "noise": noise,
        "seed": seed,
        "latency.mean": sim.latency.mean,
        "latency.p50": sim.latency.quantile(0.5),
        "latency.p95": sim.latency.quantile(0.95),
        "latency.p99": sim.latency.quantile(0.99),
        "throughput_jobs_per_time": sim.finished_jobs / span if span > 0 else math.nan,
        "pe_utilization": [b / span for b in sim.busy_time] if span > 0 else [],
    }
    names = list(templates[0].processor_names or [f"PE{p}" for p in range(n_pes)])
    return metrics, sim, names


def _alone_makespan(t: DagProblem) -> float:
    from schedlab.dag.heuristics import heft

    return heft(t).makespan
