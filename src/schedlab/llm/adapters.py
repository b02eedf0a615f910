"""Parameter adapters (LoRA) as a scheduled memory tier: which stay on the GPU, which to fetch.

A replica has `slots` GPU slots for adapters; every adapter also lives in host memory and
loads over PCIe in `load_s` seconds (loads queue on the link one at a time). A request needs
its adapter resident when it is admitted; if it is not, the iteration that admits it stalls
until the load is done (on-demand loading). Adapters in use by admitted requests are pinned.

Two managers, registered in MEMORY_MANAGERS:
- `lru`: load on demand, evict the least recently used unpinned adapter.
- `memos` (MemOS's idea of memory as a scheduled resource): every iteration look at the next
  `lookahead` waiting requests and start loading their adapters in the background while the
  GPU computes (prefetch on predicted next use), and evict by predicted reuse: adapters the
  queue needs are kept, then the lowest exponentially decayed use count (half-life
  `half_life_s`), oldest first on ties.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from schedlab.core.registry import Registry


class AdapterCache:
    """One replica's adapter slots (mechanism), with the eviction/prefetch choices as options."""

    def __init__(self, slots: int, load_s: float, manager: str = "lru", lookahead: int = 16,
                 half_life_s: float = 60.0) -> None:
        if slots < 1:
            raise ValueError("an adapter cache needs at least one slot")
        self.slots = slots
        self.load_s = load_s
        self.manager = MEMORY_MANAGERS.get(manager)
        self.lookahead = lookahead
        self.half_life_s = half_life_s
        self.ready_at: dict[int, float] = {}  # resident or loading adapter -> when its load completes
        self.pins: dict[int, int] = {}
        self.last_use: dict[int, float] = {}
        self.score: dict[int, tuple[float, float]] = {}  # adapter -> (decayed count, as of time)
        self.link_free_at = 0.0
        self.now_hint = 0.0  # the replica's clock at the last prefetch/acquire (for `can_host`)
        self.hits = self.late = self.misses = self.loads = 0
        self.stall_s = 0.0

    # -- bookkeeping -------------------------------------------------------------------------------
    def _decayed(self, adapter: int, now: float) -> float:
        count, at = self.score.get(adapter, (0.0, now))
        return count * 0.5 ** ((now - at) / self.half_life_s)

    def _touch(self, adapter: int, now: float) -> None:
        self.last_use[adapter] = now
        self.score[adapter] = (self._decayed(adapter, now) + 1.0, now)

    def _victim(self, now: float, keep: set[int]) -> int | None:
        free = [a for a in self.ready_at if not self.pins.get(a) and a not in keep and self.ready_at[a] <= now]
        if not free:
            return None
        if self.manager == "memos":
            return min(free, key=lambda a: (self._decayed(a, now), self.last_use.get(a, -math.inf), a))
        return min(free, key=lambda a: (self.last_use.get(a, -math.inf), a))

    def _load(self, adapter: int, now: float, keep: set[int]) -> float | None:
        """Start loading `adapter` (evicting if full); returns when it is ready, None if no slot frees."""
        if len(self.ready_at) >= self.slots:
            victim = self._victim(now, keep)
            if victim is None:
                return None
            del self.ready_at[victim]
        start = max(now, self.link_free_at)
        self.link_free_at = start + self.load_s
        self.ready_at[adapter] = self.link_free_at
        self.loads += 1
        return self.link_free_at

    # -- what the replica calls --------------------------------------------------------------------
    def can_host(self, adapter: int) -> bool:
        """Whether a request for `adapter` can be admitted now (resident, loading, or a slot to take)."""
        if adapter in self.ready_at or len(self.ready_at) < self.slots:
            return True
        return any(not self.pins.get(a) and r <= self.now_hint for a, r in self.ready_at.items())

    def acquire(self, adapter: int, now: float) -> float:
        """Pin `adapter` for an admitted request; returns the seconds the admission must wait."""
        self.now_hint = now
        ready = self.ready_at.get(adapter)
        if ready is None:
            ready = self._load(adapter, now, {adapter})
            if ready is None:  # every slot pinned: borrow one beyond the budget rather than deadlock
                self.ready_at[adapter] = ready = max(now, self.link_free_at) + self.load_s
                self.link_free_at = ready
                self.loads += 1
            self.misses += 1
        elif ready > now:
            self.late += 1
        else:
            self.hits += 1
        self.pins[adapter] = self.pins.get(adapter, 0) + 1
        self._touch(adapter, now)
        stall = max(ready - now, 0.0)
        self.stall_s += stall
        return stall

    def release(self, adapter: int) -> None:
        self.pins[adapter] -= 1
        if not self.pins[adapter]:
            del self.pins[adapter]
        while len(self.ready_at) > self.slots:  # give back slots borrowed while everything was pinned
            victim = self._victim(math.inf, set())
            if victim is None:
                break
            del self.ready_at[victim]

    def prefetch(self, upcoming: Iterable[int], now: float) -> None:
        """`memos` only: start background loads for the adapters the next waiting requests need."""
        self.now_hint = now
        if self.manager != "memos":
            return
        wanted: list[int] = []
        for adapter in upcoming:
            if adapter not in wanted:
                wanted.append(adapter)
            if len(wanted) >= self.lookahead:
                break
        keep = set(wanted)
        for adapter in wanted:
            if adapter not in self.ready_at and self._load(adapter, now, keep) is None:
                break


MEMORY_MANAGERS: Registry[str] = Registry("memory manager")
MEMORY_MANAGERS.register("lru", "lru", "adapters loaded on demand, least recently used evicted")
MEMORY_MANAGERS.register("memos", "memos", "MemOS-style: prefetch the queue's adapters while computing, evict by "
                         "decayed use count, keep what the queue needs")
