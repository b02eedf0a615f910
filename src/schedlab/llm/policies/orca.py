"""Orca: iteration-level scheduling; new prompts join the running decodes in mixed batches,
each admitted request reserving KV for its maximum length (no paging)."""

from __future__ import annotations

from schedlab.llm.batch import Batch
from schedlab.llm.policies.common import whole_prompts


class OrcaPolicy:
    name = "orca"
    whole_prompts = True  # prompts are never split into token chunks

    def __init__(self, max_batch_size: int | None = None) -> None:
        self.max_batch_size = max_batch_size

    def decide(self, replica) -> Batch:
        limit = replica.config.max_batch_tokens - replica.num_decodes
        candidates = replica.waiting
        if self.max_batch_size is not None:
            room = self.max_batch_size - replica.num_decodes
            candidates = list(replica.waiting)[: max(room, 0)]
        return Batch(prefills=whole_prompts(replica, candidates, limit, reserve_max=True), decodes=True, reserve_max=True)
