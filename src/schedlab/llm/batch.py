"""What a replica policy decides each iteration."""

from __future__ import annotations

from dataclasses import dataclass, field

from schedlab.llm.request import Request


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
