"""How long a chunked search may go on: a time limit, or an exact step budget (reproducible)."""

from __future__ import annotations

import time

from schedlab.solvers.base import SolveOptions


class StepBudget:
    """Hands out chunks of search steps until the time limit (or ``params["iterations"]``) is spent.

    Kernels run a chunk at a time so that Python can check the clock and report incumbents;
    the chunk grows while chunks are fast, so the check costs little.
    """

    def __init__(self, options: SolveOptions, started: float, chunk: int) -> None:
        self.options = options
        self.started = started
        self.chunk = chunk
        self.done = 0
        limit = options.params.get("iterations")
        self.iterations = None if limit is None else int(limit)
        self._last = time.perf_counter()

    def next_steps(self) -> int:
        """Steps for the next chunk, or 0 when the budget is spent."""
        now = time.perf_counter()
        if self.iterations is not None:
            return max(0, min(self.chunk, self.iterations - self.done))
        if now - self.started >= self.options.time_limit:
            return 0
        if self.done and now - self._last < 0.05:
            self.chunk = min(self.chunk * 2, 1 << 20)
        self._last = now
        return self.chunk

    def spent(self, steps: int) -> None:
        self.done += steps

    def elapsed(self) -> float:
        return time.perf_counter() - self.started
