"""Numba kernels of the project genetic algorithm: serial SGS, double justification, one GA generation.

A project is arrays: durations `dur[n]`, demands `req[n, R]`, capacities `cap[R]`, and the
precedence graph twice in CSR form (predecessors and successors, each arc with its lag).
Schedules are built on a resource-usage table `usage[horizon, R]` that the caller allocates
once. Orders are precedence-feasible activity lists; `topo[n]` (a topological rank) breaks
ties between equal times so that sorting a schedule's times always gives such a list.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from schedlab.solvers.search.rng import next_u64, randint


@njit(cache=True)
def serial_sgs(order, dur, req, cap, ptr, idx, lag, usage, start):
    """Schedule `order` one activity at a time at its earliest precedence- and resource-feasible start.

    With the successor arcs in (`ptr`, `idx`, `lag`) the same code schedules backward in
    mirrored time. Returns the makespan; `start` receives the starts.
    """
    n = order.shape[0]
    resources = cap.shape[0]
    usage[:, :] = 0
    span = 0
    for k in range(n):
        j = order[k]
        est = 0
        for q in range(ptr[j], ptr[j + 1]):
            i = idx[q]
            e = start[i] + dur[i] + lag[q]
            if e > est:
                est = e
        d = dur[j]
        t = est
        if d > 0:
            tau = t
            while tau < t + d:
                fits = True
                for r in range(resources):
                    if usage[tau, r] + req[j, r] > cap[r]:
                        fits = False
                        break
                if fits:
                    tau += 1
                else:
                    t = tau + 1
                    tau = t
            for tau in range(t, t + d):
                for r in range(resources):
                    usage[tau, r] += req[j, r]
        start[j] = t
        if t + d > span:
            span = t + d
    return span


@njit(cache=True)
def schedule_order(start, topo):
    """The activity list of a schedule: activities by start time, ties by topological rank."""
    n = start.shape[0]
    key = np.empty(n, np.int64)
    for j in range(n):
        key[j] = start[j] * (n + 1) + topo[j]
    return np.argsort(key).astype(np.int64)


@njit(cache=True)
def justify(start, dur, req, cap, pptr, pidx, plag, sptr, sidx, slag, topo, usage, scratch):
    """Double justification (Valls, Ballestin & Quintanilla 2005) until the makespan stops shrinking.

    Right pass: activities by decreasing finish, each as late as possible; left pass: by the
    right schedule's starts, each as early as possible. Neither pass lengthens the schedule.
    Writes the result into `start`; returns its makespan.
    """
    n = start.shape[0]
    span = 0
    for j in range(n):
        if start[j] + dur[j] > span:
            span = start[j] + dur[j]
    key = np.empty(n, np.int64)
    while True:
        for j in range(n):
            key[j] = -((start[j] + dur[j]) * (n + 1) + topo[j])
        right_order = np.argsort(key)
        right_span = serial_sgs(right_order, dur, req, cap, sptr, sidx, slag, usage, scratch)
        for j in range(n):
            scratch[j] = right_span - scratch[j] - dur[j]  # mirrored start -> real start
        left_order = schedule_order(scratch, topo)
        new_span = serial_sgs(left_order, dur, req, cap, pptr, pidx, plag, usage, scratch)
        if new_span >= span:
            return span
        span = new_span
        start[:] = scratch


@njit(cache=True)
def decode(order, dur, req, cap, pptr, pidx, plag, sptr, sidx, slag, topo, usage, start, scratch):
    """Serial SGS of `order`, justified; `order` is rewritten as the justified schedule's own list."""
    serial_sgs(order, dur, req, cap, pptr, pidx, plag, usage, start)
    span = justify(start, dur, req, cap, pptr, pidx, plag, sptr, sidx, slag, topo, usage, scratch)
    order[:] = schedule_order(start, topo)
    return span


@njit(cache=True)
def _fingerprint(start, weights):
    h = np.uint64(0)
    for j in range(start.shape[0]):
        h += np.uint64(start[j] + 1) * weights[j]
    return h


@njit(cache=True)
def _crossover(mother, father, q1, q2, child, taken):
    """Hartmann's two-point crossover: mother's first q1, father's next (q2 - q1) unseen, mother's rest."""
    n = mother.shape[0]
    taken[:] = False
    k = 0
    for i in range(q1):
        child[k] = mother[i]
        taken[mother[i]] = True
        k += 1
    for i in range(n):
        if k >= q2:
            break
        a = father[i]
        if not taken[a]:
            child[k] = a
            taken[a] = True
            k += 1
    for i in range(n):
        a = mother[i]
        if not taken[a]:
            child[k] = a
            taken[a] = True
            k += 1


