"""Sarathi-Serve: a per-iteration token budget filled by every running decode first, then
prefill chunks (continuing prompts before admitting new ones), so decodes never stall."""

from __future__ import annotations

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy, TokenBudget
from schedlab.llm.policies.common import fill_chunks


class SarathiPolicy(ReplicaPolicy):
    name = "sarathi"
    description = "Sarathi-Serve: chunked prefill under a token budget, decodes never stall"
    Options = TokenBudget

    def decide(self, replica) -> Batch:
        budget = self.options.token_budget - replica.num_decodes
        return Batch(prefills=fill_chunks(replica, self.admission_order(replica), budget), decodes=True)
