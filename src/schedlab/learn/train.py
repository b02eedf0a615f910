"""`schedlab train`: MaskablePPO (sb3-contrib) on a registered environment, CPU PyTorch.

The saved file holds the scorer's weights and a record of how they were made (environment,
steps, seed, hyper-parameters, library versions), so that a shipped policy says where it came
from and loads without SB3.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sb3_contrib import MaskablePPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from schedlab.learn.network import JobScorerPolicy
from schedlab.learn.registry import env_factory


@dataclass(frozen=True)
class TrainConfig:
    env: str = "jobshop"
    steps: int = 200_000
    seed: int = 0
    envs: int = 8  # parallel episodes per rollout
    processes: int = 2  # worker processes stepping them (1: in this process)
    n_steps: int = 256  # per environment per rollout
    batch_size: int = 512
    epochs: int = 4
    learning_rate: float = 3e-4
    gamma: float = 1.0  # episodic: the dense rewards sum to minus the makespan's excess over the first bound
    gae_lambda: float = 0.95
    ent_coef: float = 0.01
    reward: str = "dense"
    max_minutes: float | None = None  # stop after this much wall time (the record says how many steps were done)


class Progress(BaseCallback):
    """A line every `every` seconds: steps, episodes, mean return of the last 100, steps/s."""

    def __init__(self, total: int, every: float = 10.0, write: Callable[[str], None] = print,
                 max_seconds: float | None = None) -> None:
        super().__init__()
        self.total, self.every, self.write, self.max_seconds = total, every, write, max_seconds
        self.returns: list[float] = []
        self.makespans: list[int] = []
        self.started = self.last = 0.0

    def _on_training_start(self) -> None:
        self.started = self.last = time.perf_counter()

    def _on_step(self) -> bool:
        for info, done in zip(self.locals["infos"], self.locals["dones"], strict=True):
            if done and "episode" in info:
                self.returns.append(float(info["episode"]["r"]))
                self.makespans.append(int(info.get("makespan", 0)))
        now = time.perf_counter()
        if now - self.last >= self.every or self.num_timesteps >= self.total:
            self.last = now
            self.write(self.summary(now))
        return self.max_seconds is None or now - self.started < self.max_seconds

    def summary(self, now: float | None = None) -> str:
        elapsed = (now or time.perf_counter()) - self.started
        recent = self.returns[-100:]
        mean = f"{np.mean(recent):.3f}" if recent else "-"
        return (f"steps {self.num_timesteps:>9,}/{self.total:,}  episodes {len(self.returns):>6,}  "
                f"mean return (last 100) {mean}  {self.num_timesteps / max(elapsed, 1e-9):,.0f} steps/s")


def _vec_env(config: TrainConfig) -> DummyVecEnv | SubprocVecEnv:
    from stable_baselines3.common.env_util import make_vec_env

    make = env_factory(config.env)
    cls = SubprocVecEnv if config.processes > 1 else DummyVecEnv
    kwargs: dict[str, Any] = {"start_method": "spawn"} if cls is SubprocVecEnv else {}
    return make_vec_env(make, n_envs=config.envs, seed=config.seed, vec_env_cls=cls,
                        env_kwargs={"reward": config.reward}, vec_env_kwargs=kwargs)


def train(config: TrainConfig, out: Path, write: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, save the scorer's weights and the record to `out`; returns the record."""
    env_factory(config.env)  # an unknown name fails here, before any work
    torch.manual_seed(config.seed)
    torch.set_num_threads(2)  # the PPO update runs while the environment workers wait
    env = _vec_env(config)
    model = MaskablePPO(JobScorerPolicy, env, n_steps=config.n_steps, batch_size=config.batch_size,
                        n_epochs=config.epochs, learning_rate=config.learning_rate, gamma=config.gamma,
                        gae_lambda=config.gae_lambda, ent_coef=config.ent_coef, seed=config.seed, device="cpu",
                        verbose=0)
    progress = Progress(config.steps, write=write,
                        max_seconds=None if config.max_minutes is None else 60 * config.max_minutes)
    started = time.perf_counter()
    model.learn(total_timesteps=config.steps, callback=progress)
    env.close()
    loss = model.logger.name_to_value.get("train/loss")  # the last update's PPO loss
    recent = progress.returns[-100:]
    record = {"config": asdict(config), "train_seconds": round(time.perf_counter() - started, 1),
              "final_loss": None if loss is None else float(loss), "steps_done": int(model.num_timesteps),
              "episodes": len(progress.returns), "final_mean_return": float(np.mean(recent)) if recent else None,
              "versions": _versions()}
    save_scorer(model.policy.scorer.state_dict(), record, out)
    return record


def save_scorer(state: dict[str, torch.Tensor], record: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "record": record}, out)


def _versions() -> dict[str, str]:
    import gymnasium
    import sb3_contrib
    import stable_baselines3

    return {"torch": str(torch.__version__), "gymnasium": gymnasium.__version__,
            "stable_baselines3": stable_baselines3.__version__, "sb3_contrib": sb3_contrib.__version__}
