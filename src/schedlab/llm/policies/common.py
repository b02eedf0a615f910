"""Admission helpers shared by the policies (mechanism, no ordering decisions)."""

from __future__ import annotations

from collections.abc import Iterable

from schedlab.llm.request import Request


def room_for(replica, req: Request, admitted: int, blocks_taken: int, reserve_max: bool = False) -> int:
    """KV blocks `req` would need if it fits after `admitted` requests taking `blocks_taken`, else -1."""
    if replica.num_decodes + len(replica.prefilling) + admitted >= replica.config.max_num_seqs:
        return -1
    adapters = getattr(replica, "adapters", None)
    if adapters is not None and "adapter" in req.extra and not adapters.can_host(req.extra["adapter"]):
        return -1  # every adapter slot is held by running requests: wait for one (S-LoRA-style)
    blocks = replica.admission_blocks(req, reserve_max)
    if replica.kv.free - blocks_taken - blocks < replica.kv.watermark:
        return -1
    return blocks


def fill_chunks(replica, candidates: Iterable[Request], budget: int, reserve_max: bool = False) -> list[tuple[Request, int]]:
    """Chunked prefill: continue started prompts, then admit candidates in the given order.

    Every chunk is min(remaining prompt, budget left). Admission stops at the first candidate
    that does not fit in KV memory (no skipping ahead: FCFS order is what the caller chose).
    """
    chosen: list[tuple[Request, int]] = []
    for req in replica.prefilling:
        if budget <= 0:
            return chosen
        chunk = min(req.remaining_prefill, budget)
        chosen.append((req, chunk))
        budget -= chunk
    admitted = blocks_taken = 0
    for req in candidates:
        if budget <= 0:
            break
        if req.swapped:
            break
        blocks = room_for(replica, req, admitted, blocks_taken, reserve_max)
        if blocks < 0:
            break
        chunk = min(req.remaining_prefill, budget)
        chosen.append((req, chunk))
        budget -= chunk
        admitted += 1
        blocks_taken += blocks
    return chosen


def whole_prompts(
    replica, candidates: Iterable[Request], token_limit: int, reserve_max: bool = False
) -> list[tuple[Request, int]]:
    """Admit whole prompts in the given order while they fit in `token_limit` and KV memory."""
    chosen: list[tuple[Request, int]] = []
    admitted = blocks_taken = tokens = 0
    for req in candidates:
        if req.swapped or tokens + req.remaining_prefill > token_limit:
            break
        blocks = room_for(replica, req, admitted, blocks_taken, reserve_max)
        if blocks < 0:
            break
        chosen.append((req, req.remaining_prefill))
        tokens += req.remaining_prefill
        admitted += 1
        blocks_taken += blocks
    return chosen
