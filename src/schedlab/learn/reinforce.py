"""Policy gradient with a shared-input baseline: K rollouts of the same episode, each judged against the others.

Why a second algorithm beside PPO: on the SoC the job arrivals, templates and noise of an episode
move its return far more than the ordering does (a few per cent), and PPO's learned value
function cannot tell the two apart in CPU-minutes. Running K sampled rollouts on the *same*
episode (same seed, so the same arrivals and noise draws) and using their mean cost as the
baseline removes the input's share of the variance exactly; this is Decima's input-dependent
baseline and POMO's shared baseline. The K rollouts step in lockstep, one batched forward pass
per decision round.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from schedlab.learn.network import JobScorer


class RunClock:
    """A training loop's clock: when to print a progress line (every `every` seconds and at the end), its rate,
    and whether the wall-time budget is spent."""

    def __init__(self, every: float, max_seconds: float | None) -> None:
        self.every, self.max_seconds = every, max_seconds
        self.started = self.last = time.perf_counter()

    def report_due(self, finished: bool) -> bool:
        now = time.perf_counter()
        if now - self.last >= self.every or finished:
            self.last = now
            return True
        return False

    def rate(self, steps: int) -> float:
        return steps / max(1e-9, time.perf_counter() - self.started)

    def expired(self) -> bool:
        return self.max_seconds is not None and time.perf_counter() - self.started >= self.max_seconds

    def seconds(self) -> float:
        return round(time.perf_counter() - self.started, 1)


def masked_log_softmax(logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(logits.masked_fill(~masks, -1e9), dim=-1)


def rollouts(envs: list[Any], scorer: JobScorer, seed: int, generator: torch.Generator
             ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray], np.ndarray]:
    """One episode (reset with `seed`) per env, actions sampled in lockstep; observations, masks, actions, costs."""
    observations: list[list[np.ndarray]] = [[] for _ in envs]
    masks: list[list[np.ndarray]] = [[] for _ in envs]
    actions: list[list[int]] = [[] for _ in envs]
    current = [env.reset(seed=seed) for env in envs]
    costs = np.zeros(len(envs))
    starts = np.array([env.unwrapped.process.cost for env in envs], dtype=float)
    active = list(range(len(envs)))
    with torch.no_grad():
        while active:
            batch = torch.from_numpy(np.stack([current[k][0] for k in active]))
            mask = torch.from_numpy(np.stack([current[k][1]["action_mask"] for k in active]))
            probabilities = torch.exp(masked_log_softmax(scorer(batch)[0], mask))
            picks = torch.multinomial(probabilities, 1, generator=generator).squeeze(1).tolist()
            still = []
            for k, action in zip(active, picks, strict=True):
                observations[k].append(current[k][0])
                masks[k].append(current[k][1]["action_mask"])
                actions[k].append(action)
                obs, _, done, _, info = envs[k].step(action)
                current[k] = (obs, info)
                if done:
                    costs[k] = info["cost"] - starts[k]
                else:
                    still.append(k)
            active = still
    return ([np.stack(o) for o in observations], [np.stack(m) for m in masks],
            [np.array(a, dtype=np.int64) for a in actions], costs)


def train_shared_baseline(make_env: Callable[[], Any], scorer: JobScorer, total_steps: int, seed: int,
                          rollouts_per_episode: int = 8, learning_rate: float = 1e-4, ent_coef: float = 0.0,
                          max_seconds: float | None = None, write: Callable[[str], None] = print,
                          every: float = 10.0, self_label: bool = False) -> dict[str, Any]:
    """Train `scorer` in place for about `total_steps` decisions; returns the run's statistics.

    `self_label`: instead of weighting every rollout by its advantage, learn only the best rollout's
    decisions by cross-entropy (self-labelling, Corsini et al., "Self-Labeling the Job Shop Scheduling
    Problem", NeurIPS 2024): the policy imitates the best of its own K samples, which needs no value
    estimate and no reward shaping, and sharpens it towards what sampling already finds.
    """
    envs = [make_env() for _ in range(rollouts_per_episode)]
    optimizer = torch.optim.Adam(scorer.parameters(), lr=learning_rate)
    generator = torch.Generator().manual_seed(seed)
    episode_seeds = np.random.default_rng(seed)
    steps = episodes = 0
    mean_costs: list[float] = []
    loss_value = float("nan")
    clock = RunClock(every, max_seconds)
    while steps < total_steps:
        observations, masks, actions, costs = rollouts(envs, scorer, int(episode_seeds.integers(2**31)), generator)
        if self_label:  # all weight on the best rollout (the first of equals), none on the others
            advantage = np.zeros(len(costs))
            advantage[int(np.argmin(costs))] = 1.0
        else:
            advantage = -(costs - costs.mean()) / (costs.std() + 1e-8)
        decisions = sum(len(a) for a, w in zip(actions, advantage, strict=True) if w) if self_label else \
            sum(len(a) for a in actions)
        optimizer.zero_grad()
        loss_total = 0.0
        for obs, mask, act, adv in zip(observations, masks, actions, advantage, strict=True):
            if len(act) == 0 or (self_label and not adv):
                continue
            log_p = masked_log_softmax(scorer(torch.from_numpy(obs))[0], torch.from_numpy(mask))
            chosen = log_p.gather(1, torch.from_numpy(act)[:, None]).squeeze(1)
            entropy = -(log_p.exp() * log_p.clamp(min=-1e8)).sum(1)
            loss = -(float(adv) * chosen.sum() + ent_coef * entropy.sum()) / decisions
            loss.backward()
            loss_total += float(loss.detach())
        torch.nn.utils.clip_grad_norm_(scorer.parameters(), 1.0)
        optimizer.step()
        loss_value = loss_total
        steps += sum(len(a) for a in actions)
        episodes += len(envs)
        mean_costs.append(float(costs.mean()))
        if clock.report_due(steps >= total_steps):
            recent = mean_costs[-20:]
            write(f"steps {steps:>9,}/{total_steps:,}  episodes {episodes:>6,}  mean cost (last {len(recent)} episode "
                  f"groups) {np.mean(recent):.3f}  {clock.rate(steps):,.0f} steps/s")
        if clock.expired():
            break
    for env in envs:
        env.close()
    return {"steps_done": steps, "episodes": episodes, "final_loss": loss_value,
            "final_mean_return": -float(np.mean(mean_costs[-20:])) if mean_costs else None,
            "train_seconds": clock.seconds()}
