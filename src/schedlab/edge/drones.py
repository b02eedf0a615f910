"""DNN inference tasks from a drone fleet on one edge accelerator with an optional cloud (DEMS-A / GEMS).

Each drone emits a video segment every `period_s`; each segment spawns one task of every task
type (a DNN model) with a hard relative deadline, a benefit earned when it finishes in time and
a per-invocation cloud cost. The edge accelerator runs one task at a time; the cloud (FaaS) runs
any number concurrently but each call pays a network round trip whose latency varies (log-normal,
with periods of a degraded network). Utility = sum of benefits of on-time tasks - cloud cost.

Policies (the simulator owns queues and clocks; a policy decides admission, offload and order):
- `edge-fifo`: everything on the edge in arrival order, nothing dropped (late work earns nothing);
- `edge-edf`: edge only, earliest deadline first, a task that cannot make its deadline is dropped;
- `cloud`: every task to the cloud;
- `dems`: edge EDF with a schedulability test on admission; when the edge cannot fit every task,
  the one that loses least by leaving the edge (its benefit minus what the cloud would still earn
  for it) goes to the cloud if the expected cloud time meets its deadline and its benefit exceeds
  the cost, else it is dropped; offloads wait in a cloud queue until their latest send time so the edge can steal them
  when it has slack (work stealing); the cloud latency estimate is fixed (the configured mean);
- `dems-a`: `dems` with the cloud latency estimate adapted online (P90 of a sliding window);
- `gems`: `dems-a` plus QoE: per task type, the on-time rate in tumbling windows; a type below
  its target is ordered first on the edge and its benefit counts double when choosing which task
  leaves the edge.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from schedlab.sim.domain import Policy, policy_registry
from schedlab.sim.engine import Simulator
from schedlab.sim.params import param
from schedlab.sim.policy import IllegalDecisionError


@dataclass(frozen=True)
class TaskType:
    name: str
    edge_s: float  # mean edge execution time
    cloud_s: float  # FaaS execution time (excluding network)
    deadline_s: float
    benefit: float
    cloud_cost: float
    qoe_target: float = 0.8  # GEMS: required on-time fraction per window


DEFAULT_TYPES = (
    TaskType("hazard-detection", 0.060, 0.030, 0.50, 3.0, 1.5),
    TaskType("crowd-count", 0.110, 0.050, 1.00, 2.0, 1.2),
    TaskType("body-pose", 0.160, 0.080, 1.50, 2.0, 1.2),
    TaskType("distance", 0.040, 0.025, 0.40, 1.0, 0.5),
)


@dataclass(frozen=True)
class DroneScenario:
    drones: int = 5
    period_s: float = 1.0
    duration_s: float = 300.0
    types: tuple[TaskType, ...] = DEFAULT_TYPES
    edge_noise: float = 0.1
    cloud_latency_s: float = 0.25  # mean network round trip
    cloud_latency_sigma: float = 0.4
    degraded_every_s: float = 60.0  # a degraded-network period starts this often ...
    degraded_for_s: float = 15.0  # ... lasts this long ...
    degraded_factor: float = 3.0  # ... and multiplies latency by this
    qoe_window_s: float = 10.0
    estimate_window_s: float = 20.0  # DEMS-A: cloud latency observations older than this are forgotten


@dataclass(eq=False)
class Task:
    id: int
    type: int
    arrival: float
    deadline: float
    edge_s: float
    where: str = ""
    finish: float = math.nan
    dropped: bool = False


@dataclass
class Stats:
    on_time: int = 0
    late: int = 0
    dropped: int = 0
    cloud_calls: int = 0
    utility: float = 0.0
    cloud_cost: float = 0.0
    per_type_on_time: list[int] = field(default_factory=list)
    per_type_total: list[int] = field(default_factory=list)
    window_hits: list[list[int]] = field(default_factory=list)


class DroneSim:
    """Mechanism: arrivals, the edge queue and accelerator, the cloud, QoE windows; the policy decides."""

    def __init__(self, scenario: DroneScenario, policy: DronePolicy, seed: int) -> None:
        self.s, self.policy = scenario, policy
        self.sim = Simulator()
        self.rng = np.random.default_rng(seed)
        self.edge_queue: list[Task] = []  # admitted, not started (kept sorted by the policy's key)
        self.cloud_wait: list[Task] = []  # offloaded, waiting for their latest send time
        self.edge_busy_until = 0.0
        self.edge_running: Task | None = None
        k = len(scenario.types)
        self.stats = Stats(per_type_on_time=[0] * k, per_type_total=[0] * k)
        self.latencies: deque[tuple[float, float]] = deque(maxlen=200)  # (time, observed latency)
        self.window_on_time = [0] * k
        self.window_total = [0] * k
        self.window_rate = [1.0] * k
        self.windows_met = [0] * k
        self.windows = 0
        self.next_id = 0
        self.record = False
        self.edge_spans: list[tuple[int, float, float]] = []  # (task type, start, end) on the edge accelerator

    # -- environment -------------------------------------------------------------------------
    def _degraded(self, t: float) -> bool:
        s = self.s
        return s.degraded_every_s > 0 and (t % s.degraded_every_s) >= s.degraded_every_s - s.degraded_for_s

    def _network_latency(self) -> float:
        s = self.s
        base = s.cloud_latency_s * float(self.rng.lognormal(-(s.cloud_latency_sigma**2) / 2, s.cloud_latency_sigma))
        return base * (s.degraded_factor if self._degraded(self.sim.now) else 1.0)

    @property
    def now(self) -> float:
        return self.sim.now

    def cloud_estimate(self, ttype: TaskType) -> float:
        """Expected cloud time of a task type: the configured latency, or (adaptive policies) P90 of recent ones."""
        while self.latencies and self.latencies[0][0] < self.sim.now - self.s.estimate_window_s:
            self.latencies.popleft()  # forget old observations so the estimate recovers after a bad spell
        if self.policy.adaptive_estimate and len(self.latencies) >= 5:
            net = float(np.quantile(np.array([lat for _, lat in self.latencies]), self.policy.latency_quantile))
        else:
            net = self.s.cloud_latency_s
        return net + ttype.cloud_s

    # -- arrivals --------------------------------------------------------------------------
    def _segment(self, drone: int) -> None:
        now = self.sim.now
        for k, tt in enumerate(self.s.types):
            edge = tt.edge_s * float(self.rng.lognormal(-(self.s.edge_noise**2) / 2, self.s.edge_noise))
            task = Task(self.next_id, k, now, now + tt.deadline_s, edge)
            self.next_id += 1
            self.stats.per_type_total[k] += 1
            self.policy.on_arrival(self, task)
        if now + self.s.period_s < self.s.duration_s:
            self.sim.schedule(self.s.period_s, self._segment, drone)
        self._run_edge()

    def edge_feasible(self, queue: list[Task]) -> bool:
        """Would every queued task (in queue order) finish by its deadline?"""
        t = max(self.edge_busy_until, self.sim.now)
        for q in queue:
            t += self.s.types[q.type].edge_s
            if t > q.deadline:
                return False
        return True

    # -- actions a policy takes ---------------------------------------------------------------
    def enqueue_edge(self, task: Task) -> None:
        """Queue `task` on the edge, in the policy's order."""
        self.edge_queue.append(task)
        self.edge_queue.sort(key=self.policy.edge_key_of(self))

    def set_edge_queue(self, queue: list[Task], arrived: Task) -> None:
        """Replace the edge queue by `queue`: the current queue, reordered, with or without the task that just arrived."""
        allowed = {id(t) for t in self.edge_queue} | {id(arrived)}
        if any(id(t) not in allowed for t in queue) or len({id(t) for t in queue}) != len(queue):
            raise IllegalDecisionError(f"policy {self.policy.name} put a task on the edge queue that is not waiting for it")
        self.edge_queue = queue

    def send_to_cloud(self, task: Task) -> None:
        self._send_to_cloud(task)

    def offload_or_drop(self, task: Task) -> None:
        """Offload when the cloud can still make the deadline profitably, else drop."""
        self._offload_or_drop(task)

    def edge_value(self, task: Task) -> float:
        """What running `task` on time on the edge earns (the policy may weigh task types)."""
        return self.policy.value_boost(self, task) * self.s.types[task.type].benefit

    def cloud_value(self, task: Task) -> float:
        """What sending `task` to the cloud would still earn: its weighted benefit minus the call's cost, or 0."""
        tt = self.s.types[task.type]
        if self.sim.now + self.cloud_estimate(tt) <= task.deadline and tt.benefit > tt.cloud_cost:
            return self.policy.value_boost(self, task) * tt.benefit - tt.cloud_cost
        return 0.0

    def _offload_or_drop(self, task: Task) -> None:
        tt = self.s.types[task.type]
        if self.sim.now + self.cloud_estimate(tt) <= task.deadline and tt.benefit > tt.cloud_cost:
            self.cloud_wait.append(task)
            latest = task.deadline - self.cloud_estimate(tt)
            self.sim.schedule_at(max(latest, self.sim.now), self._cloud_deadline, task)
        else:
            self._drop(task)

    def _cloud_deadline(self, task: Task) -> None:
        if task in self.cloud_wait:  # not stolen by the edge
            self.cloud_wait.remove(task)
            self._send_to_cloud(task)

    def _send_to_cloud(self, task: Task) -> None:
        tt = self.s.types[task.type]
        latency = self._network_latency()
        task.where = "cloud"
        self.stats.cloud_calls += 1
        self.stats.cloud_cost += tt.cloud_cost
        self.stats.utility -= tt.cloud_cost
        self.sim.schedule(latency + tt.cloud_s, self._cloud_done, (task, latency))

    def _cloud_done(self, arg) -> None:
        task, latency = arg
        self.latencies.append((self.sim.now, latency))
        self._complete(task)

    def _drop(self, task: Task) -> None:
        task.dropped = True
        self.stats.dropped += 1
        self._window_count(task, False)

    # -- edge execution ----------------------------------------------------------------------
    def _steal(self) -> None:
        """Edge idle with nothing queued: take the cloud-waiting task with the earliest deadline if it fits."""
        for task in sorted(self.cloud_wait, key=lambda q: q.deadline):
            if self.sim.now + self.s.types[task.type].edge_s <= task.deadline:
                self.cloud_wait.remove(task)
                self.edge_queue.append(task)
                return

    def _run_edge(self) -> None:
        if self.edge_running is not None:
            return
        if not self.edge_queue and self.policy.steals:
            self._steal()
        while self.edge_queue:
            task = self.edge_queue.pop(0)
            if self.policy.drops_late and self.sim.now + task.edge_s > task.deadline:
                self._drop(task)  # would be late: drop instead of wasting the accelerator
                continue
            task.where = "edge"
            self.edge_running = task
            if self.record:
                self.edge_spans.append((task.type, self.sim.now, self.sim.now + task.edge_s))
            self.edge_busy_until = self.sim.now + task.edge_s
            self.sim.schedule(task.edge_s, self._edge_done, task)
            return

    def _edge_done(self, task: Task) -> None:
        self.edge_running = None
        self._complete(task)
        self._run_edge()

    def _complete(self, task: Task) -> None:
        task.finish = self.sim.now
        tt = self.s.types[task.type]
        if task.finish <= task.deadline + 1e-12:
            self.stats.on_time += 1
            self.stats.per_type_on_time[task.type] += 1
            self.stats.utility += tt.benefit
            self._window_count(task, True)
        else:
            self.stats.late += 1
            self._window_count(task, False)

    # -- QoE windows ---------------------------------------------------------------------------
    def _window_count(self, task: Task, ok: bool) -> None:
        self.window_total[task.type] += 1
        self.window_on_time[task.type] += ok

    def _close_window(self, _) -> None:
        self.windows += 1
        for k, tt in enumerate(self.s.types):
            total = self.window_total[k]
            rate = self.window_on_time[k] / total if total else 1.0
            self.window_rate[k] = rate
            self.windows_met[k] += rate >= tt.qoe_target
            self.window_on_time[k] = self.window_total[k] = 0
        if self.sim.now + self.s.qoe_window_s <= self.s.duration_s + 10:
            self.sim.schedule(self.s.qoe_window_s, self._close_window)

    def run(self) -> dict:
        for d in range(self.s.drones):
            self.sim.schedule_at(d * self.s.period_s / self.s.drones, self._segment, d)
        self.sim.schedule(self.s.qoe_window_s, self._close_window)
        self.sim.run()
        st = self.stats
        total = sum(st.per_type_total)
        accounted = st.on_time + st.late + st.dropped
        if accounted != total:
            raise AssertionError(f"task accounting: {accounted} of {total}")
        return {
            "policy": self.policy.name,
            "tasks": total,
            "on_time": st.on_time,
            "late": st.late,
            "dropped": st.dropped,
            "completion_rate": st.on_time / total,
            "qos_utility": st.utility,
            "cloud_calls": st.cloud_calls,
            "cloud_cost": st.cloud_cost,
            "qoe": sum(self.windows_met) / (self.windows * len(self.s.types)) if self.windows else 0.0,
            "on_time_by_type": {
                tt.name: st.per_type_on_time[k] / max(st.per_type_total[k], 1) for k, tt in enumerate(self.s.types)
            },
        }


