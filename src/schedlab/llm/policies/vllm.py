"""vLLM (v0 default): prefill-first FCFS with paged KV; decodes pause while prompts prefill."""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.common import whole_prompts
from schedlab.sim.params import param


@dataclass(frozen=True)
class VLLMOptions:
    max_prefill_tokens: int | None = param(None, "prompt tokens per prefill batch (default: max_batch_tokens)", ge=1,
                                           le=10_000_000)


class VLLMPolicy(ReplicaPolicy):
    name = "vllm"
    description = "vLLM v0: prefill-first FCFS with paged KV"
    Options = VLLMOptions
    whole_prompts = True  # prompts are never split into token chunks

    def decide(self, replica) -> Batch:
        limit = self.options.max_prefill_tokens or replica.config.max_batch_tokens
        if replica.waiting:
            prefills = whole_prompts(replica, self.admission_order(replica), limit)
            if prefills:
                return Batch(prefills=prefills, decodes=False)
        return Batch(decodes=True)
