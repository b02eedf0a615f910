"""`schedlab train`: MaskablePPO (sb3-contrib) on a registered environment, CPU PyTorch.

The saved file holds the scorer's weights and a record of how they were made (environment,
steps, seed, hyper-parameters, library versions), so that a shipped policy says where it came
from and loads without SB3.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sb3_contrib import MaskablePPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecNormalize

from schedlab.learn.network import JobScorerPolicy
from schedlab.learn.registry import TRAINABLE, env_factory


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
    gamma: float | None = None  # None: the environment's own (1 for the job shop's episodic makespan)
    gae_lambda: float = 0.95
    ent_coef: float = 0.01
    reward: str = "dense"
    max_minutes: float | None = None  # stop after this much wall time (the record says how many steps were done)
    imitate: int = 0  # decisions of the environment's teacher rule learned before training (0: none)
    algorithm: str = "ppo"  # or "shared-baseline": K rollouts of each episode judged against their mean,
    #                         or "self-label": K rollouts of each episode, the best one learned by cross-entropy
    rollouts: int = 8  # K, for the shared-baseline and self-label algorithms
    init: str | None = None  # start from these weights (a file `schedlab train` wrote for the same environment)
    network: str = "attention"  # or "lite": pooled context and a small MLP, runnable in Numba (job shop)
    teacher: str | None = None  # a policy file whose greedy choices `imitate` learns (instead of the teacher rule)
    sizes: tuple[tuple[int, int], ...] | None = None  # job shop only: (jobs, machines) of the random training shops
    hidden: int | None = None  # the lite network's hidden width (None: lite.HIDDEN)
    lookahead: bool = False  # job shop only: append the route-lookahead features to each job's row

    def env_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the environment factory beyond the reward (the job shop's training sizes)."""
        kwargs: dict[str, Any] = {"sizes": self.sizes} if self.sizes is not None else {}
        if self.lookahead:
            kwargs["lookahead"] = True
        if kwargs and self.env != "jobshop":
            raise ValueError(f"sizes and lookahead apply to the jobshop environment, not {self.env!r}")
        return kwargs


class Progress(BaseCallback):
    """A line every `every` seconds: steps, episodes, mean return of the last 100, steps/s."""

    def __init__(self, total: int, every: float = 10.0, write: Callable[[str], None] = print,
                 max_seconds: float | None = None) -> None:
        super().__init__()
        self.total, self.every, self.write, self.max_seconds = total, every, write, max_seconds
        self.returns: list[float] = []
        self.costs: list[float] = []
        self.started = self.last = 0.0

    def _on_training_start(self) -> None:
        self.started = self.last = time.perf_counter()

    def _on_step(self) -> bool:
        for info, done in zip(self.locals["infos"], self.locals["dones"], strict=True):
            if done and "episode" in info:
                self.returns.append(float(info["episode"]["r"]))
                self.costs.append(float(info.get("cost", 0.0)))
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


def _vec_env(config: TrainConfig) -> DummyVecEnv | SubprocVecEnv | VecNormalize:
    from stable_baselines3.common.env_util import make_vec_env

    make = env_factory(config.env)
    cls = SubprocVecEnv if config.processes > 1 else DummyVecEnv
    kwargs: dict[str, Any] = {"start_method": "spawn"} if cls is SubprocVecEnv else {}
    env = make_vec_env(make, n_envs=config.envs, seed=config.seed, vec_env_cls=cls,
                       env_kwargs={"reward": config.reward, **config.env_kwargs()}, vec_env_kwargs=kwargs)
    if TRAINABLE[config.env].normalize_reward:  # long online episodes: keep the shared value head's targets near 1
        env = VecNormalize(env, norm_obs=False, norm_reward=True, gamma=config.gamma)
    return env