@njit(cache=True)
def _mutate(child, direct, rate_per_million, rng):
    """Swap neighbours that are not linked by a precedence, each with the given probability."""
    n = child.shape[0]
    for i in range(n - 1):
        if randint(rng, 1_000_000) < rate_per_million and not direct[child[i], child[i + 1]]:
            a = child[i]
            child[i] = child[i + 1]
            child[i + 1] = a


@njit(cache=True)
def generations(pop, spans, prints, count, dur, req, cap, pptr, pidx, plag, sptr, sidx, slag, topo, direct,
                weights, mutation_per_million, rng, usage, start, scratch):
    """Run `count` generations of the elitist GA on population `pop` (sorted by `spans`, best first).

    Each generation pairs random parents, builds two children each (crossover, mutation,
    justified decoding), and keeps the best `len(pop)` distinct schedules of parents and
    children (distinct by a fingerprint of their start times). Returns the best makespan.
    """
    size, n = pop.shape
    kids = np.empty((size, n), np.int64)
    kid_spans = np.empty(size, np.int64)
    kid_prints = np.empty(size, np.uint64)
    taken = np.empty(n, np.bool_)
    all_rows = np.empty((2 * size, n), np.int64)
    all_spans = np.empty(2 * size, np.int64)
    all_prints = np.empty(2 * size, np.uint64)
    for _ in range(count):
        for c in range(0, size - 1, 2):
            mother = pop[randint(rng, size)]
            father = pop[randint(rng, size)]
            q1 = randint(rng, n)
            q2 = q1 + randint(rng, n - q1 + 1)
            _crossover(mother, father, q1, q2, kids[c], taken)
            _crossover(father, mother, q1, q2, kids[c + 1], taken)
        if size % 2:
            kids[size - 1] = pop[randint(rng, size)]
        for c in range(size):
            _mutate(kids[c], direct, mutation_per_million, rng)
            kid_spans[c] = decode(kids[c], dur, req, cap, pptr, pidx, plag, sptr, sidx, slag, topo, usage, start,
                                  scratch)
            kid_prints[c] = _fingerprint(start, weights)
        all_rows[:size] = pop
        all_rows[size:] = kids
        all_spans[:size] = spans
        all_spans[size:] = kid_spans
        all_prints[:size] = prints
        all_prints[size:] = kid_prints
        rank = np.argsort(all_spans, kind="mergesort")  # parents first among equals: stable
        kept = 0
        for r in range(2 * size):
            i = rank[r]
            duplicate = False
            for k in range(kept):
                if prints[k] == all_prints[i] and spans[k] == all_spans[i]:
                    duplicate = True
                    break
            if duplicate:
                continue
            pop[kept] = all_rows[i]
            spans[kept] = all_spans[i]
            prints[kept] = all_prints[i]
            kept += 1
            if kept == size:
                break
        r = 0
        while kept < size:  # too few distinct schedules: fill with copies of the best, mutated next time
            pop[kept] = pop[r % max(kept, 1)]
            spans[kept] = spans[r % max(kept, 1)]
            prints[kept] = prints[r % max(kept, 1)] + np.uint64(1 + r)
            kept += 1
            r += 1
    return spans[0]


@njit(cache=True)
def biased_order(keys, pptr, pidx, rng, noise):
    """A precedence-feasible list: repeatedly the eligible activity with the smallest key plus noise.

    `noise` scales a uniform perturbation of the keys (0: the plain priority rule).
    """
    n = keys.shape[0]
    missing = np.zeros(n, np.int64)
    for j in range(n):
        missing[j] = pptr[j + 1] - pptr[j]
    noisy = np.empty(n)
    for j in range(n):
        noisy[j] = keys[j] + noise * (next_u64(rng) % np.uint64(1_000_000)) / 1_000_000.0
    done = np.zeros(n, np.bool_)
    order = np.empty(n, np.int64)
    # successors of each activity, from the predecessor lists
    count = np.zeros(n + 1, np.int64)
    for j in range(n):
        for q in range(pptr[j], pptr[j + 1]):
            count[pidx[q] + 1] += 1
    for j in range(n):
        count[j + 1] += count[j]
    succ = np.empty(count[n], np.int64)
    fill = count[:-1].copy()
    for j in range(n):
        for q in range(pptr[j], pptr[j + 1]):
            i = pidx[q]
            succ[fill[i]] = j
            fill[i] += 1
    for k in range(n):
        best = -1
        for j in range(n):
            if not done[j] and missing[j] == 0 and (best < 0 or noisy[j] < noisy[best]):
                best = j
        order[k] = best
        done[best] = True
        for q in range(count[best], count[best + 1]):
            missing[succ[q]] -= 1
    return order
