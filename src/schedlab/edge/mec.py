"""Mobile edge computing offloading (the GMORL setting) with delay/energy trade-offs.

Mobile users generate tasks (CPU cycles, input data). Each task runs locally (the user's CPU,
energy kappa f^2 cycles) or on one of several edge servers with different CPU frequencies and
core counts (upload time data/rate at transmit power, then the server's FIFO queue). A decision
is made at arrival from the current queues. Objectives: mean delay and mean device energy;
a preference weight w trades them (normalised by the local-only values). The learned
preference-conditioned policy comes with the learning issue; here are the baselines the paper
compares against and a preference-weighted greedy, swept over w to trace a Pareto front.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schedlab.core.errors import UnknownNameError
from schedlab.sim.workload import poisson_arrivals


@dataclass(frozen=True)
class MECScenario:
    users: int = 30
    tasks_per_user: int = 100
    rate_per_user: float = 0.5  # tasks per second
    local_ghz: float = 1.5
    kappa: float = 1e-27
    server_ghz: tuple[float, ...] = (2.0, 4.0, 8.0)
    server_cores: tuple[int, ...] = (1, 1, 1)
    uplink_mbps: float = 20.0
    tx_power_w: float = 0.5
    cycles_g: tuple[float, float] = (0.5, 2.0)
    data_mbit: tuple[float, float] = (0.5, 4.0)


POLICIES = ("local", "random", "greedy-delay", "greedy-energy", "weighted")


def simulate_mec(policy: str = "weighted", weight: float = 0.5, scenario: MECScenario | None = None, seed: int = 0) -> dict:
    """Event-ordered simulation of all users' tasks; returns mean delay (s) and mean energy (J) per task."""
    if policy not in POLICIES:
        raise UnknownNameError(f"unknown MEC policy {policy!r}; known: {', '.join(POLICIES)}")
    s = scenario or MECScenario()
    rng = np.random.default_rng(seed)
    events = []
    for u in range(s.users):
        times = poisson_arrivals(s.rate_per_user, s.tasks_per_user, seed * 1000 + u)
        for t in times:
            events.append((float(t), u, float(rng.uniform(*s.cycles_g)), float(rng.uniform(*s.data_mbit))))
    events.sort()
    local_free = [0.0] * s.users
    cores = [[0.0] * c for c in s.server_cores]
    ref_delay = float(np.mean([c / s.local_ghz for _, _, c, _ in events]))
    ref_energy = float(np.mean([s.kappa * (s.local_ghz * 1e9) ** 2 * c * 1e9 for _, _, c, _ in events]))
    delays, energies, choices = [], [], np.zeros(len(s.server_ghz) + 1, dtype=int)
    for t, u, c, d in events:
        options = []
        start = max(t, local_free[u])
        options.append((start + c / s.local_ghz - t, s.kappa * (s.local_ghz * 1e9) ** 2 * c * 1e9, -1, 0))
        up = d / s.uplink_mbps
        for k, ghz in enumerate(s.server_ghz):
            core = int(np.argmin(cores[k]))
            begin = max(t + up, cores[k][core])
            options.append((begin + c / ghz - t, s.tx_power_w * up, k, core))
        if policy == "local":
            pick = options[0]
        elif policy == "random":
            pick = options[int(rng.integers(len(options)))]
        elif policy == "greedy-delay":
            pick = min(options, key=lambda o: (o[0], o[1]))
        elif policy == "greedy-energy":
            pick = min(options, key=lambda o: (o[1], o[0]))
        else:
            pick = min(options, key=lambda o: weight * o[0] / ref_delay + (1 - weight) * o[1] / ref_energy)
        delay, energy, k, core = pick
        if k < 0:
            local_free[u] = t + delay
        else:
            cores[k][core] = t + delay
        choices[k + 1] += 1
        delays.append(delay)
        energies.append(energy)
    return {
        "policy": policy,
        "weight": weight if policy == "weighted" else None,
        "tasks": len(events),
        "delay.mean": float(np.mean(delays)),
        "delay.p95": float(np.quantile(delays, 0.95)),
        "energy.mean": float(np.mean(energies)),
        "offload_share": float(1 - choices[0] / len(events)),
        "choices": choices.tolist(),
    }


def pareto_front(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Non-dominated points (both coordinates minimised), sorted by the first."""
    front = []
    for p in sorted(set(points)):
        if not front or p[1] < front[-1][1]:
            front.append(p)
    return front


def hypervolume(points: list[tuple[float, float]], reference: tuple[float, float]) -> float:
    """Area dominated by `points` and bounded by `reference` (2-D, minimisation)."""
    area, prev_y = 0.0, reference[1]
    for x, y in pareto_front([p for p in points if p[0] < reference[0] and p[1] < reference[1]]):
        area += (reference[0] - x) * (prev_y - y)
        prev_y = y
    return area
