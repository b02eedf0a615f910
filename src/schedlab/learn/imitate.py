"""Warm start by imitation: the scorer first learns a teacher rule's choices, then PPO improves on them.

Why: on the SoC, a randomly initialised ordering starves old jobs, and the reward (minus the
jobs-in-system area) is too noisy for PPO to climb out of that in CPU-minutes; starting from the
teacher (ETF's own oldest-job-first order, which the environment shows as action 0) leaves PPO
only the improvement to find, as DeepSoCS-style schedulers are commonly bootstrapped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

Teacher = Callable[[np.ndarray, np.ndarray], int]


def collect(make_env: Callable[[], Any], teacher: Teacher, samples: int, seed: int) -> tuple[np.ndarray, ...]:
    """(observations, masks, actions) of `samples` decisions the teacher makes in fresh episodes."""
    env = make_env()
    observations, masks, actions = [], [], []
    episode = 0
    while len(actions) < samples:
        obs, info = env.reset(seed=seed * 100_003 + episode)
        done = False
        while not done and len(actions) < samples:
            mask = info["action_mask"]
            action = teacher(obs, mask)
            observations.append(obs)
            masks.append(mask)
            actions.append(action)
            obs, _, done, _, info = env.step(action)
        episode += 1
    env.close()
    return np.stack(observations), np.stack(masks), np.array(actions)


def imitate(scorer: Any, data: tuple[np.ndarray, ...], epochs: int = 5, batch: int = 256, lr: float = 1e-3,
            seed: int = 0) -> float:
    """Cross-entropy of the scorer's masked softmax (the policy's own distribution, under PPO or the shared-baseline
    trainer) against the teacher's actions; returns the last epoch's accuracy."""
    from schedlab.learn.reinforce import masked_log_softmax

    observations, masks, actions = (torch.as_tensor(a) for a in data)
    optimizer = torch.optim.Adam(scorer.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    accuracy = 0.0
    for _ in range(epochs):
        order = torch.randperm(len(actions), generator=generator)
        hits = 0
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            log_p = masked_log_softmax(scorer(observations[idx].float())[0], masks[idx])
            loss = torch.nn.functional.nll_loss(log_p, actions[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            hits += int((log_p.argmax(-1) == actions[idx]).sum())
        accuracy = hits / len(order)
    return accuracy
