"""Paged KV-cache accounting: a pool of fixed-size blocks per replica."""

from __future__ import annotations

from schedlab.sim.policy import IllegalDecisionError


class BlockPool:
    """Counts free blocks; who owns which block does not matter for timing, only how many."""

    __slots__ = ("block_size", "total", "free", "watermark")

    def __init__(self, total_blocks: int, block_size: int = 16, watermark: float = 0.01) -> None:
        if total_blocks <= 0:
            raise ValueError("a replica needs at least one KV block")
        self.block_size = block_size
        self.total = total_blocks
        self.free = total_blocks
        self.watermark = int(total_blocks * watermark)

    def blocks_for(self, tokens: int) -> int:
        return -(-tokens // self.block_size)

    def can_admit(self, blocks: int) -> bool:
        """Admission keeps a small watermark free so running decodes can grow."""
        return self.free - blocks >= self.watermark

    def allocate(self, blocks: int) -> None:
        if blocks > self.free:
            raise IllegalDecisionError(f"asked for {blocks} KV blocks with only {self.free} free")
        self.free -= blocks

    def release(self, blocks: int) -> None:
        self.free += blocks
        if self.free > self.total:
            raise AssertionError("KV block accounting went above the pool size")

    @property
    def used(self) -> int:
        return self.total - self.free
