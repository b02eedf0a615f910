"""Numba kernels of the job-shop tabu search: disjunctive-graph evaluation, critical blocks,
N5 swap moves with the head/tail makespan estimate (Nowicki-Smutnicki, Taillard), perturbation."""

from __future__ import annotations

import numpy as np
from numba import njit

from schedlab.solvers.search.rng import randint

INF = np.int64(1) << 60


@njit(cache=True)
def links_from_sequences(seq, mptr, n):
    mprev = np.full(n, -1, np.int64)
    mnext = np.full(n, -1, np.int64)
    pos = np.zeros(n, np.int64)
    for m in range(mptr.shape[0] - 1):
        for i in range(mptr[m], mptr[m + 1]):
            v = seq[i]
            pos[v] = i
            if i > mptr[m]:
                mprev[v] = seq[i - 1]
            if i < mptr[m + 1] - 1:
                mnext[v] = seq[i + 1]
    return mprev, mnext, pos


@njit(cache=True)
def evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order):
    """Heads r (start times) and tails q (longest path after the end); -1 if the graph has a cycle."""
    n = p.shape[0]
    indeg = np.zeros(n, np.int64)
    for v in range(n):
        indeg[v] = (1 if jprev[v] >= 0 else 0) + (1 if mprev[v] >= 0 else 0)
    head = 0
    tail = 0
    for v in range(n):
        if indeg[v] == 0:
            order[tail] = v
            tail += 1
    while head < tail:
        v = order[head]
        head += 1
        start = release[v]
        a = jprev[v]
        if a >= 0 and r[a] + p[a] > start:
            start = r[a] + p[a]
        b = mprev[v]
        if b >= 0 and r[b] + p[b] > start:
            start = r[b] + p[b]
        r[v] = start
        for w in (jnext[v], mnext[v]):
            if w >= 0:
                indeg[w] -= 1
                if indeg[w] == 0:
                    order[tail] = w
                    tail += 1
    if tail < n:
        return -1
    cmax = 0
    for k in range(n - 1, -1, -1):
        v = order[k]
        t = 0
        a = jnext[v]
        if a >= 0 and q[a] + p[a] > t:
            t = q[a] + p[a]
        b = mnext[v]
        if b >= 0 and q[b] + p[b] > t:
            t = q[b] + p[b]
        q[v] = t
        if r[v] + p[v] + t > cmax:
            cmax = r[v] + p[v] + t
    return cmax


@njit(cache=True)
def critical_path(p, jprev, mprev, r, cmax, path):
    """Operations of one critical path, last first (machine arcs preferred); returns its length."""
    n = p.shape[0]
    length = 0
    v = -1
    for x in range(n):
        if r[x] + p[x] == cmax:
            v = x
            break
    while v >= 0:
        path[length] = v
        length += 1
        b = mprev[v]
        a = jprev[v]
        if b >= 0 and r[b] + p[b] == r[v]:
            v = b
        elif a >= 0 and r[a] + p[a] == r[v]:
            v = a
        else:
            v = -1
    return length


@njit(cache=True)
def n5_moves(p, jprev, mprev, mnext, r, cmax, path, moves_u, moves_v):
    """Critical path (ending at the first op that ends at cmax), cut into machine blocks; the N5
    moves swap the first two and last two ops of each block (not at the path's two ends)."""
    length = critical_path(p, jprev, mprev, r, cmax, path)
    # path is reversed: path[length-1] is the first op
    count = 0
    first_block = True
    k = length - 1
    while k >= 0:
        # extend block while the next path op is the machine successor
        j = k
        while j - 1 >= 0 and mnext[path[j]] == path[j - 1]:
            j -= 1
        size = k - j + 1
        last_block = j == 0
        if size >= 2:
            if not first_block:
                moves_u[count] = path[k]
                moves_v[count] = path[k - 1]
                count += 1
            if not last_block and (size > 2 or first_block):
                moves_u[count] = path[j + 1]
                moves_v[count] = path[j]
                count += 1
        first_block = False
        k = j - 1
    return count


