"""The dispatcher's network: per-job tokens, one self-attention layer, a score per job.

Why attention over job tokens rather than a GIN over the disjunctive graph (L2D): a
Giffler-Thompson decision chooses among jobs, and what matters for it is how the jobs compete
(for the contested machine, for the remaining work); one attention layer over the job rows
sees all of that at once, its cost grows with jobs, not operations (a 100x20 Taillard shop has
100 tokens against 2,000 graph nodes), and the same weights apply to any number of jobs, which
is what evaluating a policy trained on 10x10 and 15x15 shops on 100x20 needs.
"""

from __future__ import annotations

from typing import Any

import torch
from gymnasium import spaces
from sb3_contrib.common.maskable.policies import MaskableActorCriticPolicy
from torch import nn

from schedlab.learn.jobshop import N_FEATURES

HIDDEN = 64
HEADS = 4


class JobScorer(nn.Module):
    """(batch, jobs, features) -> logits (batch, jobs) and a value embedding (batch, hidden)."""

    def __init__(self, n_features: int = N_FEATURES, hidden: int = HIDDEN, heads: int = HEADS) -> None:
        super().__init__()
        self.n_features = n_features
        self.embed = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden))
        self.attend = nn.TransformerEncoderLayer(hidden, heads, dim_feedforward=2 * hidden, dropout=0.0,
                                                 batch_first=True)
        self.score = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.value = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU())

    def forward(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        exists = rows[..., 0] > 0.5
        tokens = self.attend(self.embed(rows), src_key_padding_mask=~exists)
        weight = exists.unsqueeze(-1).float()
        pooled = (tokens * weight).sum(1) / weight.sum(1).clamp(min=1.0)
        context = pooled.unsqueeze(1).expand_as(tokens)
        logits = self.score(torch.cat([tokens, context], -1)).squeeze(-1)
        return logits, self.value(pooled)


class _Extractor(nn.Module):
    """SB3's `mlp_extractor` slot: flat observations in, (policy logits, value latent) out."""

    def __init__(self, max_jobs: int, n_features: int) -> None:
        super().__init__()
        self.scorer = JobScorer(n_features)
        self.max_jobs, self.n_features = max_jobs, n_features
        self.latent_dim_pi = max_jobs
        self.latent_dim_vf = HIDDEN

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.scorer(features.view(features.shape[0], self.max_jobs, self.n_features))

    def forward_actor(self, features: torch.Tensor) -> torch.Tensor:
        return self.forward(features)[0]

    def forward_critic(self, features: torch.Tensor) -> torch.Tensor:
        return self.forward(features)[1]


class JobScorerPolicy(MaskableActorCriticPolicy):
    """MaskablePPO policy whose logits are the scorer's per-action scores (no dense layer on top).

    Any environment whose observation is one feature row per action (feature 0 = the action
    exists) trains it: job-shop jobs, MEC placements, IoT nodes, SoC ready tasks.
    """

    def __init__(self, observation_space: spaces.Box, action_space: spaces.Discrete, lr_schedule: Any,
                 **kwargs: Any) -> None:
        self.max_jobs, self.n_features = (int(n) for n in observation_space.shape)
        kwargs.setdefault("ortho_init", False)
        super().__init__(observation_space, action_space, lr_schedule, **kwargs)

    def _build_mlp_extractor(self) -> None:
        self.mlp_extractor = _Extractor(self.max_jobs, self.n_features)

    def _build(self, lr_schedule: Any) -> None:
        super()._build(lr_schedule)
        self.action_net = nn.Identity()
        self.optimizer = self.optimizer_class(self.parameters(), lr=lr_schedule(1), **self.optimizer_kwargs)

    @property
    def scorer(self) -> JobScorer:
        return self.mlp_extractor.scorer
