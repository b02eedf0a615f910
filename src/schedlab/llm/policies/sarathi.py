"""Sarathi-Serve: a per-iteration token budget filled by every running decode first, then
prefill chunks (continuing prompts before admitting new ones), so decodes never stall."""

from __future__ import annotations

from schedlab.llm.batch import Batch
from schedlab.llm.policies.common import fill_chunks


class SarathiPolicy:
    name = "sarathi"

    def __init__(self, token_budget: int = 512) -> None:
        if token_budget < 1:
            raise ValueError("token_budget must be positive")
        self.token_budget = token_budget

    def decide(self, replica) -> Batch:
        budget = self.token_budget - replica.num_decodes
        return Batch(prefills=fill_chunks(replica, replica.waiting, budget), decodes=True)
