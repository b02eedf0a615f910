"""The RL+ACO paper's allocation on the `iot` domain: a learned per-task node choice, and the hybrid
in which the learned policy guides the ant colony.

A batch is allocated one task at a time in deadline order (the order the simulator applies it
in), each choice seeing every node's backlog, the task's run time and slack there. The cost of
a choice is ACO's own objective for that task (time to finish from the batch time, plus the
SLA penalty if it misses its deadline), so the learned policy and the colony optimise the same
thing. `aco-rl` is the hybrid: the learned policy's probabilities along its own greedy
allocation seed the pheromone, and that allocation is the colony's first best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from schedlab.edge.iot import ACOOptions, IoTPolicy, IoTScenario, IoTView, _aco, run_iot
from schedlab.learn.decide import POLICY_DIR, ScorerDecider
from schedlab.sim.params import param

IOT_FEATURES = ("exists", "wait", "run", "finish", "slack", "on_time", "speed", "finish_vs_best", "batch_left",
                "joules")
N_IOT_FEATURES = len(IOT_FEATURES)
SHIPPED_IOT = POLICY_DIR / "iot.pt"
TRAIN_SCENARIO = IoTScenario(duration_s=120.0)
PENALTY = ACOOptions().penalty
PHEROMONE_GAIN = 4.0  # initial pheromone = 1 + gain x the learned probability


def iot_rows(view: IoTView, free: np.ndarray, task: int, left: int, busy_w: np.ndarray) -> np.ndarray:
    """One row per node for one task, times in units of the mean task's run time on the mean node."""
    scale = 1600.0 / float(view.mips.mean())
    start = np.maximum(free, view.now)
    run = view.lengths[task] / view.mips
    finish = start + run
    rows = np.zeros((len(view.mips), N_IOT_FEATURES), np.float32)
    rows[:, 0] = 1.0
    rows[:, 1] = (start - view.now) / scale
    rows[:, 2] = run / scale
    rows[:, 3] = (finish - view.now) / scale
    rows[:, 4] = np.clip((view.deadlines[task] - finish) / scale, -20, 20)
    rows[:, 5] = finish <= view.deadlines[task]
    rows[:, 6] = view.mips / view.mips.max()
    rows[:, 7] = np.log((finish - view.now) / (finish - view.now).min())
    rows[:, 8] = left / 32.0
    rows[:, 9] = busy_w * run / (busy_w.mean() * scale)
    return np.minimum(rows, 50.0)


class LearnedIoT(IoTPolicy):
    name = "learned-rl"
    description = "learned per-task node choice (MaskablePPO; the RL half of the RL+ACO paper); shipped weights"

    def __init__(self, decide: Callable[..., int] | None = None, scenario: IoTScenario | None = None,
                 **options) -> None:
        super().__init__(**options)
        self.decide = decide or ScorerDecider(SHIPPED_IOT, "iot")
        self.busy_w = np.array((scenario or IoTScenario()).busy_w, float)
        self.cost = 0.0  # ACO's objective summed over the tasks allocated so far (the environment's reward)

    def allocate(self, view: IoTView, choose: Callable[[np.ndarray, np.ndarray], int]) -> list[int]:
        free = view.free.copy()
        out = np.empty(len(view.lengths), dtype=int)
        order = np.argsort(view.deadlines, kind="stable")
        everywhere = np.ones(len(view.mips), bool)
        for k, t in enumerate(order):
            n = choose(iot_rows(view, free, t, len(order) - k, self.busy_w), everywhere)
            if not 0 <= n < len(view.mips):
                return [n] * len(out)  # the simulator refuses it with its own error
            free[n] = max(free[n], view.now) + view.lengths[t] / view.mips[n]
            self.cost += free[n] - view.now + (PENALTY if free[n] > view.deadlines[t] else 0.0)
            out[t] = n
        return out.tolist()

    def assign(self, view: IoTView) -> list[int]:
        return self.allocate(view, self.decide)


@dataclass(frozen=True)
class LearnedACOOptions(ACOOptions):
    candidates: int = param(2, "nodes per task the colony may use: the learned policy's top k (0: every node)",
                            ge=0, le=1000)


class LearnedACO(IoTPolicy):
    name = "aco-rl"
    description = ("ant colony guided by the learned policy: its top-k nodes per task are the candidates, its "
                   "probabilities seed the pheromone, its allocation is the first best")
    Options = LearnedACOOptions

    def __init__(self, decide: ScorerDecider | None = None, **options) -> None:
        super().__init__(**options)
        self.learned = LearnedIoT(decide)

    def assign(self, view: IoTView) -> list[int]:
        o = self.options
        n_t = len(view.lengths)
        tau = np.ones((n_t, len(view.mips)))
        allowed = np.ones((n_t, len(view.mips)), bool)
        decider = self.learned.decide
        seen: list[np.ndarray] = []

        def choose(rows: np.ndarray, legal: np.ndarray) -> int:
            seen.append(decider.probabilities(rows, legal))
            return int(np.argmax(seen[-1]))

        seed_solution = np.array(self.learned.allocate(view, choose))
        for t, probabilities in zip(np.argsort(view.deadlines, kind="stable"), seen, strict=True):
            tau[t] += PHEROMONE_GAIN * probabilities
            if 0 < o.candidates < len(view.mips):  # the learned top k are the colony's candidates
                allowed[t, np.argsort(-probabilities, kind="stable")[o.candidates:]] = False
        return _aco(view.lengths, view.deadlines, view.now, view.free.copy(), view.mips, view.rng, o.ants,
                    o.iterations, o.alpha, o.beta, o.rho, o.penalty, tau=tau, seed_solution=seed_solution,
                    allowed=allowed).tolist()


def iot_env(reward: str = "dense", illegal: str = "refuse", scenario: IoTScenario = TRAIN_SCENARIO):
    """`schedlab/IoT-v0`: the default cloud at the default load for `scenario.duration_s`, a fresh seed per episode."""
    from schedlab.learn.driven import SimulationProcess
    from schedlab.learn.env import DecisionEnv

    width = len(scenario.mips)
    scale = 10 * 1600.0 / float(np.mean(scenario.mips))

    def make(rng: np.random.Generator) -> SimulationProcess:
        seed = int(rng.integers(2**31))
        policy: list[LearnedIoT] = []

        def simulate(ask):
            policy.append(LearnedIoT(ask, scenario))
            return run_iot(policy[0], scenario, seed)[0]

        return SimulationProcess(simulate, lambda: policy[0].cost if policy else 0.0, width, N_IOT_FEATURES,
                                 scale=scale)

    return DecisionEnv(make, width, reward, illegal, n_features=N_IOT_FEATURES)
