"""HexGen-Text2SQL's local scheduler: urgency blended with arrival order, Sarathi batching.

Each waiting LLM call of a multi-stage query is ranked by
`alpha * (deadline - now) / (stages left + 1) + (1 - alpha) * (query arrival)`, lowest first:
`alpha = 0` is first come first served by query, `alpha = 1` pure urgency (the least slack per
remaining stage). Calls without a deadline rank by their own arrival. Batches are Sarathi's
(token budget, chunked prefill, decodes never stall). The global half is the `hexgen`
dispatcher (least estimated completion time over heterogeneous instances).
"""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.llm.policies.base import TokenBudget
from schedlab.llm.policies.sarathi import SarathiPolicy
from schedlab.sim.params import param


@dataclass(frozen=True)
class HexGenOptions(TokenBudget):
    alpha: float = param(0.5, "weight of urgency against query arrival order", ge=0, le=1)


def urgency_key(req, now: float, alpha: float) -> tuple[float, int]:
    extra = req.extra
    deadline = extra.get("deadline")
    arrival = extra.get("program_arrival", req.arrival)
    if deadline is None:
        return (arrival, req.id)
    return (alpha * (deadline - now) / (extra.get("stages_left", 0) + 1) + (1 - alpha) * arrival, req.id)


class HexGenPolicy(SarathiPolicy):
    """Sarathi's batching with HexGen's admission order."""

    name = "hexgen"
    description = "HexGen-Text2SQL: waiting calls by urgency (slack per remaining stage) blended with arrival by alpha"
    Options = HexGenOptions

    def admission_order(self, replica):
        waiting = replica.waiting
        if len(waiting) <= 1:
            return waiting
        now, alpha = replica.now, self.options.alpha
        preempted = [r for r in waiting if r.preemptions and not r.admitted]  # recomputes keep vLLM's precedence
        rest = sorted((r for r in waiting if not (r.preemptions and not r.admitted)), key=lambda r: urgency_key(r, now, alpha))
        return preempted + rest
