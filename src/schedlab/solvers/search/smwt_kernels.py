"""Numba kernels for single-machine sequencing: cost of a sequence, swap/insertion descent,
iterated local search with random-swap kicks.

Job j finishing at C costs ``a[j] * max(0, C - d[j]) + b[j] * C`` (weighted tardiness plus
weighted completion time covers the usual single-machine objectives without release dates).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from schedlab.solvers.search.rng import randint


@njit(cache=True)
def job_cost(j, completion, a, b, d):
    late = completion - d[j]
    return (a[j] * late if late > 0 else 0) + b[j] * completion


@njit(cache=True)
def sequence_cost(seq, p, a, b, d):
    t = 0
    total = 0
    for k in range(seq.shape[0]):
        j = seq[k]
        t += p[j]
        total += job_cost(j, t, a, b, d)
    return total


@njit(cache=True)
def _prefix_times(seq, p, before):
    t = 0
    for k in range(seq.shape[0]):
        before[k] = t
        t += p[seq[k]]


@njit(cache=True)
def _swap_pass(seq, p, a, b, d, before):
    """One pass of first-improvement pairwise swaps; only the jobs between i and k move."""
    n = seq.shape[0]
    improved = False
    for i in range(n - 1):
        for k in range(i + 1, n):
            ji = seq[i]
            jk = seq[k]
            old = 0
            t_old = before[i]
            t_new = before[i] + p[jk]
            new = job_cost(jk, t_new, a, b, d)
            for x in range(i, k + 1):
                j = seq[x]
                t_old += p[j]
                old += job_cost(j, t_old, a, b, d)
                if i < x < k:
                    t_new += p[j]
                    new += job_cost(j, t_new, a, b, d)
            t_new += p[ji]
            new += job_cost(ji, t_new, a, b, d)
            if new < old:
                seq[i] = jk
                seq[k] = ji
                _prefix_times(seq, p, before)
                improved = True
    return improved


@njit(cache=True)
def _insertion_delta(seq, p, a, b, d, before, i, k):
    """New minus old cost of moving the job at position i to position k."""
    j = seq[i]
    lo = i if i < k else k
    hi = k if i < k else i
    old = 0
    t = before[lo]
    for x in range(lo, hi + 1):
        t += p[seq[x]]
        old += job_cost(seq[x], t, a, b, d)
    new = 0
    t = before[lo]
    if i < k:  # jobs i+1..k move forward, j goes after them
        for x in range(i + 1, k + 1):
            t += p[seq[x]]
            new += job_cost(seq[x], t, a, b, d)
        t += p[j]
        new += job_cost(j, t, a, b, d)
    else:  # j goes to position k, jobs k..i-1 move back
        t += p[j]
        new += job_cost(j, t, a, b, d)
        for x in range(k, i):
            t += p[seq[x]]
            new += job_cost(seq[x], t, a, b, d)
    return new - old


@njit(cache=True)
def _insertion_pass(seq, p, a, b, d, before):
    n = seq.shape[0]
    improved = False
    for i in range(n):
        for k in range(n):
            if k == i or k == i - 1:
                continue
            if _insertion_delta(seq, p, a, b, d, before, i, k) < 0:
                j = seq[i]
                if i < k:
                    for x in range(i, k):
                        seq[x] = seq[x + 1]
                else:
                    for x in range(i, k, -1):
                        seq[x] = seq[x - 1]
                seq[k] = j
                _prefix_times(seq, p, before)
                improved = True
    return improved


@njit(cache=True)
def descent(seq, p, a, b, d):
    """First-improvement descent over pairwise swaps and insertions; returns the final cost."""
    before = np.zeros(seq.shape[0], np.int64)
    _prefix_times(seq, p, before)
    improved = True
    while improved:
        improved = _swap_pass(seq, p, a, b, d, before)
        improved = _insertion_pass(seq, p, a, b, d, before) or improved
    return sequence_cost(seq, p, a, b, d)


@njit(cache=True)
def iterated_local_search(seq, p, a, b, d, iterations, kick_size, accept_ratio, restart_after, rng, best_seq, best_in,
                          progress):
    """``iterations`` rounds of kick (random swaps) + descent from ``seq``.

    A trial is accepted when it is no worse than the current sequence or within
    ``accept_ratio`` of the best; after ``restart_after`` rounds without a new best the search
    returns to the best sequence.  The best goes to ``best_seq``; returns its cost.
    """
    n = seq.shape[0]
    current = descent(seq, p, a, b, d)
    best = best_in
    if current < best:
        best = current
        best_seq[:] = seq
    trial = seq.copy()
    since = progress[0]
    for _ in range(iterations):
        if best == 0 or n < 2:
            break
        trial[:] = seq
        for _ in range(kick_size):
            i = randint(rng, n)
            k = randint(rng, n)
            tmp = trial[i]
            trial[i] = trial[k]
            trial[k] = tmp
        cost = descent(trial, p, a, b, d)
        since += 1
        if cost <= current or cost <= best * accept_ratio:
            current = cost
            seq[:] = trial
            if cost < best:
                best = cost
                best_seq[:] = trial
                since = 0
        if since > restart_after:
            seq[:] = best_seq
            current = best
            since = 0
    progress[0] = since
    return best
