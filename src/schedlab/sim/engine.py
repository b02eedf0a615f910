"""The event loop: a heap of (time, priority, counter, callback, argument).

Kept deliberately bare because every online domain runs on it: no process objects, no
generators, one tuple per event. Ties are broken by priority (lower first) and then by the
order of scheduling, so a run is deterministic. Cancellation is lazy: a cancelled event stays in
the heap and is skipped when it surfaces.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

Callback = Callable[[Any], None]


class Simulator:
    """A discrete-event clock. `schedule` returns a handle that `cancel` accepts."""

    __slots__ = ("now", "_heap", "_counter", "_cancelled", "events_processed")

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self._heap: list[tuple[float, int, int, Callback, Any]] = []
        self._counter = count()
        self._cancelled: set[int] = set()
        self.events_processed = 0

    def schedule(self, delay: float, callback: Callback, arg: Any = None, priority: int = 0) -> int:
        """Run `callback(arg)` after `delay` (>= 0) time units; returns a handle for `cancel`."""
        if not delay >= 0.0:
            raise ValueError(f"event delay must be a non-negative number, got {delay!r}")
        handle = next(self._counter)
        heappush(self._heap, (self.now + delay, priority, handle, callback, arg))
        return handle

    def schedule_at(self, time: float, callback: Callback, arg: Any = None, priority: int = 0) -> int:
        """Run `callback(arg)` at absolute `time` (not earlier than now)."""
        if not time >= self.now:
            raise ValueError(f"cannot schedule at {time!r}: the clock is already at {self.now!r}")
        handle = next(self._counter)
        heappush(self._heap, (time, priority, handle, callback, arg))
        return handle

    def cancel(self, handle: int) -> None:
        """Forget a scheduled event; cancelling one that already ran is a no-op."""
        self._cancelled.add(handle)

    def pending(self) -> int:
        """Events still in the heap (cancelled ones included until they surface)."""
        return len(self._heap)

    def peek(self) -> float:
        """Time of the next event, or infinity when none is left."""
        return self._heap[0][0] if self._heap else math.inf

    def run(self, until: float = math.inf) -> float:
        """Process events in order until the heap is empty or the next one lies after `until`.

        Returns the clock, which is `until` when the run stopped there (so consecutive calls can
        advance the clock in slices) and the last event's time otherwise.
        """
        heap = self._heap
        cancelled = self._cancelled
        pop = heappop
        processed = 0
        while heap:
            entry = pop(heap)
            if entry[0] > until:
                heappush(heap, entry)
                break
            if cancelled and entry[2] in cancelled:
                cancelled.discard(entry[2])
                continue
            self.now = entry[0]
            processed += 1
            entry[3](entry[4])
        self.events_processed += processed
        if until != math.inf and self.now < until:
            self.now = until
        return self.now
