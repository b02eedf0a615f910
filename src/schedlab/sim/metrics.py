"""Streaming metrics: quantile sketches, time series, utilization and fairness.

The quantile sketch keeps counts in logarithmic buckets (the DDSketch idea), so memory stays
bounded however long a run is and every reported quantile is within `relative_accuracy` of a
true sample value. Weighted samples let one iteration stand for all the tokens it produced.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


class QuantileSketch:
    """Quantiles of non-negative samples with bounded relative error."""

    __slots__ = ("relative_accuracy", "_gamma", "_log_gamma", "_buckets", "_zeros", "count", "total", "min", "max")

    def __init__(self, relative_accuracy: float = 0.005) -> None:
        if not 0 < relative_accuracy < 1:
            raise ValueError("relative_accuracy must lie in (0, 1)")
        self.relative_accuracy = relative_accuracy
        self._gamma = (1 + relative_accuracy) / (1 - relative_accuracy)
        self._log_gamma = math.log(self._gamma)
        self._buckets: dict[int, float] = {}
        self._zeros = 0.0
        self.count = 0.0
        self.total = 0.0
        self.min = math.inf
        self.max = -math.inf

    def add(self, value: float, weight: float = 1.0) -> None:
        """Record `value` (>= 0) `weight` times."""
        if value < 0 or value != value:
            raise ValueError(f"sketch samples must be non-negative numbers, got {value!r}")
        if weight <= 0:
            return
        self.count += weight
        self.total += value * weight
        if value < self.min:
            self.min = value
        if value > self.max:
            self.max = value
        if value < 1e-12:
            self._zeros += weight
            return
        key = math.ceil(math.log(value) / self._log_gamma)
        buckets = self._buckets
        buckets[key] = buckets.get(key, 0.0) + weight

    def extend(self, values: Iterable[float]) -> None:
        for value in values:
            self.add(value)

    def merge(self, other: QuantileSketch) -> None:
        if other.relative_accuracy != self.relative_accuracy:
            raise ValueError("can only merge sketches with the same relative accuracy")
        for key, weight in other._buckets.items():
            self._buckets[key] = self._buckets.get(key, 0.0) + weight
        self._zeros += other._zeros
        self.count += other.count
        self.total += other.total
        self.min = min(self.min, other.min)
        self.max = max(self.max, other.max)

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else math.nan

    def quantile(self, q: float) -> float:
        """The q-quantile (0 <= q <= 1), NaN when empty."""
        if not 0 <= q <= 1:
            raise ValueError(f"quantile must lie in [0, 1], got {q!r}")
        if not self.count:
            return math.nan
        rank = q * (self.count - 1)
        seen = self._zeros
        if rank < seen:
            return 0.0
        for key in sorted(self._buckets):
            seen += self._buckets[key]
            if seen > rank:
                estimate = 2 * self._gamma**key / (self._gamma + 1)
                return min(max(estimate, self.min), self.max)
        return self.max

    def summary(self, quantiles: Sequence[float] = (0.5, 0.9, 0.99)) -> dict[str, float]:
        """`{"p50": ..., "p90": ..., "mean": ..., "max": ...}` (NaN entries when empty)."""
        out = {f"p{round(q * 100):d}": self.quantile(q) for q in quantiles}
        out["mean"] = self.mean
        out["max"] = self.max if self.count else math.nan
        return out


class TimeSeries:
    """(time, value) samples, thinned to at most `max_points` by keeping every k-th one."""

    __slots__ = ("times", "values", "max_points", "_stride", "_seen")

    def __init__(self, max_points: int = 20_000) -> None:
        self.times: list[float] = []
        self.values: list[float] = []
        self.max_points = max_points
        self._stride = 1
        self._seen = 0

    def add(self, time: float, value: float) -> None:
        self._seen += 1
        if self._seen % self._stride:
            return
        self.times.append(time)
        self.values.append(value)
        if len(self.times) >= self.max_points:
            self.times = self.times[::2]
            self.values = self.values[::2]
            self._stride *= 2


class UtilizationTracker:
    """Time-weighted mean of a level (busy servers, used memory) over the observed span."""

    __slots__ = ("_level", "_since", "_area", "_start")

    def __init__(self, start: float = 0.0, level: float = 0.0) -> None:
        self._level = level
        self._since = start
        self._start = start
        self._area = 0.0

    def set(self, time: float, level: float) -> None:
        self._area += self._level * (time - self._since)
        self._since = time
        self._level = level

    def mean(self, time: float) -> float:
        span = time - self._start
        if span <= 0:
            return self._level
        return (self._area + self._level * (time - self._since)) / span


class Counter(dict):
    """Named event counts that start at zero."""

    def incr(self, name: str, amount: int = 1) -> None:
        self[name] = self.get(name, 0) + amount


def jain_fairness(values: Sequence[float]) -> float:
    """Jain's index (sum x)^2 / (n sum x^2): 1 when all equal, 1/n when one takes everything."""
    n = len(values)
    if n == 0:
        return math.nan
    square_sum = sum(v * v for v in values)
    if square_sum == 0:
        return 1.0
    return sum(values) ** 2 / (n * square_sum)