class DronePolicy(Policy):
    """Admission, offload and edge order for drone tasks (the simulator applies and checks them)."""

    adaptive_estimate: ClassVar[bool] = False  # cloud latency estimate from recent observations (DEMS-A)
    latency_quantile = 0.9  # which quantile of the recent latencies the adaptive estimate takes
    drops_late: ClassVar[bool] = True  # the edge drops a task that can no longer make its deadline
    steals: ClassVar[bool] = False  # the idle edge takes back tasks waiting to be sent to the cloud

    def on_arrival(self, view: DroneSim, task: Task) -> None:
        raise NotImplementedError

    def edge_key(self, view: DroneSim, task: Task):
        """Edge queue order (smaller first): earliest deadline by default."""
        return (task.deadline, task.id)

    def edge_key_of(self, view: DroneSim):
        return lambda task: self.edge_key(view, task)

    def value_boost(self, view: DroneSim, task: Task) -> float:
        """Weight of a task's benefit when choosing which task leaves the edge; 1 by default."""
        return 1.0


class EdgeFIFO(DronePolicy):
    name = "edge-fifo"
    description = "everything on the edge in arrival order, nothing dropped"
    drops_late = False

    def on_arrival(self, view: DroneSim, task: Task) -> None:
        view.enqueue_edge(task)

    def edge_key(self, view: DroneSim, task: Task):
        return (task.arrival, task.id)


