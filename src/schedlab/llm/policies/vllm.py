"""vLLM (v0 default): prefill-first FCFS with paged KV; decodes pause while prompts prefill."""

from __future__ import annotations

from schedlab.llm.batch import Batch
from schedlab.llm.policies.common import whole_prompts


class VLLMPolicy:
    name = "vllm"
    whole_prompts = True  # prompts are never split into token chunks

    def __init__(self, max_prefill_tokens: int | None = None) -> None:
        self.max_prefill_tokens = max_prefill_tokens

    def decide(self, replica) -> Batch:
        limit = self.max_prefill_tokens or replica.config.max_batch_tokens
        if replica.waiting:
            prefills = whole_prompts(replica, replica.waiting, limit)
            if prefills:
                return Batch(prefills=prefills, decodes=False)
        return Batch(decodes=True)
