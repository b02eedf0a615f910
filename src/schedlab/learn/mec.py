"""GMORL's setting: one preference-conditioned offloading policy for the `mec` domain.

The preference weight w (on delay; 1 - w on device energy) is part of every observation row, so
one network serves every trade-off; sweeping w traces its Pareto front, which the benchmark
compares with the weighted greedy's (the same sweep over the myopic rule) by hypervolume.
Each decision is the `mec` simulator's own: where an arriving task runs, among the places it
prices (index 0 the device). The reward is minus the chosen place's preference-weighted,
normalised cost, so an episode's return is minus the scalarised objective the greedy minimises
one task at a time; what the learner can add is the effect of a choice on the tasks after it
(a server queue it lengthens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from schedlab.edge.mec import Choice, MECPolicy, MECScenario, MECView, run_mec
from schedlab.learn.decide import POLICY_DIR, ScorerDecider
from schedlab.sim.params import param

MEC_FEATURES = ("exists", "delay", "energy", "weight_delay", "weight_energy", "cost", "cost_vs_best", "delay_vs_best",
                "energy_vs_best", "local")
N_MEC_FEATURES = len(MEC_FEATURES)
SHIPPED_MEC = POLICY_DIR / "mec.pt"
TRAIN_SCENARIO = MECScenario(users=30, tasks_per_user=20)  # the benchmark's load, shorter episodes
FEATURE_CAP = 20.0
REWARD_SCALE = 10.0  # a good choice costs about 0.5-1: rewards of about -0.1 keep the shared value head's loss small


def scalarised(choice: Choice, view: MECView, weight: float) -> float:
    return weight * choice.delay / view.ref_delay + (1 - weight) * choice.energy / view.ref_energy


def mec_rows(view: MECView, choices: list[Choice], weight: float) -> np.ndarray:
    """One row per place: normalised delay and energy, the preference, the scalarised cost and log ratios
    to the best place's (logs and a cap keep a congested queue's large delays from saturating the network)."""
    delay = np.array([c.delay for c in choices]) / view.ref_delay
    energy = np.array([c.energy for c in choices]) / view.ref_energy
    cost = weight * delay + (1 - weight) * energy
    rows = np.zeros((len(choices), N_MEC_FEATURES), np.float32)
    rows[:, 0] = 1.0
    rows[:, 1], rows[:, 2] = np.minimum(delay, FEATURE_CAP), np.minimum(energy, FEATURE_CAP)
    rows[:, 3], rows[:, 4] = weight, 1 - weight
    rows[:, 5] = np.minimum(cost, FEATURE_CAP)
    rows[:, 6] = np.log((cost + 1e-3) / (cost.min() + 1e-3))
    rows[:, 7] = np.log((delay + 1e-3) / (delay.min() + 1e-3))
    rows[:, 8] = np.log((energy + 1e-3) / (energy.min() + 1e-3))
    rows[:, 9] = [c.server < 0 for c in choices]
    return rows


@dataclass(frozen=True)
class LearnedMECOptions:
    weight: float = param(0.5, "preference weight on delay (1 - weight on energy)", ge=0, le=1)


class LearnedMEC(MECPolicy):
    name = "learned-gmorl"
    description = "one preference-conditioned policy (MaskablePPO, GMORL's setting) for every weight; shipped weights"
    Options = LearnedMECOptions

    def __init__(self, decide: Callable[[np.ndarray, np.ndarray], int] | None = None, **options) -> None:
        super().__init__(**options)
        self.decide = decide or ScorerDecider(SHIPPED_MEC, "mec")
        self.cost = 0.0  # the scalarised cost of the choices made so far (the environment's reward)

    def choose(self, view: MECView, choices: list[Choice]) -> int:
        weight = self.options.weight
        pick = self.decide(mec_rows(view, choices, weight), np.ones(len(choices), bool))
        if 0 <= pick < len(choices):
            self.cost += scalarised(choices[pick], view, weight)
        return pick


def mec_env(reward: str = "dense", illegal: str = "refuse", scenario: MECScenario = TRAIN_SCENARIO,
            weight: float | None = None):
    """`schedlab/MEC-v0`: each episode a fresh seed and a preference weight drawn uniformly (or `weight`)."""
    from schedlab.learn.driven import SimulationProcess
    from schedlab.learn.env import DecisionEnv

    width = len(scenario.server_ghz) + 1

    def make(rng: np.random.Generator) -> SimulationProcess:
        w = float(rng.uniform()) if weight is None else weight
        seed = int(rng.integers(2**31))
        holder: dict[str, LearnedMEC] = {}

        def simulate(ask):
            holder["policy"] = LearnedMEC(ask, weight=w)
            return run_mec(holder["policy"], scenario=scenario, seed=seed)[0]

        return SimulationProcess(simulate, lambda: holder["policy"].cost if holder else 0.0, width, N_MEC_FEATURES,
                                 scale=REWARD_SCALE)

    return DecisionEnv(make, width, reward, illegal, n_features=N_MEC_FEATURES)