class EdgeEDF(DronePolicy):
    name = "edge-edf"
    description = "edge only, earliest deadline first, hopeless tasks dropped"

    def on_arrival(self, view: DroneSim, task: Task) -> None:
        view.enqueue_edge(task)


class CloudOnly(DronePolicy):
    name = "cloud"
    description = "every task to the cloud"

    def on_arrival(self, view: DroneSim, task: Task) -> None:
        view.send_to_cloud(task)


class DEMS(DronePolicy):
    name = "dems"
    description = "edge EDF with admission test; the task losing least leaves for the cloud (or is dropped); work stealing"
    steals = True

    def on_arrival(self, view: DroneSim, task: Task) -> None:
        key = self.edge_key_of(view)
        trial = sorted([*view.edge_queue, task], key=key)
        if view.edge_feasible(trial):
            view.set_edge_queue(trial, task)
            return
        # The edge cannot hold them all: move out the task that loses least by leaving the edge
        # (its benefit minus what the cloud would still earn for it, or all of it if dropped).
        best = None
        for cand in trial:
            rest = [q for q in trial if q is not cand]
            if cand is not task and not view.edge_feasible(rest):
                continue
            loss = view.edge_value(cand) - view.cloud_value(cand)
            if best is None or (loss, -cand.edge_s, -cand.id) < best[0]:
                best = ((loss, -cand.edge_s, -cand.id), cand, rest)
        _, victim, rest = best
        if victim is not task:
            view.set_edge_queue(rest, task)
        view.offload_or_drop(victim)


