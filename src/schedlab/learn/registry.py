"""The trainable environments by name: a factory's import path and a description (no heavy imports here,
so the CLI can list them without loading PyTorch or Gymnasium)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Trainable:
    factory: str  # "module:function" returning a gymnasium.Env
    gym_id: str
    description: str
    gamma: float = 1.0  # PPO's discount: 1 for episodic makespan, below 1 for long online episodes
    teacher: str | None = None  # "module:function(rows, mask) -> action" that `--imitate` learns first
    normalize_reward: bool = False  # scale rewards by the running std of the return (SB3 VecNormalize)

    def teacher_rule(self) -> Callable[..., Any] | None:
        return None if self.teacher is None else _load(self.teacher)


TRAINABLE: dict[str, Trainable] = {
    "jobshop": Trainable("schedlab.learn.env:job_shop_env", "schedlab/JobShop-v0",
                         "job-shop dispatching (Giffler-Thompson) on random 10x10 and 15x15 Taillard-style shops"),
    "isbjssp": Trainable("schedlab.learn.blocking:blocking_env", "schedlab/ISBJSSP-v0",
                         "blocking job shop with swaps and random machine interruptions, random 10x5 to 20x10 shops "
                         "(ISBJSSP)", teacher="schedlab.learn.blocking:longest_waiting"),
    "mec": Trainable("schedlab.learn.mec:mec_env", "schedlab/MEC-v0",
                     "MEC offloading with a random delay/energy preference per episode (GMORL)", gamma=0.98),
    "soc": Trainable("schedlab.learn.soc:soc_env", "schedlab/SoC-v0",
                     "ordering of ready DAG tasks at a free PE of a heterogeneous SoC, ETF mapping (DeepSoCS)", gamma=0.99,
                     teacher="schedlab.learn.soc:etf_order", normalize_reward=True),
    "iot": Trainable("schedlab.learn.iot:iot_env", "schedlab/IoT-v0",
                     "IoT tasks allocated one by one to heterogeneous cloud nodes (RL+ACO paper's RL half)", gamma=0.98,
                     normalize_reward=True),
}


def env_factory(name: str) -> Callable[..., Any]:
    if name not in TRAINABLE:
        raise ValueError(f"unknown environment {name!r}; known: {', '.join(TRAINABLE)}")
    return _load(TRAINABLE[name].factory)


def _load(path: str) -> Callable[..., Any]:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)
