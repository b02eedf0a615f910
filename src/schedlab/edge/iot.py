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

from schedlab.core.errors import UnknownNameError


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


POLICIES = ("round-robin", "least-loaded", "min-min", "aco")


def _aco(lengths, deadlines, now, free, mips, rng, ants=16, iterations=20, alpha=1.0, beta=2.0, rho=0.2, penalty=20.0):
    n_t, n_n = len(lengths), len(mips)
    tau = np.ones((n_t, n_n))
    best, best_score = None, np.inf
    order = np.argsort(deadlines)
    for _ in range(iterations):
        solutions = []
        for _ in range(ants):
            f = free.copy()
            assign = np.empty(n_t, dtype=int)
            score = 0.0
            for t in order:
                finish = np.maximum(f, now) + lengths[t] / mips
                weights = tau[t] ** alpha * (1.0 / (finish - now + 1e-9)) ** beta
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


def simulate_iot(policy: str = "aco", scenario: IoTScenario | None = None, seed: int = 0) -> dict:
    if policy not in POLICIES:
        raise UnknownNameError(f"unknown IoT policy {policy!r}; known: {', '.join(POLICIES)}")
    s = scenario or IoTScenario()
    rng = np.random.default_rng(seed)
    mips = np.array(s.mips, dtype=float)
    n_tasks = rng.poisson(s.streams * s.rate_per_stream * s.duration_s)
    arrivals = np.sort(rng.uniform(0, s.duration_s, size=n_tasks))
    lengths = rng.uniform(*s.length_mi, size=n_tasks)
    deadlines = arrivals + rng.uniform(*s.deadline_factor, size=n_tasks) * lengths / mips.mean()
    free = np.zeros(len(mips))
    busy = np.zeros(len(mips))
    finish = np.empty(n_tasks)
    rr = 0
    aco_rng = np.random.default_rng(seed + 1)
    t0 = 0
    batch_end = s.batch_s
    while t0 < n_tasks:
        t1 = int(np.searchsorted(arrivals, batch_end, side="left"))
        idx = np.arange(t0, t1)
        now = batch_end
        if idx.size:
            if policy == "round-robin":
                assign = [(rr + k) % len(mips) for k in range(idx.size)]
                rr = (rr + idx.size) % len(mips)
            elif policy == "least-loaded":
                assign, f = [], free.copy()
                for t in idx:
                    n = int(np.argmin(np.maximum(f, now)))
                    f[n] = max(f[n], now) + lengths[t] / mips[n]
                    assign.append(n)
            elif policy == "min-min":
                assign_map, f, left = {}, free.copy(), set(idx.tolist())
                while left:
                    best = min((max(f[n], now) + lengths[t] / mips[n], t, n) for t in left for n in range(len(mips)))
                    _, t, n = best
                    f[n] = best[0]
                    assign_map[t] = n
                    left.discard(t)
                assign = [assign_map[t] for t in idx]
            else:
                assign = _aco(lengths[idx], deadlines[idx], now, free.copy(), mips, aco_rng).tolist()
            for t, n in sorted(zip(idx.tolist(), assign, strict=True), key=lambda x: deadlines[x[0]]):
                start = max(free[n], now)
                dur = lengths[t] / mips[n]
                free[n] = start + dur
                busy[n] += dur
                finish[t] = free[n]
        t0 = t1
        batch_end += s.batch_s
    span = float(max(finish.max(), s.duration_s)) if n_tasks else s.duration_s
    energy = float(np.sum(busy * np.array(s.busy_w) + (span - busy) * np.array(s.idle_w)))
    response = finish - arrivals
    return {
        "policy": policy,
        "tasks": int(n_tasks),
        "response.mean": float(response.mean()),
        "response.p95": float(np.quantile(response, 0.95)),
        "sla_violations": int(np.sum(finish > deadlines)),
        "sla_violation_rate": float(np.mean(finish > deadlines)),
        "utilization": float(busy.sum() / (span * len(mips))),
        "energy_kj": energy / 1e3,
    }
