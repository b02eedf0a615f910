"""A tiny explicit xorshift generator usable inside Numba kernels (no global random state)."""

from __future__ import annotations

import numpy as np
from numba import njit


def make_state(seed: int) -> np.ndarray:
    """A non-zero 64-bit state derived from the seed through NumPy's seeded generator."""
    value = int(np.random.default_rng(seed).integers(1, 2**63 - 1))
    return np.array([value], np.uint64)


@njit(cache=True)
def next_u64(state):
    x = state[0]
    x ^= (x << np.uint64(13)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    x ^= x >> np.uint64(7)
    x ^= (x << np.uint64(17)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    state[0] = x
    return x


@njit(cache=True)
def randint(state, n):
    """Uniform integer in [0, n)."""
    return np.int64(next_u64(state) % np.uint64(n))