@dataclass(frozen=True)
class AdaptiveOptions:
    latency_quantile: float = param(0.9, "quantile of the recent cloud latencies used as the estimate (higher: fewer, "
                                    "safer offloads)", ge=0.5, le=0.99)


class DEMSA(DEMS):
    name = "dems-a"
    description = "DEMS with the cloud latency estimate adapted online (a quantile of a sliding window)"
    adaptive_estimate = True
    Options = AdaptiveOptions

    @property
    def latency_quantile(self) -> float:
        return self.options.latency_quantile


class GEMS(DEMSA):
    name = "gems"
    description = "DEMS-A plus QoE: task types below their on-time target go first and count double"

    def _behind(self, view: DroneSim, task: Task) -> bool:
        return view.window_rate[task.type] < view.s.types[task.type].qoe_target

    def edge_key(self, view: DroneSim, task: Task):
        return (0 if self._behind(view, task) else 1, task.deadline, task.id)

    def value_boost(self, view: DroneSim, task: Task) -> float:
        return 2.0 if self._behind(view, task) else 1.0


DRONE_POLICIES = policy_registry("drone policy", (EdgeFIFO, EdgeEDF, CloudOnly, DEMS, DEMSA, GEMS))
POLICIES = ("edge-fifo", "edge-edf", "cloud", "dems", "dems-a", "gems")


def run_drones(policy: str | DronePolicy = "dems-a", scenario: DroneScenario | None = None, seed: int = 0,
               record: bool = False) -> tuple[dict, DroneSim]:
    """The metrics and the simulator (its edge spans when `record`)."""
    if isinstance(policy, str):
        policy = DRONE_POLICIES.get(policy)()
    sim = DroneSim(scenario or DroneScenario(), policy, seed)
    sim.record = record
    return sim.run(), sim


def simulate_drones(policy: str | DronePolicy = "dems-a", scenario: DroneScenario | None = None, seed: int = 0) -> dict:
    return run_drones(policy, scenario, seed)[0]
