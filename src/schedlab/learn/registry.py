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


TRAINABLE: dict[str, Trainable] = {
    "jobshop": Trainable("schedlab.learn.env:job_shop_env", "schedlab/JobShop-v0",
                         "job-shop dispatching (Giffler-Thompson) on random 10x10 and 15x15 Taillard-style shops"),
}


def env_factory(name: str) -> Callable[..., Any]:
    if name not in TRAINABLE:
        raise ValueError(f"unknown environment {name!r}; known: {', '.join(TRAINABLE)}")
    module, _, attribute = TRAINABLE[name].factory.partition(":")
    return getattr(importlib.import_module(module), attribute)
