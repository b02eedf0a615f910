"""IoT tasks allocated to heterogeneous cloud nodes: round-robin, least-loaded, min-min and ant colony.

Tasks (length in million instructions, an SLA deadline) arrive from IoT streams and are
allocated in batches every `batch_s`. Node n processes its queue one task at a time at
`mips[n]`; it draws `busy_w` while working and `idle_w` otherwise. The ACO allocator (as in the
RL+ACO paper's global search component) builds assignments with ants guided by pheromone and by
1 / expected completion time, scoring mean response time plus a penalty per SLA violation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schedlab.sim.domain import Policy, policy_registry
from schedlab.sim.engine import Simulator
from schedlab.sim.params import param
from schedlab.sim.policy import IllegalDecisionError


@dataclass(frozen=True)
class IoTScenario:
    mips: tuple[float, ...] = (500, 750, 1000, 1000, 1500, 2000)
    busy_w: tuple[float, ...] = (90, 110, 130, 130, 170, 210)
    idle_w: tuple[float, ...] = (50, 60, 70, 70, 85, 100)
    streams: int = 30
    rate_per_stream: float = 0.12
    duration_s: float = 600.0
    length_mi: tuple[float, float] = (200.0, 3000.0)
    deadline_factor: tuple[float, float] = (1.5, 4.0)  # deadline = factor x length / mean MIPS after arrival
    batch_s: float = 1.0


class IoTView:
    """What an allocator may read at a batch: the nodes' speeds and free times, the batch's tasks, a seeded stream."""

    def __init__(self, mips: np.ndarray, rng: np.random.Generator) -> None:
        self.mips = mips
        self.rng = rng
        self.now = 0.0
        self.free = np.zeros(len(mips))  # when each node finishes its queue (read-only for policies)
        self.lengths = np.empty(0)  # million instructions of the batch's tasks
        self.deadlines = np.empty(0)


class IoTPolicy(Policy):
    """Assigns every task of a batch to a node: returns one node index per task, in batch order."""

    def assign(self, view: IoTView) -> list[int]:
        raise NotImplementedError


class RoundRobin(IoTPolicy):
    name = "round-robin"
    description = "nodes in turn"

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._next = 0

    def assign(self, view: IoTView) -> list[int]:
        n = len(view.mips)
        out = [(self._next + k) % n for k in range(len(view.lengths))]
        self._next = (self._next + len(view.lengths)) % n
        return out


class LeastLoaded(IoTPolicy):
    name = "least-loaded"
    description = "each task to the node that frees up first"

    def assign(self, view: IoTView) -> list[int]:
        out, f = [], view.free.copy()
        for length in view.lengths:
            n = int(np.argmin(np.maximum(f, view.now)))
            f[n] = max(f[n], view.now) + length / view.mips[n]
            out.append(n)
        return out


class MinMin(IoTPolicy):
    name = "min-min"
    description = "repeatedly the task/node pair with the earliest completion"

    def assign(self, view: IoTView) -> list[int]:
        assign_map, f, left = {}, view.free.copy(), set(range(len(view.lengths)))
        nodes = range(len(view.mips))
        while left:
            best = min((max(f[n], view.now) + view.lengths[t] / view.mips[n], t, n) for t in left for n in nodes)
            _, t, n = best
            f[n] = best[0]
            assign_map[t] = n
            left.discard(t)
        return [assign_map[t] for t in range(len(view.lengths))]


@dataclass(frozen=True)
class ACOOptions:
    ants: int = param(16, "ants per iteration", ge=1, le=10_000)
    iterations: int = param(20, "colony iterations per batch", ge=1, le=10_000)
    alpha: float = param(1.0, "pheromone exponent", ge=0, le=100)
    beta: float = param(2.0, "heuristic (1 / completion time) exponent", ge=0, le=100)
    rho: float = param(0.2, "pheromone evaporation per iteration", gt=0, lt=1)
    penalty: float = param(20.0, "score penalty per SLA violation (seconds)", ge=0, le=1e9)


class AntColony(IoTPolicy):
    name = "aco"
    description = "ant colony optimisation over each batch's assignment (response time plus SLA penalty)"
    Options = ACOOptions

    def assign(self, view: IoTView) -> list[int]:
        o = self.options
        return _aco(view.lengths, view.deadlines, view.now, view.free.copy(), view.mips, view.rng, o.ants, o.iterations,
                    o.alpha, o.beta, o.rho, o.penalty).tolist()


IOT_POLICIES = policy_registry("IoT policy", (RoundRobin, LeastLoaded, MinMin, AntColony))
POLICIES = ("round-robin", "least-loaded", "min-min", "aco")


def batch_score(assign, lengths, deadlines, now, free, mips, penalty=20.0) -> float:
    """ACO's objective for one batch: summed time to finish (from the batch time) plus `penalty` per missed deadline,
    the tasks applied in deadline order as the simulator applies them."""
    f, score = free.copy(), 0.0
    for t in np.argsort(deadlines, kind="stable"):
        n = assign[t]
        f[n] = max(f[n], now) + lengths[t] / mips[n]
        score += f[n] - now + (penalty if f[n] > deadlines[t] else 0.0)
    return score


def _aco(lengths, deadlines, now, free, mips, rng, ants=16, iterations=20, alpha=1.0, beta=2.0, rho=0.2, penalty=20.0,
         tau=None, seed_solution=None, allowed=None):
    """Ant colony over one batch; `tau` (initial pheromone), `seed_solution` (a starting best) and `allowed` (the
    nodes each task may use) let another policy guide it (the RL+ACO hybrid)."""
    n_t, n_n = len(lengths), len(mips)
    tau = np.ones((n_t, n_n)) if tau is None else tau.copy()
    best, best_score = None, np.inf
    if seed_solution is not None:
        best = np.asarray(seed_solution, dtype=int)
        best_score = batch_score(best, lengths, deadlines, now, free, mips, penalty)
    order = np.argsort(deadlines, kind="stable")
    for _ in range(iterations):
        solutions = []
        for _ in range(ants):
            f = free.copy()
            assign = np.empty(n_t, dtype=int)
            score = 0.0
            for t in order:
                finish = np.maximum(f, now) + lengths[t] / mips
                weights = tau[t] ** alpha * (1.0 / (finish - now + 1e-9)) ** beta
                if allowed is not None:
                    weights = weights * allowed[t]
                n = int(rng.choice(n_n, p=weights / weights.sum()))
                assign[t] = n
                f[n] = finish[n]
                score += finish[n] - now + (penalty if finish[n] > deadlines[t] else 0.0)
            solutions.append((score, assign))
            if score < best_score:
                best_score, best = score, assign.copy()
        tau *= 1 - rho
        for score, assign in sorted(solutions, key=lambda x: x[0])[: max(1, ants // 4)]:
            tau[np.arange(n_t), assign] += 1.0 / (1.0 + score / n_t)
        tau[np.arange(n_t), best] += 1.0 / (1.0 + best_score / n_t)
    return best


def simulate_iot(policy: str | IoTPolicy = "aco", scenario: IoTScenario | None = None, seed: int = 0) -> dict:
    """Tasks arriving over `duration_s`, allocated in batches every `batch_s` on the event loop."""
    return run_iot(policy, scenario, seed)[0]


def run_iot(policy: str | IoTPolicy = "aco", scenario: IoTScenario | None = None, seed: int = 0
            ) -> tuple[dict, _IoTState]:
    """`simulate_iot` that also returns the final state (per-task finish times)."""
    if isinstance(policy, str):
        policy = IOT_POLICIES.get(policy)()
    s = scenario or IoTScenario()
    rng = np.random.default_rng(seed)
    mips = np.array(s.mips, dtype=float)
    n_tasks = rng.poisson(s.streams * s.rate_per_stream * s.duration_s)
    arrivals = np.sort(rng.uniform(0, s.duration_s, size=n_tasks))
    lengths = rng.uniform(*s.length_mi, size=n_tasks)
    deadlines = arrivals + rng.uniform(*s.deadline_factor, size=n_tasks) * lengths / mips.mean()
    state = _IoTState(s, policy, IoTView(mips, np.random.default_rng(seed + 1)), arrivals, lengths, deadlines)
    if n_tasks:
        state.sim.schedule_at(s.batch_s, state.batch, s.batch_s)
    state.sim.run()
    finish, busy = state.finish, state.busy
    span = float(max(finish.max(), s.duration_s)) if n_tasks else s.duration_s
    energy = float(np.sum(busy * np.array(s.busy_w) + (span - busy) * np.array(s.idle_w)))
    response = finish - arrivals
    return {
        "policy": policy.name,
        "tasks": int(n_tasks),
        "response.mean": float(response.mean()),
        "response.p95": float(np.quantile(response, 0.95)),
        "sla_violations": int(np.sum(finish > deadlines)),
        "sla_violation_rate": float(np.mean(finish > deadlines)),
        "utilization": float(busy.sum() / (span * len(mips))),
        "energy_kj": energy / 1e3,
    }, state


class _IoTState:
    """The nodes' queues; every batch event hands the arrived tasks to the policy and applies its assignment."""

    def __init__(self, s: IoTScenario, policy: IoTPolicy, view: IoTView, arrivals, lengths, deadlines) -> None:
        self.s, self.policy, self.view = s, policy, view
        self.arrivals, self.lengths, self.deadlines = arrivals, lengths, deadlines
        self.sim = Simulator()
        self.busy = np.zeros(len(view.mips))
        self.finish = np.empty(len(arrivals))
        self.next_task = 0

    def batch(self, batch_end: float) -> None:
        view = self.view
        t0 = self.next_task
        t1 = int(np.searchsorted(self.arrivals, batch_end, side="left"))
        idx = np.arange(t0, t1)
        if idx.size:
            view.now = batch_end
            view.lengths, view.deadlines = self.lengths[idx], self.deadlines[idx]
            assign = self.policy.assign(view)
            if len(assign) != idx.size or any(not 0 <= int(n) < len(view.mips) for n in assign):
                raise IllegalDecisionError(f"policy {self.policy.name} must give one node in 0..{len(view.mips) - 1} "
                                           f"per task of the batch ({idx.size})")
            for t, n in sorted(zip(idx.tolist(), assign, strict=True), key=lambda x: self.deadlines[x[0]]):
                start = max(view.free[n], batch_end)
                dur = self.lengths[t] / view.mips[n]
                view.free[n] = start + dur
                self.busy[n] += dur
                self.finish[t] = view.free[n]
        self.next_task = t1
        if t1 < len(self.arrivals):
            self.sim.schedule(self.s.batch_s, self.batch, batch_end + self.s.batch_s)
