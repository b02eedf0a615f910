"""Self-labelling for the lite job-shop network, its K rollouts sampled by the compiled dispatcher.

Why: the generic trainer (`reinforce.train_shared_baseline`) steps K Gymnasium environments in
Python with one PyTorch forward pass per decision round, about 16,000 decisions/s on one core.
The lite network's episodes run in the Numba kernel (`lite._dispatch`) about two orders of
magnitude faster, with the same softmax over the same features. So here the kernel samples the K
rollouts of each random shop, and only the best one is replayed in `JobShopDispatch` (the
environment's own state, hence the PyTorch module's own observations) to build the
cross-entropy batch. Same algorithm (Corsini et al., NeurIPS 2024), far more shops per minute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from schedlab.learn.expert import follow_schedule
from schedlab.learn.jobshop import N_FEATURES, JobShopArrays, JobShopDispatch, RandomJobShops
from schedlab.learn.lite import export, lite_episodes
from schedlab.learn.reinforce import RunClock, masked_log_softmax


def labelled_decisions(arrays: JobShopArrays, order: np.ndarray, lookahead: bool = False
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replay the episode that chose job `order[i]` at step i; the (observation, legal mask, choice) of every step
    with more than one legal job (the only steps a policy decides). Each operation's target is its step, so the
    replay's earliest-target choice is the episode's own."""
    step = np.full(arrays.task.shape, 1 << 60, np.int64)
    position = np.zeros(arrays.n_jobs, np.int64)
    for k, job in enumerate(order):
        step[job, position[job]] = k
        position[job] += 1
    observations, masks, actions, _ = follow_schedule(arrays, step, lookahead=lookahead)
    return observations, masks, actions


def best_sampled(arrays: JobShopArrays, scorer: Any, rollouts: int, rng: np.random.Generator
                 ) -> tuple[int, np.ndarray, float]:
    """The best of `rollouts` sampled kernel episodes (the first of equals): makespan, job order, mean makespan."""
    episodes = lite_episodes(arrays, export(scorer), rollouts, rng)
    spans = np.array([span for span, _, _ in episodes], float)
    best = int(np.argmin(spans))
    return int(spans[best]), episodes[best][2], float(spans.mean())


def train_lite_self_label(scorer: Any, total_steps: int, seed: int, rollouts: int = 32, learning_rate: float = 1e-3,
                          sizes: tuple[tuple[int, int], ...] = ((10, 10), (15, 15)), max_seconds: float | None = None,
                          write: Callable[[str], None] = print, every: float = 10.0) -> dict[str, Any]:
    """Train `scorer` (a `lite_module`) in place for about `total_steps` sampled decisions; the run's statistics.

    Per fresh random shop: `rollouts` sampled episodes in the kernel, the best replayed, one Adam step on the
    cross-entropy of its decisions. Costs are makespans relative to the shop's lower bound, as the environment's.
    """
    shops = RandomJobShops(tuple(sizes))
    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(scorer.parameters(), lr=learning_rate)
    steps = episodes = 0
    relative: list[float] = []
    loss_value = float("nan")
    clock = RunClock(every, max_seconds)
    while steps < total_steps:
        arrays = shops.draw(rng)
        _, order, mean_span = best_sampled(arrays, scorer, rollouts, rng)
        observations, masks, actions = labelled_decisions(arrays, order, scorer.n_features > N_FEATURES)
        steps += rollouts * int(arrays.length.sum())
        episodes += rollouts
        relative.append(mean_span / JobShopDispatch(arrays).bound)
        if len(actions):
            log_p = masked_log_softmax(scorer(torch.from_numpy(observations))[0], torch.from_numpy(masks))
            loss = -log_p.gather(1, torch.from_numpy(actions)[:, None]).mean()
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(scorer.parameters(), 1.0)
            optimizer.step()
            loss_value = float(loss.detach())
        if clock.report_due(steps >= total_steps):
            recent = relative[-200:]
            write(f"steps {steps:>11,}/{total_steps:,}  shops {len(relative):>7,}  mean sampled makespan / lower bound "
                  f"(last {len(recent)} shops) {np.mean(recent):.4f}  {clock.rate(steps):,.0f} steps/s")
        if clock.expired():
            break
    return {"steps_done": steps, "episodes": episodes, "shops": len(relative), "final_loss": loss_value,
            "final_mean_return": -float(np.mean(relative[-200:])) if relative else None,
            "train_seconds": clock.seconds(), "sampler": "compiled (lite kernel)"}
