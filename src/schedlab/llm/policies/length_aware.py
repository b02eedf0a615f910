"""Length-aware priority: shortest predicted job first (SJF) or shortest predicted remaining
(SRPT, which also preempts the longest-remaining decode under memory pressure), on top of
Sarathi-style chunked batching, with a starvation guard that serves any request older than
`starvation_s` first-come first-served. Predictions come from `Request.predicted_output`
(an oracle or a trained predictor fills it)."""

from __future__ import annotations

import heapq
import math

from schedlab.llm.batch import Batch
from schedlab.llm.policies.common import fill_chunks
from schedlab.sim.policy import IllegalDecisionError


class LengthAwarePolicy:
    def __init__(self, mode: str = "sjf", token_budget: int = 512, starvation_s: float = 30.0, lookahead: int = 64) -> None:
        if mode not in ("sjf", "srpt"):
            raise ValueError(f"mode must be 'sjf' or 'srpt', got {mode!r}")
        self.name = mode
        self.mode = mode
        self.token_budget = token_budget
        self.starvation_s = starvation_s
        self.lookahead = lookahead

    @staticmethod
    def _prediction(req) -> float:
        p = req.predicted_output
        if p != p:
            raise IllegalDecisionError(f"request {req.id} has no predicted output length; use an oracle or a predictor")
        return p - req.generated

    def decide(self, replica) -> Batch:
        waiting = replica.waiting
        budget = self.token_budget - replica.num_decodes
        if waiting and replica.now - waiting[0].arrival > self.starvation_s:
            order = list(waiting)
        else:
            order = heapq.nsmallest(self.lookahead, waiting, key=self._prediction)
        return Batch(prefills=fill_chunks(replica, order, budget), decodes=True)

    def choose_victim(self, replica):
        running = replica.running_decodes()
        if self.mode == "sjf":
            return running[-1]
        step = replica.step
        return max(
            running,
            key=lambda r: (
                (r.predicted_output - (r.generated + step - r.join_step), r.id)
                if not math.isnan(r.predicted_output)
                else (math.inf, r.id)
            ),
        )
