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
from typing import NamedTuple

import numpy as np

from schedlab.sim.domain import Policy, policy_registry
from schedlab.sim.engine import Simulator
from schedlab.sim.params import param
from schedlab.sim.policy import IllegalDecisionError
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


class Choice(NamedTuple):
    """One place a task can run: expected delay (s) and device energy (J) if it goes there."""

    delay: float
    energy: float
    server: int  # -1: the user's own device
    core: int


class MECView:
    """What an offloading policy may read at a decision: the normalising references and a seeded stream."""

    def __init__(self, ref_delay: float, ref_energy: float, rng: np.random.Generator) -> None:
        self.ref_delay = ref_delay
        self.ref_energy = ref_energy
        self.rng = rng


class MECPolicy(Policy):
    """Picks where an arriving task runs, from the choices the simulator prices (index 0 is local)."""

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        raise NotImplementedError


class Local(MECPolicy):
    name = "local"
    description = "every task on the user's device"

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        return 0


class RandomChoice(MECPolicy):
    name = "random"
    description = "a uniformly random place (seeded)"

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        return int(view.rng.integers(len(choices)))


class GreedyDelay(MECPolicy):
    name = "greedy-delay"
    description = "least expected delay"

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        return min(range(len(choices)), key=lambda k: (choices[k].delay, choices[k].energy))


class GreedyEnergy(MECPolicy):
    name = "greedy-energy"
    description = "least device energy"

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        return min(range(len(choices)), key=lambda k: (choices[k].energy, choices[k].delay))


@dataclass(frozen=True)
class PreferenceOptions:
    weight: float = param(0.5, "preference weight on delay (1 - weight on energy)", ge=0, le=1)


class Weighted(MECPolicy):
    name = "weighted"
    description = "least preference-weighted sum of normalised delay and energy (swept over weight: a Pareto front)"
    Options = PreferenceOptions

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        """Ties (at w = 0 every server costs the same energy) go to the lower delay, then the lower energy."""
        w = self.options.weight
        return min(range(len(choices)),
                   key=lambda k: (w * choices[k].delay / view.ref_delay + (1 - w) * choices[k].energy / view.ref_energy,
                                  choices[k].delay, choices[k].energy))


MEC_POLICIES = policy_registry("MEC policy", (Local, RandomChoice, GreedyDelay, GreedyEnergy, Weighted))
POLICIES = ("local", "random", "greedy-delay", "greedy-energy", "weighted")


def simulate_mec(policy: str | MECPolicy = "weighted", weight: float = 0.5, scenario: MECScenario | None = None,
                 seed: int = 0) -> dict:
    """All users' tasks on the event loop, each placed at its arrival; mean delay (s) and energy (J) per task.

    A policy given by name gets `weight` when it is the preference-weighted one.
    """
    return run_mec(policy, weight, scenario, seed)[0]


def run_mec(policy: str | MECPolicy = "weighted", weight: float = 0.5, scenario: MECScenario | None = None,
            seed: int = 0) -> tuple[dict, _MECState]:
    """`simulate_mec` that also returns the final state (per-task delays and energies)."""
    if isinstance(policy, str):
        cls = MEC_POLICIES.get(policy)
        policy = cls(weight=weight) if cls is Weighted else cls()
    s = scenario or MECScenario()
    rng = np.random.default_rng(seed)
    events = []
    for u in range(s.users):
        times = poisson_arrivals(s.rate_per_user, s.tasks_per_user, seed * 1000 + u)
        for t in times:
            events.append((float(t), u, float(rng.uniform(*s.cycles_g)), float(rng.uniform(*s.data_mbit))))
    events.sort()
    view = MECView(float(np.mean([c / s.local_ghz for _, _, c, _ in events])),
                   float(np.mean([s.kappa * (s.local_ghz * 1e9) ** 2 * c * 1e9 for _, _, c, _ in events])), rng)
    state = _MECState(s, policy, view)
    sim = Simulator()
    for event in events:  # sorted: the heap's insertion-order ties keep this order
        sim.schedule_at(event[0], state.arrive, event)
    sim.run()
    delays, energies, choices = state.delays, state.energies, state.choices
    return {
        "policy": policy.name,
        "weight": policy.options.weight if isinstance(policy, Weighted) else None,
        "tasks": len(events),
        "delay.mean": float(np.mean(delays)),
        "delay.p95": float(np.quantile(delays, 0.95)),
        "energy.mean": float(np.mean(energies)),
        "offload_share": float(1 - choices[0] / len(events)),
        "choices": choices.tolist(),
    }, state


class _MECState:
    """Device and server queues; prices every choice at an arrival and applies the policy's pick."""

    def __init__(self, s: MECScenario, policy: MECPolicy, view: MECView) -> None:
        self.s, self.policy, self.view = s, policy, view
        self.local_free = [0.0] * s.users
        self.cores = [[0.0] * c for c in s.server_cores]
        self.delays: list[float] = []
        self.energies: list[float] = []
        self.choices = np.zeros(len(s.server_ghz) + 1, dtype=int)

    def arrive(self, event: tuple[float, int, float, float]) -> None:
        t, u, c, d = event
        s = self.s
        start = max(t, self.local_free[u])
        options = [Choice(start + c / s.local_ghz - t, s.kappa * (s.local_ghz * 1e9) ** 2 * c * 1e9, -1, 0)]
        up = d / s.uplink_mbps
        for k, ghz in enumerate(s.server_ghz):
            core = int(np.argmin(self.cores[k]))
            begin = max(t + up, self.cores[k][core])
            options.append(Choice(begin + c / ghz - t, s.tx_power_w * up, k, core))
        pick = self.policy.choose(self.view, options)
        if not isinstance(pick, (int, np.integer)) or not 0 <= pick < len(options):
            raise IllegalDecisionError(f"policy {self.policy.name} chose {pick!r}; choices are 0..{len(options) - 1}")
        delay, energy, k, core = options[pick]
        if k < 0:
            self.local_free[u] = t + delay
        else:
            self.cores[k][core] = t + delay
        self.choices[k + 1] += 1
        self.delays.append(delay)
        self.energies.append(energy)


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
