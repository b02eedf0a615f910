"""Orca: iteration-level scheduling; new prompts join the running decodes in mixed batches,
each admitted request reserving KV for its maximum length (no paging)."""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.common import whole_prompts
from schedlab.sim.params import param


@dataclass(frozen=True)
class OrcaOptions:
    max_batch_size: int | None = param(None, "most sequences in a batch (default: the replica's max_num_seqs)", ge=1,
                                       le=100_000)


class OrcaPolicy(ReplicaPolicy):
    name = "orca"
    description = "Orca: iteration-level batching, KV reserved for the maximum length"
    Options = OrcaOptions
    whole_prompts = True  # prompts are never split into token chunks

    def decide(self, replica) -> Batch:
        limit = replica.config.max_batch_tokens - replica.num_decodes
        candidates = replica.waiting
        if self.options.max_batch_size is not None:
            room = self.options.max_batch_size - replica.num_decodes
            candidates = list(replica.waiting)[: max(room, 0)]
        return Batch(prefills=whole_prompts(replica, candidates, limit, reserve_max=True), decodes=True, reserve_max=True)
