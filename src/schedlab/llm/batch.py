"""What a replica policy decides each iteration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from schedlab.llm.request import Request


class ReplicaView(Protocol):
    """What a replica policy may read. Policies get the replica itself for speed (no copies per
    iteration) and must treat it as read-only; the replica checks every `Batch` it gets back."""

    waiting: Sequence[Request]  # arrived, not admitted, in queue order (preempted requests first)
    prefilling: Sequence[Request]  # admitted, prompt not finished
    num_decodes: int
    step: int
    kv: Any  # BlockPool: free, total, watermark, blocks_for()
    config: Any  # ReplicaConfig
    cost: Any  # CostModel (model dimensions)

    @property
    def now(self) -> float: ...

    def admission_blocks(self, req: Request, reserve_max: bool = False) -> int: ...

    def running_decodes(self) -> list[Request]: ...


@dataclass(slots=True)
class Batch:
    """Prefill work plus whether the running decodes take a step.

    `prefills` holds (request, tokens) pairs: a waiting request is admitted by naming it here.
    With `layer_fraction` < 1 (layered prefill) each named request runs its whole remaining
    prompt through that fraction of the layers instead of a token chunk through all of them.
    `pad_decodes_to` charges decodes as if the batch still had that many rows (static batching
    keeps finished rows in the batch as padding).
    """

    prefills: list[tuple[Request, int]] = field(default_factory=list)
    decodes: bool = True
    layer_fraction: float = 1.0
    pad_decodes_to: int = 0
    reserve_max: bool = False  # reserve KV for prompt + max output at admission (no paging)
    suspend: list[Request] = field(default_factory=list)  # running decodes to save to host and re-queue last (AIOS)
