"""Length-aware priority: shortest predicted job first (SJF) or shortest predicted remaining
(SRPT, which also preempts the longest-remaining decode under memory pressure), on top of
Sarathi-style chunked batching, with a starvation guard that serves any request older than
`starvation_s` first-come first-served. Predictions come from `Request.predicted_output`
(an oracle or a trained predictor fills it)."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.common import fill_chunks
from schedlab.sim.params import param
from schedlab.sim.policy import IllegalDecisionError


@dataclass(frozen=True)
class LengthAwareOptions:
    token_budget: int = param(512, "tokens per iteration (decodes plus prefill chunks)", ge=1, le=1_000_000)
    starvation_s: float = param(30.0, "requests waiting longer than this are served first-come first-served", gt=0,
                                le=1e9, unit="s")
    lookahead: int = param(64, "waiting requests ranked per iteration", ge=1, le=1_000_000)


class ShortestJobFirst(ReplicaPolicy):
    name = "sjf"
    description = "shortest predicted output first, chunked prefill, starvation guard"
    Options = LengthAwareOptions
    needs_predictions = True

    @staticmethod
    def _prediction(req) -> float:
        p = req.predicted_output
        if p != p:
            raise IllegalDecisionError(f"request {req.id} has no predicted output length; use an oracle or a predictor")
        return p - req.generated

    def decide(self, replica) -> Batch:
        waiting = replica.waiting
        opts = self.options
        budget = opts.token_budget - replica.num_decodes
        if waiting and replica.now - waiting[0].arrival > opts.starvation_s:
            order = list(waiting)
        else:
            order = heapq.nsmallest(opts.lookahead, waiting, key=self._prediction)
        return Batch(prefills=fill_chunks(replica, order, budget), decodes=True)


class ShortestRemainingFirst(ShortestJobFirst):
    name = "srpt"
    description = "shortest predicted remaining output first; preempts the longest remaining decode"

    def choose_victim(self, replica):
        running = replica.running_decodes()
        step = replica.step
        return max(
            running,
            key=lambda r: (
                (r.predicted_output - (r.generated + step - r.join_step), r.id)
                if not math.isnan(r.predicted_output)
                else (math.inf, r.id)
            ),
        )
