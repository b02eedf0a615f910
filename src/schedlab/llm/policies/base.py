"""The base class of replica policies: `decide` each iteration, optional hooks with defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from schedlab.llm.batch import Batch
from schedlab.sim.domain import Policy
from schedlab.sim.params import param


class ReplicaPolicy(Policy):
    """Decides one iteration's batch from a replica's state (the replica checks and applies it).

    `whole_prompts` policies never split a prompt into token chunks, so a request whose prompt
    plus output exceeds the batch token limit is rejected at arrival instead of stalling.
    """

    whole_prompts: ClassVar[bool] = False
    max_running: int | None = None  # most requests on the GPU at once (the replica resumes swapped ones up to it)
    needs_prefix_cache: ClassVar[bool] = False  # works through the prefix cache (refused without --prefix-caching)

    def decide(self, replica) -> Batch:
        raise NotImplementedError

    def admission_order(self, replica):
        """The waiting requests in the order this policy admits them (queue order by default)."""
        return replica.waiting

    def retain_after_finish(self, replica, req) -> float:
        """Seconds to keep a finished request's cached context pinned (Continuum); 0: unpin now."""
        return 0.0

    def choose_victim(self, replica):
        """The decode to preempt when KV memory runs out: by default the most recently admitted."""
        return replica.last_admitted_decode()


@dataclass(frozen=True)
class TokenBudget:
    token_budget: int = param(512, "tokens per iteration (decodes plus prefill chunks)", ge=1, le=1_000_000)