@njit(cache=True)
def swap_estimate(u, v, p, release, jprev, jnext, mprev, mnext, r, q):
    """Estimated makespan after swapping adjacent machine neighbours u -> v (Taillard-style)."""
    a = mprev[u]
    b = mnext[v]
    rv = release[v]
    x = jprev[v]
    if x >= 0 and r[x] + p[x] > rv:
        rv = r[x] + p[x]
    if a >= 0 and r[a] + p[a] > rv:
        rv = r[a] + p[a]
    ru = release[u]
    x = jprev[u]
    if x >= 0 and r[x] + p[x] > ru:
        ru = r[x] + p[x]
    if rv + p[v] > ru:
        ru = rv + p[v]
    qu = 0
    x = jnext[u]
    if x >= 0 and q[x] + p[x] > qu:
        qu = q[x] + p[x]
    if b >= 0 and q[b] + p[b] > qu:
        qu = q[b] + p[b]
    qv = 0
    x = jnext[v]
    if x >= 0 and q[x] + p[x] > qv:
        qv = q[x] + p[x]
    if qu + p[u] > qv:
        qv = qu + p[u]
    e1 = ru + p[u] + qu
    e2 = rv + p[v] + qv
    return e1 if e1 > e2 else e2


@njit(cache=True)
def apply_swap(u, v, seq, pos, mprev, mnext):
    pu = pos[u]
    pv = pos[v]
    seq[pu] = v
    seq[pv] = u
    pos[u] = pv
    pos[v] = pu
    swap_links(u, v, mprev, mnext)


@njit(cache=True)
def swap_links(u, v, mprev, mnext):
    """Relink machine neighbours u -> v as v -> u; returns u's former predecessor (-1 if none)."""
    a = mprev[u]
    b = mnext[v]
    if a >= 0:
        mnext[a] = v
    mprev[v] = a
    mnext[v] = u
    mprev[u] = v
    mnext[u] = b
    if b >= 0:
        mprev[b] = u
    return a


@njit(cache=True)
def tabu_search(p, release, jprev, jnext, seq, mptr, it_start, iterations, max_stall, tenure_min, tenure_max, rng,
                tabu, best_seq, best_cmax_in, stall_in):
    """Run ``iterations`` tabu-search steps from ``seq`` (modified in place), continuing a search
    whose tabu matrix and step counter are passed in; the best solution found goes to ``best_seq``.
    Returns (best makespan, step counter, steps without improvement, finished)."""
    n = p.shape[0]
    mprev, mnext, pos = links_from_sequences(seq, mptr, n)
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    path = np.zeros(n, np.int64)
    moves_u = np.zeros(2 * n + 2, np.int64)
    moves_v = np.zeros(2 * n + 2, np.int64)
    cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
    best = best_cmax_in
    if cmax < best:
        best = cmax
        best_seq[:] = seq
    stall = stall_in
    it = it_start
    while it < it_start + iterations:
        it += 1
        count = n5_moves(p, jprev, mprev, mnext, r, cmax, path, moves_u, moves_v)
        if count == 0:
            return best, it, stall, True  # one block on the critical path: this makespan is optimal
        chosen = -1
        chosen_est = INF
        ties = 0
        for k in range(count):
            u = moves_u[k]
            v = moves_v[k]
            est = swap_estimate(u, v, p, release, jprev, jnext, mprev, mnext, r, q)
            if tabu[u, v] >= it and est >= best:
                continue
            if est < chosen_est:
                chosen_est = est
                chosen = k
                ties = 1
            elif est == chosen_est:
                ties += 1
                if randint(rng, ties) == 0:
                    chosen = k
        if chosen < 0:
            chosen = randint(rng, count)
        u = moves_u[chosen]
        v = moves_v[chosen]
        apply_swap(u, v, seq, pos, mprev, mnext)
        tabu[v, u] = np.int32(it + tenure_min + randint(rng, tenure_max - tenure_min + 1))
        cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
        if cmax < best:
            best = cmax
            best_seq[:] = seq
            stall = 0
        else:
            stall += 1
        if stall >= max_stall:
            # restart from the best solution with a few random N5 moves, forget the tabu list
            seq[:] = best_seq
            mprev, mnext, pos = links_from_sequences(seq, mptr, n)
            cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
            kicks = 2 + randint(rng, 4)
            for _ in range(kicks):
                count = n5_moves(p, jprev, mprev, mnext, r, cmax, path, moves_u, moves_v)
                if count == 0:
                    break
                k = randint(rng, count)
                apply_swap(moves_u[k], moves_v[k], seq, pos, mprev, mnext)
                cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
            tabu[:, :] = 0
            stall = 0
    return best, it, stall, False


@njit(cache=True)
def heads_of(p, release, jprev, jnext, seq, mptr):
    n = p.shape[0]
    mprev, mnext, pos = links_from_sequences(seq, mptr, n)
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
    return r, cmax + 0 * pos[0]