def train(config: TrainConfig, out: Path, write: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, save the scorer's weights and the record to `out`; returns the record."""
    env_factory(config.env)  # an unknown name fails here, before any work
    if config.gamma is None:
        config = replace(config, gamma=TRAINABLE[config.env].gamma)
    torch.manual_seed(config.seed)
    if config.algorithm in ("shared-baseline", "self-label"):
        return _train_shared_baseline(config, out, write)
    if config.algorithm != "ppo":
        raise ValueError(f"algorithm must be ppo, shared-baseline or self-label, not {config.algorithm!r}")
    if config.network != "attention":
        raise ValueError("the lite network trains with --algorithm self-label or shared-baseline, not ppo")
    torch.set_num_threads(2)  # the PPO update runs while the environment workers wait
    env = _vec_env(config)
    model = MaskablePPO(JobScorerPolicy, env, n_steps=config.n_steps, batch_size=config.batch_size,
                        n_epochs=config.epochs, learning_rate=config.learning_rate, gamma=config.gamma,
                        gae_lambda=config.gae_lambda, ent_coef=config.ent_coef, seed=config.seed, device="cpu",
                        verbose=0)
    if config.init:
        _load_init(model.policy.scorer, config.init)
    accuracy = _warm_start(model.policy.scorer, config, write) if config.imitate else None
    progress = Progress(config.steps, write=write,
                        max_seconds=None if config.max_minutes is None else 60 * config.max_minutes)
    started = time.perf_counter()
    model.learn(total_timesteps=config.steps, callback=progress)
    env.close()
    loss = model.logger.name_to_value.get("train/loss")  # the last update's PPO loss
    recent = progress.returns[-100:]
    record = {"config": asdict(config), "train_seconds": round(time.perf_counter() - started, 1),
              "imitation_accuracy": accuracy,
              "final_loss": None if loss is None else float(loss), "steps_done": int(model.num_timesteps),
              "episodes": len(progress.returns), "final_mean_return": float(np.mean(recent)) if recent else None,
              "versions": _versions()}
    save_scorer(model.policy.scorer.state_dict(), record, out)
    return record


def _train_shared_baseline(config: TrainConfig, out: Path, write: Callable[[str], None]) -> dict[str, Any]:
    from schedlab.learn.network import JobScorer
    from schedlab.learn.reinforce import train_shared_baseline

    torch.set_num_threads(1)  # one small batched forward per decision round
    make = env_factory(config.env)
    probe = make(reward="sparse", **config.env_kwargs())
    n_features = int(probe.observation_space.shape[1])
    probe.close()
    if config.network == "lite":
        from schedlab.learn.lite import HIDDEN, lite_module

        scorer = lite_module(n_features, config.hidden or HIDDEN)
    else:
        scorer = JobScorer(n_features)
    if config.init:
        _load_init(scorer, config.init)
    accuracy = _warm_start(scorer, config, write) if config.imitate else None
    max_seconds = None if config.max_minutes is None else 60 * config.max_minutes
    if config.network == "lite" and config.algorithm == "self-label" and config.env == "jobshop":
        from schedlab.learn.jobshop import RandomJobShops
        from schedlab.learn.lite_selflabel import train_lite_self_label

        stats = train_lite_self_label(scorer, config.steps, config.seed, config.rollouts, config.learning_rate,
                                      config.sizes or RandomJobShops().sizes, max_seconds, write)
    else:
        stats = train_shared_baseline(lambda: make(reward="sparse", **config.env_kwargs()), scorer, config.steps,
                                      config.seed, config.rollouts, config.learning_rate, config.ent_coef, max_seconds,
                                      write, self_label=config.algorithm == "self-label")
    record = {"config": asdict(config), "imitation_accuracy": accuracy, **stats, "versions": _versions()}
    save_scorer(scorer.state_dict(), record, out)
    return record


def _load_init(scorer: Any, path: str) -> None:
    """Start from the weights in `path`; a file of another network or width is refused in one line."""
    from schedlab.core.errors import SchedlabError

    try:
        scorer.load_state_dict(torch.load(path, map_location="cpu", weights_only=True)["state_dict"])
    except (RuntimeError, KeyError) as exc:
        raise SchedlabError(f"{path}: its weights do not fit this network (--network/--hidden differ from the "
                            f"run that wrote it): {str(exc).splitlines()[0]}") from None


def _warm_start(scorer: Any, config: TrainConfig, write: Callable[[str], None]) -> float:
    from schedlab.learn.expert import solver_teacher
    from schedlab.learn.imitate import collect, imitate

    expert = solver_teacher(config.teacher)
    if expert is not None:
        return _imitate_solver(scorer, config, *expert, write)
    teacher = _policy_teacher(config.teacher) if config.teacher else TRAINABLE[config.env].teacher_rule()
    if teacher is None:
        raise ValueError(f"environment {config.env!r} has no teacher rule to imitate (give --teacher POLICY.pt)")
    make = env_factory(config.env)
    data = collect(lambda: make(reward=config.reward, **config.env_kwargs()), teacher, config.imitate, config.seed)
    accuracy = imitate(scorer, data, seed=config.seed)
    write(f"imitated {len(data[2]):,} teacher decisions: accuracy {100 * accuracy:.1f}%")
    return accuracy


def _imitate_solver(scorer: Any, config: TrainConfig, name: str, steps: int, write: Callable[[str], None]) -> float:
    """Learn the Giffler-Thompson replay of a search solver's schedules of random training shops (job shop)."""
    from schedlab.learn.expert import collect_expert
    from schedlab.learn.imitate import imitate
    from schedlab.learn.jobshop import RandomJobShops

    if config.env != "jobshop":
        raise ValueError(f"--teacher solver:NAME labels job shops, not {config.env!r}")
    data, ratio = collect_expert(config.imitate, config.sizes or RandomJobShops().sizes, name, steps, config.seed,
                                 config.lookahead, config.processes)
    accuracy = imitate(scorer, data, seed=config.seed)
    write(f"imitated {len(data[2]):,} decisions of {name}'s schedules replayed in Giffler-Thompson (replayed makespan "
          f"{ratio:.3f} x the solver's): accuracy {100 * accuracy:.1f}%")
    return accuracy


def _policy_teacher(path: str) -> Callable[[np.ndarray, np.ndarray], int]:
    """The greedy choice of a trained policy file (distillation: a small network learns a larger one's decisions)."""
    from schedlab.learn.solver import load_scorer

    scorer, _ = load_scorer(path)

    def choose(rows: np.ndarray, mask: np.ndarray) -> int:  # the teacher reads the features it was trained on
        with torch.inference_mode():
            logits = scorer(torch.from_numpy(np.ascontiguousarray(rows[None, :, :scorer.n_features])))[0][0].numpy()
        return int(np.flatnonzero(mask)[np.argmax(logits[mask])])

    return choose


def save_scorer(state: dict[str, torch.Tensor], record: dict[str, Any], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": state, "record": record}, out)


def _versions() -> dict[str, str]:
    import gymnasium
    import sb3_contrib
    import stable_baselines3

    return {"torch": str(torch.__version__), "gymnasium": gymnasium.__version__,
            "stable_baselines3": stable_baselines3.__version__, "sb3_contrib": sb3_contrib.__version__}


def _train_job(job: tuple[TrainConfig, Path]) -> dict[str, Any]:
    config, out = job
    return train(config, out, write=lambda _line: None)


def train_seeds(config: TrainConfig, seeds: list[int], out: Path, executor: str = "serial",
                address: str | None = None, write: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """One training run per seed, on this process, a local process pool or Ray (as `schedlab bench` spreads runs);
    each writes `OUT-s<seed>.pt`, and the seed with the best final mean training return is copied to `out`."""
    import shutil

    from schedlab.bench.executors import EXECUTORS

    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; known: {', '.join(EXECUTORS)}")
    if executor != "serial":  # each run steps its environments in its own worker, without child processes
        config = replace(config, processes=1)
    jobs = [(replace(config, seed=seed), out.with_name(f"{out.stem}-s{seed}{out.suffix}")) for seed in seeds]
    if executor == "serial":
        records = [train(c, o, write) for c, o in jobs]
    elif executor == "local":
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        from schedlab.core.processes import die_with_parent

        workers = max(1, min(len(jobs), os.cpu_count() or 1))
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                 initializer=die_with_parent) as pool:
            records = list(pool.map(_train_job, jobs))
    else:
        records = _ray_train(jobs, address)
    for (c, o), record in zip(jobs, records, strict=True):
        write(f"seed {c.seed}: {record['steps_done']:,} steps in {record['train_seconds']:.0f} s, final mean return "
              f"{record['final_mean_return']}, wrote {o}")
    best = max(range(len(jobs)), key=lambda k: records[k]["final_mean_return"] or -np.inf)
    shutil.copyfile(jobs[best][1], out)
    write(f"best seed {jobs[best][0].seed} copied to {out}")
    return records


def _ray_train(jobs: list[tuple[TrainConfig, Path]], address: str | None) -> list[dict[str, Any]]:
    from schedlab.bench.executors import ray_session

    with ray_session(address) as ray:
        remote = ray.remote(num_cpus=1)(_train_job)
        return ray.get([remote.remote(job) for job in jobs])
