"""AIOS's LLM-core schedulers: agents' LLM calls share the model under a central scheduler.

AIOS queues every agent's LLM "syscall" and gives the model to `concurrency` calls at a time.
`aios-fifo` runs each call to completion in arrival order. `aios-rr` gives each call a time
slice (`slice_s`, AIOS's default 1 s): when it runs out and another call is waiting, the call is
suspended, its context (the KV cache, standing for AIOS's generation snapshot) saved to host
memory at the swap bandwidth, and it rejoins the back of the queue; resuming restores the
context the same way. Both batch nothing beyond `concurrency` (the AIOS LLM core).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from schedlab.llm.batch import Batch
from schedlab.llm.policies.base import ReplicaPolicy
from schedlab.llm.policies.common import whole_prompts
from schedlab.sim.params import param


@dataclass(frozen=True)
class FIFOOptions:
    concurrency: int = param(1, "LLM calls on the model at once", ge=1, le=4096)


@dataclass(frozen=True)
class RROptions:
    concurrency: int = param(1, "LLM calls on the model at once", ge=1, le=4096)
    slice_s: float = param(1.0, "time slice of a call before it yields to a waiting one", gt=0, le=3600, unit="s")


class AIOSFIFO(ReplicaPolicy):
    name = "aios-fifo"
    description = "AIOS FIFO: calls run to completion in arrival order, `concurrency` at a time"
    Options = FIFOOptions
    whole_prompts = True

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.max_running = self.options.concurrency

    def decide(self, replica) -> Batch:
        running = replica.num_decodes + len(replica.prefilling)
        slots = self.options.concurrency - running
        if slots > 0 and replica.waiting and not replica.waiting[0].swapped:
            prefills = whole_prompts(replica, islice(replica.waiting, slots), replica.config.max_batch_tokens)
            if prefills:
                return Batch(prefills=prefills, decodes=False)
        return Batch(decodes=True)


class AIOSRoundRobin(AIOSFIFO):
    name = "aios-rr"
    description = "AIOS round-robin: time slices, a call's context saved to host and restored between them"
    Options = RROptions

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._suspended_at = -1.0

    def decide(self, replica) -> Batch:
        now = replica.now
        suspend = []
        if now == self._suspended_at:  # one suspension round per instant; then the freed slots are filled
            return super().decide(replica)
        # calls suspended at this instant wait behind the others; they do not claim a slot back
        waiting = sum(1 for r in replica.waiting if r.extra.get("suspended_at") != now)
        for req in replica.running_decodes():
            started = req.extra.setdefault("slice_start", now)
            if waiting > len(suspend) and now - started >= self.options.slice_s:
                suspend.append(req)
        for req in suspend:
            req.extra.pop("slice_start", None)
            req.extra["suspended_at"] = now
        if suspend:
            self._suspended_at = now
            return Batch(decodes=False, suspend=suspend)
        return super().decide(replica)
