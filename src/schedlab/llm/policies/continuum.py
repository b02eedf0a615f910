"""Continuum: multi-turn agent programs keep their KV across tool calls, scheduled program-first.

Two decisions on top of vLLM's prefill-first batching: (1) when a turn ends in a tool call, the
program's cached context stays pinned for a time-to-live taken from the tool type's predicted
duration (its 90th percentile), but only for tools whose median duration is at most
`ttl_max_s`: holding memory through a long tool call costs more than re-prefilling after it;
(2) program-level FCFS: waiting turns are admitted in the order their programs first arrived,
so a program's later turns do not queue behind newer programs. Needs prefix caching (the
context is reused through the prefix cache) and a program workload (`--trace agents`).
"""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.llm.policies.vllm import VLLMOptions, VLLMPolicy
from schedlab.sim.params import param


@dataclass(frozen=True)
class ContinuumOptions(VLLMOptions):
    ttl_max_s: float = param(5.0, "pin a context only across tools whose median duration is at most this", ge=0,
                             le=3600, unit="s")


def program_order(req) -> tuple:
    """Preempted requests first (as in vLLM), then by the program's first arrival."""
    return (req.preemptions == 0, req.extra.get("program_arrival", req.arrival), req.arrival, req.id)


class ContinuumPolicy(VLLMPolicy):
    """vLLM's prefill-first batching with Continuum's admission order and KV retention."""

    name = "continuum"
    description = "Continuum: KV pinned across tool calls with a TTL from the tool's predicted duration, program-level FCFS"
    Options = ContinuumOptions
    needs_prefix_cache = True

    def admission_order(self, replica):
        waiting = replica.waiting
        return sorted(waiting, key=program_order) if len(waiting) > 1 else waiting

    def retain_after_finish(self, replica, req) -> float:
        tool = req.extra.get("tool")
        if tool is None or tool.median_s > self.options.ttl_max_s:
            return 0.0
        return tool.p90_s
