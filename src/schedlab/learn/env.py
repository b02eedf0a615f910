"""One Gymnasium adapter for every decision process schedlab can pose.

A decision process (the job-shop Giffler-Thompson state, the blocking shop, or any online
domain's simulation through `driven.SimulationProcess`) exposes `observation()` (one feature
row per action), `legal` (a boolean mask), `step(action) -> cost increase`, `done` and `cost`.
`DecisionEnv` turns it into a `gymnasium.Env` with a legal-action mask
(``info["action_mask"]`` and `action_masks()`, as sb3-contrib's MaskablePPO expects) and a
dense or sparse reward; the process itself refuses an illegal action with the error it gives a
bad rule.  By default the env then leaves the state unchanged, ends nothing, gives a penalty
of -1 and puts that error's text in ``info["illegal_action"]`` (so Gymnasium's checker, which
steps with unmasked random actions, passes); ``illegal="raise"`` raises it instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from schedlab.core.model import Problem
from schedlab.learn.jobshop import (
    N_FEATURES,
    N_LOOKAHEAD,
    IllegalActionError,
    JobShopArrays,
    JobShopDispatch,
    RandomJobShops,
)

REWARDS = ("dense", "sparse")
ILLEGAL = ("refuse", "raise")
ILLEGAL_PENALTY = -1.0
OBS_LIMIT = 1e6  # features are scaled times and counts; this only bounds the declared space


class DecisionProcess(Protocol):
    legal: np.ndarray
    scale: float

    @property
    def cost(self) -> float: ...

    @property
    def done(self) -> bool: ...

    def observation(self) -> np.ndarray: ...

    def step(self, action: int) -> int: ...


class DecisionEnv(gym.Env):
    """`make_process(rng)` builds a fresh process per episode; rewards are in units of `process.scale`.

    dense: minus the growth of the process's cost at each decision (for the job shop, the makespan
    lower bound: their sum is minus the final makespan's excess over the first bound); sparse:
    minus the final cost at the end.
    """

    metadata: dict[str, Any] = {"render_modes": []}

    def __init__(self, make_process: Callable[[np.random.Generator], DecisionProcess], max_actions: int,
                 reward: str = "dense", illegal: str = "refuse", n_features: int = N_FEATURES) -> None:
        if reward not in REWARDS:
            raise ValueError(f"reward must be one of {REWARDS}, not {reward!r}")
        if illegal not in ILLEGAL:
            raise ValueError(f"illegal must be one of {ILLEGAL}, not {illegal!r}")
        self.make_process, self.reward, self.illegal = make_process, reward, illegal
        self.observation_space = spaces.Box(-OBS_LIMIT, OBS_LIMIT, (max_actions, n_features), np.float32)
        self.action_space = spaces.Discrete(max_actions)
        self.process: DecisionProcess | None = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self.close()
        self.process = self.make_process(self.np_random)
        return self.process.observation(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self.process is None:
            raise RuntimeError("call reset() before step()")
        try:
            grown = self.process.step(int(action))
        except IllegalActionError as error:
            if self.illegal == "raise":
                raise
            return self.process.observation(), ILLEGAL_PENALTY, False, False, {**self._info(), "illegal_action": str(error)}
        done = self.process.done
        if self.reward == "dense":
            reward = -grown / self.process.scale
        else:
            reward = -self.process.cost / self.process.scale if done else 0.0
        return self.process.observation(), float(reward), done, False, self._info()

    def action_masks(self) -> np.ndarray:
        assert self.process is not None, "call reset() first"
        return self.process.legal.copy()

    def close(self) -> None:
        if self.process is not None and hasattr(self.process, "close"):
            self.process.close()  # a simulation paused mid-episode in its thread

    def _info(self) -> dict[str, Any]:
        assert self.process is not None
        return {"action_mask": self.process.legal.copy(), "cost": self.process.cost}


def job_shop_env(problem: Problem | None = None, sizes: tuple[tuple[int, int], ...] = ((10, 10), (15, 15)),
                 reward: str = "dense", max_jobs: int | None = None, illegal: str = "refuse",
                 lookahead: bool = False) -> DecisionEnv:
    """Dispatching on one fixed job shop, or on a fresh random one (of one of `sizes`) per episode; `lookahead`
    appends the route-lookahead features to each job's row."""
    n_features = N_LOOKAHEAD if lookahead else N_FEATURES
    if problem is not None:
        arrays = JobShopArrays.from_problem(problem)
        width = max_jobs or arrays.n_jobs
        return DecisionEnv(lambda rng: JobShopDispatch(arrays, width, lookahead), width, reward, illegal, n_features)
    source = RandomJobShops(tuple(sizes))
    width = max_jobs or source.max_jobs
    return DecisionEnv(lambda rng: JobShopDispatch(source.draw(rng), width, lookahead), width, reward, illegal,
                       n_features)


def register_envs() -> None:
    """Every trainable environment under its Gymnasium id, e.g. `gymnasium.make("schedlab/JobShop-v0")`."""
    from schedlab.learn.registry import TRAINABLE

    for trainable in TRAINABLE.values():
        if trainable.gym_id not in gym.registry:
            gym.register(trainable.gym_id, entry_point=trainable.factory)
