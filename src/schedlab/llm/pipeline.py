"""Pipeline parallelism: the stages of one replica, shared by its virtual engines.

A pipeline-parallel replica splits the model's layers over `stages` groups of `tp` GPUs. As in
vLLM, it runs one virtual engine per stage, each with its own scheduler and 1/stages of the KV
cache, so that `stages` micro-batches are in flight at once. A micro-batch goes through the
stages in order; each stage works on one micro-batch at a time, for 1/stages of the batch's
whole-model time, and sends the activations (tokens x hidden x bytes) to the next over
`link`. Stages are taken first come, first served, so a long micro-batch (a prefill-heavy one)
holds up every micro-batch behind it at each stage: these are the pipeline bubbles that
Sarathi-Serve's uniform, chunked micro-batches avoid.
"""

from __future__ import annotations

from schedlab.llm.interconnect import LinkSpec


class Pipeline:
    def __init__(self, stages: int, link: LinkSpec, activation_bytes_per_token: float) -> None:
        if stages < 1:
            raise ValueError(f"a pipeline has at least one stage, not {stages}")
        self.stages, self.link = stages, link
        self.activation_bytes_per_token = activation_bytes_per_token
        self.free = [0.0] * stages  # when each stage finishes the micro-batches it has taken
        self.bubble_s = 0.0  # stage time spent idle between a stage's micro-batches

    def pass_through(self, now: float, whole_model_s: float, tokens: int) -> float:
        """Reserve the stages for a micro-batch that is ready at `now`; when it leaves the last stage."""
        per_stage = whole_model_s / self.stages
        hop = self.link.transfer_time(tokens * self.activation_bytes_per_token) if self.stages > 1 else 0.0
        t = now
        for s in range(self.stages):
            ready = t if s == 0 else t + hop
            start = max(ready, self.free[s])
            if self.free[s] > 0 and start > self.free[s]:
                self.bubble_s += start - self.free[s]
            t = start + per_stage
            self.free[s] = t
        return t
