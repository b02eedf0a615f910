"""Numba kernels of the flexible job-shop tabu search.

A solution is a machine per operation plus a sequence per machine, kept as linked lists
(``mprev``/``mnext`` and each machine's ``head``), so that an operation can move between
machines.  Moves: N5 swaps on critical blocks (head/tail estimate, as in the job shop) and
reassignment of a critical operation to another eligible machine, inserted where its current
start time falls in that machine's sequence (evaluated exactly).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from schedlab.solvers.search.jssp_kernels import INF, critical_path, evaluate, n5_moves, swap_estimate, swap_links
from schedlab.solvers.search.rng import randint


@njit(cache=True)
def _unlink(u, m, mprev, mnext, head):
    a = mprev[u]
    b = mnext[u]
    if a >= 0:
        mnext[a] = b
    else:
        head[m] = b
    if b >= 0:
        mprev[b] = a
    mprev[u] = -1
    mnext[u] = -1


@njit(cache=True)
def _link_by_start(u, m, start, r, mprev, mnext, head):
    """Insert u into machine m's list before the first operation whose start exceeds ``start``."""
    prev = -1
    cur = head[m]
    while cur >= 0 and (r[cur] < start or (r[cur] == start and cur < u)):
        prev = cur
        cur = mnext[cur]
    mprev[u] = prev
    mnext[u] = cur
    if prev >= 0:
        mnext[prev] = u
    else:
        head[m] = u
    if cur >= 0:
        mprev[cur] = u


@njit(cache=True)
def _swap_linked(u, v, mprev, mnext, head, m):
    if swap_links(u, v, mprev, mnext) < 0:
        head[m] = v


@njit(cache=True)
def _best_reassignment(path, length, alt_ptr, alt_machine, alt_dur, release, jprev, jnext, assign, p, mprev, mnext,
                       head, r, r2, q2, order, tabu_move, it, best):
    """The best non-tabu move of a critical operation to another machine (exact makespan)."""
    best_u = -1
    best_alt = -1
    best_value = INF
    for idx in range(length):
        u = path[idx]
        old_alt = assign[u]
        m_old = alt_machine[old_alt]
        for alt in range(alt_ptr[u], alt_ptr[u + 1]):
            if alt == old_alt:
                continue
            m_new = alt_machine[alt]
            _unlink(u, m_old, mprev, mnext, head)
            _link_by_start(u, m_new, r[u], r, mprev, mnext, head)
            p[u] = alt_dur[alt]
            value = evaluate(p, release, jprev, jnext, mprev, mnext, r2, q2, order)
            _unlink(u, m_new, mprev, mnext, head)
            _link_by_start(u, m_old, r[u], r, mprev, mnext, head)
            p[u] = alt_dur[old_alt]
            if value < 0 or (tabu_move[u, m_new] >= it and value >= best):
                continue
            if value < best_value:
                best_value = value
                best_u = u
                best_alt = alt
    return best_u, best_alt, best_value


@njit(cache=True)
def fjsp_tabu(  # noqa: C901 - the tabu step loop
    alt_ptr, alt_machine, alt_dur, release, jprev, jnext, assign, mprev, mnext, head, it_start,
              iterations, max_stall, tenure_min, tenure_max, rng, tabu_swap, tabu_move, best_assign, best_r,
              best_in, stall_in):
    """Tabu search steps; ``assign[u]`` is the index (into alt_*) of u's machine alternative.
    The best assignment and its start times go to ``best_assign``/``best_r``.
    Returns (best makespan, step counter, stall counter)."""
    n = release.shape[0]
    p = np.zeros(n, np.int64)
    for u in range(n):
        p[u] = alt_dur[assign[u]]
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    path = np.zeros(n, np.int64)
    moves_u = np.zeros(2 * n + 2, np.int64)
    moves_v = np.zeros(2 * n + 2, np.int64)
    r2 = np.zeros(n, np.int64)
    q2 = np.zeros(n, np.int64)
    cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
    best = best_in
    if cmax < 0:  # a cyclic state: ask the caller to restart from the best solution
        return best, it_start, max_stall
    if cmax < best:
        best = cmax
        best_assign[:] = assign
        best_r[:] = r
    stall = stall_in
    it = it_start
    while it < it_start + iterations:
        it += 1
        count = n5_moves(p, jprev, mprev, mnext, r, cmax, path, moves_u, moves_v)
        length = critical_path(p, jprev, mprev, r, cmax, path)
        best_kind = -1
        best_est = INF
        best_x = -1
        best_y = -1
        for k in range(count):
            u = moves_u[k]
            v = moves_v[k]
            est = swap_estimate(u, v, p, release, jprev, jnext, mprev, mnext, r, q)
            if tabu_swap[u, v] >= it and est >= best:
                continue
            if est < best_est or (est == best_est and randint(rng, 2) == 0):
                best_est = est
                best_kind = 0
                best_x = u
                best_y = v
        u, alt, value = _best_reassignment(path, length, alt_ptr, alt_machine, alt_dur, release, jprev, jnext, assign,
                                           p, mprev, mnext, head, r, r2, q2, order, tabu_move, it, best)
        if u >= 0 and value < best_est:
            best_est = value
            best_kind = 1
            best_x = u
            best_y = alt
        if best_kind < 0:
            if count == 0:
                stall += 1
                if stall >= max_stall:
                    break
                continue
            k = randint(rng, count)
            best_kind = 0
            best_x = moves_u[k]
            best_y = moves_v[k]
        if best_kind == 0:
            m = alt_machine[assign[best_x]]
            _swap_linked(best_x, best_y, mprev, mnext, head, m)
            tabu_swap[best_y, best_x] = np.int32(it + tenure_min + randint(rng, tenure_max - tenure_min + 1))
        else:
            u = best_x
            m_old = alt_machine[assign[u]]
            _unlink(u, m_old, mprev, mnext, head)
            _link_by_start(u, alt_machine[best_y], r[u], r, mprev, mnext, head)
            assign[u] = best_y
            p[u] = alt_dur[best_y]
            tabu_move[u, m_old] = np.int32(it + tenure_min + randint(rng, tenure_max - tenure_min + 1))
        cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
        if cmax < 0:  # the move closed a cycle: ask the caller to restart from the best solution
            return best, it, max_stall
        if cmax < best:
            best = cmax
            best_assign[:] = assign
            best_r[:] = r
            stall = 0
        else:
            stall += 1
    return best, it, stall
