"""A serving request and its life-cycle timestamps."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(eq=False, slots=True)
class Request:
    """One inference request: a prompt to prefill and `output_tokens` tokens to generate.

    `predicted_output` is what a length-aware policy may look at (an oracle copies
    `output_tokens`, a predictor estimates it); policies must not read `output_tokens`.
    """

    id: int
    arrival: float
    prompt_tokens: int
    output_tokens: int
    predicted_output: float = math.nan
    text: str = ""
    model_name: str = ""
    dataset: str = ""
    prefix_hashes: tuple[int, ...] = ()  # ids of the prompt's prefix-cache blocks (Mooncake traces)
    priority: int = 0  # 1 = high priority (Llumnix); 0 = normal
    # progress (owned by the simulator)
    admitted: bool = False
    queued: bool = False  # in a replica's waiting queue
    prefilled: int = 0  # tokens of the current prefill target already processed
    prefill_target: int = 0  # prompt (+ tokens generated before a recompute preemption)
    generated: int = 0
    blocks: int = 0
    queue_blocks: int = 0  # KV blocks counted for it in its replica's queued total
    shared_blocks: int = 0  # KV blocks of this request owned by the replica's prefix cache
    cached_tokens: int = 0  # prompt tokens found in the prefix cache at the last admission
    layer_progress: float = 0.0  # layered prefill: fraction of layers the prompt has passed
    swapped: bool = False  # KV moved to host memory by a swap preemption
    reserved: bool = False  # KV reserved up front for the maximum length (Orca, static batching)
    # decode bookkeeping: finishes at decode step `finish_step`
    join_step: int = -1
    finish_step: int = -1
    kv_base: int = 0
    active: bool = False
    # timestamps (seconds)
    first_scheduled: float = math.nan
    first_token: float = math.nan
    last_token: float = math.nan
    finish: float = math.nan
    preemptions: int = 0
    replica: int = -1
    extra: dict = field(default_factory=dict)

    @property
    def remaining_prefill(self) -> int:
        return self.prefill_target - self.prefilled
