"""Numba kernels for the permutation flow shop: Taillard-accelerated best insertion, NEH, and
the iterated greedy of Ruiz & Stuetzle (2007) with insertion local search."""

from __future__ import annotations

import numpy as np
from numba import njit

from schedlab.solvers.search.rng import next_u64, randint


@njit(cache=True)
def makespan(seq, length, proc):
    m = proc.shape[1]
    c = np.zeros(m, np.int64)
    for k in range(length):
        j = seq[k]
        c[0] += proc[j, 0]
        for i in range(1, m):
            c[i] = max(c[i], c[i - 1]) + proc[j, i]
    return c[m - 1]


@njit(cache=True)
def best_insertion(seq, length, job, proc, e, q, f):
    """Position (0..length) where inserting ``job`` gives the smallest makespan, and that makespan
    (Taillard 1990: heads e, tails q, heads f of the inserted job, O(length * m))."""
    m = proc.shape[1]
    for k in range(length):
        j = seq[k]
        for i in range(m):
            top = e[k - 1, i] if k > 0 else 0
            left = e[k, i - 1] if i > 0 else 0
            e[k, i] = max(top, left) + proc[j, i]
    for k in range(length - 1, -1, -1):
        j = seq[k]
        for i in range(m - 1, -1, -1):
            below = q[k + 1, i] if k < length - 1 else 0
            right = q[k, i + 1] if i < m - 1 else 0
            q[k, i] = max(below, right) + proc[j, i]
    best_pos = 0
    best = np.int64(1) << 60
    for k in range(length + 1):
        value = 0
        for i in range(m):
            top = e[k - 1, i] if k > 0 else 0
            left = f[i - 1] if i > 0 else 0
            f[i] = max(top, left) + proc[job, i]
            tail = q[k, i] if k < length else 0
            if f[i] + tail > value:
                value = f[i] + tail
        if value < best:
            best = value
            best_pos = k
    return best_pos, best


@njit(cache=True)
def insert_at(seq, length, pos, job):
    for k in range(length, pos, -1):
        seq[k] = seq[k - 1]
    seq[pos] = job


@njit(cache=True)
def remove_at(seq, length, pos):
    job = seq[pos]
    for k in range(pos, length - 1):
        seq[k] = seq[k + 1]
    return job


@njit(cache=True)
def neh(order, proc):
    n, m = proc.shape
    seq = np.zeros(n, np.int64)
    e = np.zeros((n + 1, m), np.int64)
    q = np.zeros((n + 1, m), np.int64)
    f = np.zeros(m, np.int64)
    seq[0] = order[0]
    for k in range(1, n):
        pos, _ = best_insertion(seq, k, order[k], proc, e, q, f)
        insert_at(seq, k, pos, order[k])
    return seq


@njit(cache=True)
def local_search(seq, proc, rng, e, q, f):
    """Iterative improvement by insertion: reinsert each job (random order) at its best place."""
    n = seq.shape[0]
    current = makespan(seq, n, proc)
    improved = True
    while improved:
        improved = False
        order = np.arange(n)
        for k in range(n - 1, 0, -1):
            r = randint(rng, k + 1)
            tmp = order[k]
            order[k] = order[r]
            order[r] = tmp
        for idx in range(n):
            job = order[idx]
            pos = 0
            for k in range(n):
                if seq[k] == job:
                    pos = k
                    break
            remove_at(seq, n, pos)
            best_pos, value = best_insertion(seq, n - 1, job, proc, e, q, f)
            insert_at(seq, n - 1, best_pos, job)
            if value < current:
                current = value
                improved = True
    return current


@njit(cache=True)
def iterated_greedy(seq, proc, iterations, destruct, temperature, rng, best_seq, best_in):
    n, m = proc.shape
    e = np.zeros((n + 1, m), np.int64)
    q = np.zeros((n + 1, m), np.int64)
    f = np.zeros(m, np.int64)
    current = local_search(seq, proc, rng, e, q, f)
    best = best_in
    if current < best:
        best = current
        best_seq[:] = seq
    trial = seq.copy()
    removed = np.zeros(destruct, np.int64)
    for _ in range(iterations):
        trial[:] = seq
        length = n
        for r in range(destruct):
            pos = randint(rng, length)
            removed[r] = remove_at(trial, length, pos)
            length -= 1
        for r in range(destruct):
            pos, _ = best_insertion(trial, length, removed[r], proc, e, q, f)
            insert_at(trial, length, pos, removed[r])
            length += 1
        value = local_search(trial, proc, rng, e, q, f)
        if value < current:
            current = value
            seq[:] = trial
            if value < best:
                best = value
                best_seq[:] = trial
        else:
            u = (next_u64(rng) >> np.uint64(11)) * (1.0 / 9007199254740992.0)
            if u < np.exp(-(value - current) / temperature):
                current = value
                seq[:] = trial
    return best
