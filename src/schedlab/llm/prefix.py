"""Prefix caching: KV blocks named by content hashes, kept after their request and reused.

The unit is a *hash block* (Mooncake traces name each 512-token piece of a prompt by an id
that also fixes everything before it, so equal ids at position j mean equal prefixes up to
j). A hash block occupies `unit` pool blocks. Entries pinned by running requests are used
memory; unpinned entries stay resident but count as free (`BlockPool.free` includes them)
and are evicted least-recently-used when an allocation needs the room. An evicted entry
moves down to the next tier (host DRAM, then SSD) if one is configured, from where a later
hit is loaded at that tier's bandwidth instead of being recomputed.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from schedlab.llm.kv import BlockPool
from schedlab.sim.policy import IllegalDecisionError


@dataclass(frozen=True)
class KVTier:
    """A slower KV store below GPU memory: its size and the bandwidth of loading from it."""

    name: str
    capacity_tokens: int
    bandwidth: float  # bytes/s into GPU memory


class TierCache:
    """An LRU set of hash blocks held in one slower tier."""

    def __init__(self, tier: KVTier, tokens_per_entry: int, below: TierCache | None = None) -> None:
        self.tier = tier
        self.capacity = tier.capacity_tokens // tokens_per_entry
        self.entries: OrderedDict[int, None] = OrderedDict()
        self.below = below

    def add(self, h: int) -> None:
        if self.capacity <= 0:
            if self.below is not None:
                self.below.add(h)
            return
        self.entries[h] = None
        self.entries.move_to_end(h)
        if len(self.entries) > self.capacity:
            old, _ = self.entries.popitem(last=False)
            if self.below is not None:
                self.below.add(old)

    def take(self, h: int) -> None:
        del self.entries[h]


class CachingBlockPool(BlockPool):
    """A block pool whose `free` count includes evictable prefix-cache entries."""

    __slots__ = ("evictable", "cache")

    def __init__(self, total_blocks: int, block_size: int = 16, watermark: float = 0.01) -> None:
        super().__init__(total_blocks, block_size, watermark)
        self.evictable = 0
        self.cache: PrefixCache | None = None

    def allocate(self, blocks: int) -> None:
        if blocks > self.free:
            raise IllegalDecisionError(f"asked for {blocks} KV blocks with only {self.free} free")
        if self.free - self.evictable < blocks and self.cache is not None:
            self.cache.evict_until(blocks)
        self.free -= blocks


class PrefixCache:
    """The GPU-resident prefix cache of one replica (and the tiers below it)."""

    def __init__(self, pool: CachingBlockPool, tokens_per_entry: int, tiers: Sequence[KVTier] = ()) -> None:
        if tokens_per_entry % pool.block_size:
            raise ValueError(f"prefix blocks of {tokens_per_entry} tokens are not a whole number of "
                             f"{pool.block_size}-token KV blocks")
        self.pool = pool
        pool.cache = self
        self.tokens = tokens_per_entry
        self.unit = tokens_per_entry // pool.block_size
        self.refs: dict[int, int] = {}  # resident entries -> requests pinning them
        self.lru: OrderedDict[int, None] = OrderedDict()  # resident, unpinned; oldest first
        below = None
        for tier in reversed(tiers):
            below = TierCache(tier, tokens_per_entry, below)
        self.lower = below
        self.evictions = 0

    # -- look-ups (no side effects) ---------------------------------------------------------------
    def usable(self, hashes: Sequence[int], target_tokens: int) -> int:
        """How many leading hash blocks may be reused: at least one token is always computed."""
        return min(len(hashes), max(target_tokens - 1, 0) // self.tokens)

    def match(self, hashes: Sequence[int], limit: int) -> tuple[int, int]:
        """(leading entries resident on the GPU, how many of those are pinned by someone)."""
        refs = self.refs
        k = pinned = 0
        while k < limit:
            r = refs.get(hashes[k])
            if r is None:
                break
            pinned += r > 0
            k += 1
        return k, pinned

    def match_lower(self, hashes: Sequence[int], start: int, limit: int) -> list[tuple[TierCache, int]]:
        """The entries after the GPU match found in lower tiers, as (tier, hash), stopping at a miss."""
        out = []
        for k in range(start, limit):
            tier = self.lower
            while tier is not None and hashes[k] not in tier.entries:
                tier = tier.below
            if tier is None:
                break
            out.append((tier, hashes[k]))
        return out

    # -- pinning ---------------------------------------------------------------------------------
    def pin(self, h: int) -> None:
        r = self.refs[h]
        if r == 0:
            del self.lru[h]
            self.pool.evictable -= self.unit
            self.pool.free -= self.unit
        self.refs[h] = r + 1

    def unpin(self, h: int) -> None:
        r = self.refs[h] - 1
        self.refs[h] = r
        if r == 0:
            self.lru[h] = None
            self.pool.evictable += self.unit
            self.pool.free += self.unit

    def adopt(self, h: int) -> bool:
        """Turn `unit` blocks a request already holds into a cache entry it pins (False if present)."""
        if h in self.refs:
            return False
        self.refs[h] = 1
        tier = self.lower
        while tier is not None:
            tier.entries.pop(h, None)
            tier = tier.below
        return True

    def evict_until(self, blocks: int) -> None:
        """Evict unpinned entries, oldest first, until `blocks` can be taken without them."""
        pool = self.pool
        while pool.free - pool.evictable < blocks and self.lru:
            h, _ = self.lru.popitem(last=False)
            del self.refs[h]
            pool.evictable -= self.unit
            self.evictions += 1
            if self.lower is not None:
                self.lower.add(h)

    def check(self) -> None:
        """Invariants the tests assert: entry counts match the pool's evictable and pinned blocks."""
        unpinned = sum(1 for r in self.refs.values() if r == 0)
        assert unpinned == len(self.lru), (unpinned, len(self.lru))
        assert self.pool.evictable == unpinned * self.unit
        assert 0 <= self.pool.evictable <= self.pool.free <= self.pool.total
