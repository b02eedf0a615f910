"""Arrival-time generators: Poisson, bursty Gamma and replay of a recorded trace."""

from __future__ import annotations

import numpy as np


def _check(rate: float, n: int) -> None:
    if not rate > 0:
        raise ValueError(f"arrival rate must be positive, got {rate!r}")
    if n < 0:
        raise ValueError(f"number of arrivals must be non-negative, got {n!r}")


def poisson_arrivals(rate: float, n: int, seed: int, start: float = 0.0) -> np.ndarray:
    """`n` arrival times of a Poisson process with `rate` arrivals per time unit."""
    _check(rate, n)
    gaps = np.random.default_rng(seed).exponential(1.0 / rate, size=n)
    return start + np.cumsum(gaps)


def gamma_arrivals(rate: float, cv: float, n: int, seed: int, start: float = 0.0) -> np.ndarray:
    """`n` arrivals with Gamma inter-arrival gaps of mean 1/rate and coefficient of variation `cv`.

    cv = 1 is Poisson; cv > 1 gives bursts (shape 1/cv^2), cv < 1 gives smoother arrivals.
    """
    _check(rate, n)
    if not cv > 0:
        raise ValueError(f"coefficient of variation must be positive, got {cv!r}")
    shape = 1.0 / (cv * cv)
    gaps = np.random.default_rng(seed).gamma(shape, 1.0 / (rate * shape), size=n)
    return start + np.cumsum(gaps)


def rescale_arrivals(times: np.ndarray, rate: float | None = None, scale: float = 1.0) -> np.ndarray:
    """Replay recorded arrival times from zero, stretched by `scale` or rescaled to mean `rate`.

    Rescaling keeps the trace's burst structure (the relative gaps) and changes only its speed.
    """
    times = np.asarray(times, dtype=float)
    if times.size == 0:
        return times.copy()
    if np.any(np.diff(times) < 0):
        raise ValueError("trace arrival times must be non-decreasing")
    offsets = times - times[0]
    if rate is not None:
        if not rate > 0:
            raise ValueError(f"arrival rate must be positive, got {rate!r}")
        span = offsets[-1]
        if times.size < 2 or span <= 0:
            return offsets
        scale = (times.size - 1) / (rate * span)
    if not scale > 0:
        raise ValueError(f"time scale must be positive, got {scale!r}")
    return offsets * scale
