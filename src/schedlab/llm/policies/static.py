"""Static batching (FasterTransformer-style): a batch is formed when the replica is empty,
prefilled together, then decoded until its longest request finishes; finished rows stay as
padding and no request joins mid-batch."""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.common import whole_prompts
from schedlab.sim.params import param


@dataclass(frozen=True)
class StaticOptions:
    batch_size: int = param(16, "requests per static batch", ge=1, le=100_000)


class StaticBatchingPolicy(ReplicaPolicy):
    name = "static"
    description = "static batching: a batch runs to its longest request, no joins"
    Options = StaticOptions
    whole_prompts = True  # prompts are never split into token chunks

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._rows = 0

    def decide(self, replica) -> Batch:
        if replica.num_decodes or replica.prefilling:
            return Batch(decodes=True, pad_decodes_to=self._rows)
        candidates = list(replica.waiting)[: self.options.batch_size]
        prefills = whole_prompts(replica, candidates, replica.config.max_batch_tokens, reserve_max=True)
        self._rows = len(prefills)
        return Batch(prefills=prefills, decodes=False, reserve_max=True)
