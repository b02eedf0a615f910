"""DeepSoCS's split on the SoC domain: a learned task ordering with a greedy earliest-finish mapping.

Every ready task goes to the PE where it is expected to finish earliest (the `etf` mapping);
whenever a PE is free and more than one arrived task waits for it, the learned policy picks
which runs next (the SoC simulator's `pick_next` hook). The reward is minus the growth of
the area under the number of jobs in the system between decisions, so an episode's return is
minus the jobs' total latency, the quantity DeepSoCS minimises (mean job latency).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from schedlab.dag.model import DagProblem
from schedlab.dag.online import EarliestFinish, Job, SoCView, default_soc, run_soc
from schedlab.learn.decide import POLICY_DIR, ScorerDecider

SOC_FEATURES = ("exists", "job_age", "cost_here", "affinity", "rank", "job_work_left", "job_tasks_left", "successors",
                "waited", "queue", "job_order")
N_SOC_FEATURES = len(SOC_FEATURES)
MAX_WAITING = 32  # candidates shown to the policy; beyond this the oldest jobs' tasks are shown
SHIPPED_SOC = POLICY_DIR / "soc.pt"
TRAIN_JOBS = 150
TRAIN_NOISES = (0.0, 0.2, 0.5)


def time_scale(templates: list[DagProblem]) -> float:
    """The mean of each task's cheapest cost: the unit the features and rewards are in."""
    return float(np.mean([np.min(t.cost, axis=1).mean() for t in templates]))


class LearnedSoC(EarliestFinish):
    name = "learned-deepsocs"
    description = "learned task ordering (MaskablePPO over a PE's waiting tasks) with ETF mapping (DeepSoCS's split)"

    def __init__(self, decide: Callable[[np.ndarray, np.ndarray], int] | None = None, scale: float | None = None,
                 **options) -> None:
        super().__init__(**options)
        self.decide = decide or ScorerDecider(SHIPPED_SOC, "soc")
        self.scale = scale  # None: the first arriving job's mean cheapest task cost
        self.active: list[Job] = []
        self.closed = 0.0  # latency of the jobs that left the system
        self._min_cost: dict[int, np.ndarray] = {}
        self._now = 0.0

    def on_arrival(self, view: SoCView, job: Job) -> None:
        if self.scale is None:
            self.scale = time_scale([job.dag])
        self.active.append(job)
        self._now = view.now

    def area(self) -> float:
        """Area under the jobs-in-system curve up to the last event the policy saw (the reward's cost)."""
        still = []
        open_area = 0.0
        for job in self.active:
            if math.isnan(job.done):
                still.append(job)
                open_area += self._now - job.arrival
            else:
                self.closed += job.done - job.arrival
        self.active = still
        return self.closed + open_area

    def final_area(self) -> float:
        for job in self.active:
            self.closed += job.done - job.arrival
        self.active = []
        return self.closed

    def pick_next(self, view: SoCView, pe: int, waiting: list[tuple]) -> int:
        self._now = view.now
        order = sorted(range(len(waiting)), key=lambda k: waiting[k][:2])[:MAX_WAITING]
        rows = np.zeros((len(order), N_SOC_FEATURES), np.float32)
        s, now = self.scale, view.now
        oldest = min(waiting[k][3].arrival for k in order)
        unfinished: dict[int, tuple[float, int]] = {}  # per job in this decision: cheapest work left, tasks left
        for r, k in enumerate(order):
            _, _, ready, job, task = waiting[k]
            dag = job.dag
            cheapest = self._cheapest(dag)
            if job.id not in unfinished:
                left = np.isnan(job.finish)
                unfinished[job.id] = (float(cheapest[left].sum()), int(left.sum()))
            work_left, tasks_left = unfinished[job.id]
            rows[r] = (1.0, (now - job.arrival) / s, dag.cost[task, pe] / s, cheapest[task] / dag.cost[task, pe],
                       job.rank[task] / s, work_left / s, tasks_left / dag.n_tasks,
                       len(dag.succs[task]) / 4, (now - ready) / s, len(waiting) / MAX_WAITING,
                       (job.arrival - oldest) / s)
        return order[self.decide(np.minimum(rows, 50.0), np.ones(len(order), bool))]

    def _cheapest(self, dag: DagProblem) -> np.ndarray:
        key = id(dag)
        if key not in self._min_cost:
            self._min_cost[key] = np.min(dag.cost, axis=1)
        return self._min_cost[key]


def etf_order(rows: np.ndarray, legal: np.ndarray) -> int:
    """ETF's own choice, the teacher for `schedlab train soc --imitate N`: rows come in the policy's priority
    order (oldest job first), so it is the first."""
    return 0


@dataclass(frozen=True)
class SoCEpisode:
    jobs: int = TRAIN_JOBS
    noises: tuple[float, ...] = TRAIN_NOISES


def soc_env(reward: str = "dense", illegal: str = "refuse", episode: SoCEpisode = SoCEpisode()):
    """`schedlab/SoC-v0`: `episode.jobs` DAG jobs at the default load on a fresh draw of job templates
    (template seeds from 100 up, so the benchmark's seeds 0-4 stay unseen), noise drawn from `episode.noises`."""
    from schedlab.learn.driven import SimulationProcess
    from schedlab.learn.env import DecisionEnv

    def make(rng: np.random.Generator) -> SimulationProcess:
        noise = float(episode.noises[int(rng.integers(len(episode.noises)))])
        seed = int(rng.integers(2**31))
        templates = default_soc(100 + int(rng.integers(10_000)))[1]
        scale = time_scale(templates)
        policy: list[LearnedSoC] = []

        def simulate(ask):
            policy.append(LearnedSoC(ask, scale))
            metrics = run_soc(policy[0], jobs=episode.jobs, noise=noise, seed=seed, templates=templates)[0]
            policy[0].final_area()
            return metrics

        return SimulationProcess(simulate, lambda: policy[0].area() if policy else 0.0, MAX_WAITING, N_SOC_FEATURES,
                                 scale=10 * scale)

    return DecisionEnv(make, MAX_WAITING, reward, illegal, n_features=N_SOC_FEATURES)
