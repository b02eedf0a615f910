"""Layered prefill: the scheduling unit is a group of layers instead of a token chunk.

A cohort of whole prompts runs through one contiguous layer group per iteration next to every
running decode; after G iterations its prefill is done. G is chosen per cohort so that each
iteration carries about `token_budget` prompt-token-layers of work, like a chunk would, but each
MoE layer loads its experts for the prompt once instead of once per chunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.common import whole_prompts
from schedlab.sim.params import param


@dataclass(frozen=True)
class LayeredOptions:
    token_budget: int = param(512, "tokens per iteration (decodes plus prefill chunks)", ge=1, le=1_000_000)
    groups: int | None = param(None, "layer groups per cohort (default: cohort tokens / token budget)", ge=1, le=1000)
    max_cohort_tokens: int = param(8192, "prompt tokens admitted together as one cohort", ge=1, le=10_000_000)


class LayeredPrefillPolicy(ReplicaPolicy):
    name = "layered"
    description = "layered prefill: cohorts of whole prompts advance one layer group per iteration"
    Options = LayeredOptions
    whole_prompts = True  # prompts are never split into token chunks

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._fraction = 1.0

    def decide(self, replica) -> Batch:
        opts = self.options
        if replica.prefilling:
            cohort = [(r, r.remaining_prefill) for r in replica.prefilling]
            return Batch(prefills=cohort, decodes=True, layer_fraction=self._fraction)
        cohort = whole_prompts(replica, replica.waiting, min(opts.max_cohort_tokens, replica.config.max_batch_tokens))
        if not cohort and replica.waiting and not replica.waiting[0].swapped:
            first = replica.waiting[0]
            if first.remaining_prefill > opts.max_cohort_tokens:  # a long prompt forms a cohort of its own
                cohort = whole_prompts(replica, [first], replica.config.max_batch_tokens - replica.num_decodes)
        if not cohort:
            return Batch(decodes=True)
        tokens = sum(chunk for _, chunk in cohort)
        layers = replica.cost.model.layers
        groups = opts.groups or max(1, math.ceil(tokens / opts.token_budget))
        groups = min(groups, layers)
        self._fraction = 1.0 / groups if groups > 1 else 1.0
        return Batch(prefills=cohort, decodes=True, layer_fraction=self._fraction)
