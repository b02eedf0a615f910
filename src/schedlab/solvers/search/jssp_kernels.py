"""Numba kernels of the job-shop tabu search: disjunctive-graph evaluation, critical blocks,
N5 swap moves with the head/tail makespan estimate (Nowicki-Smutnicki, Taillard), N7 insertion
moves (Zhang, Li, Guan & Rao 2007) with the Balas-Vazacopoulos acyclicity conditions, perturbation."""

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
def block_end(path, k, mnext):
    """Index of the last operation of the critical block that starts at path[k] (the path is stored
    last operation first, so the block runs from path[k] down to the returned index on one machine)."""
    j = k
    while j - 1 >= 0 and mnext[path[j]] == path[j - 1]:
        j -= 1
    return j


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
        j = block_end(path, k, mnext)
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
def _backward_ok(x, y, p, jprev, r):
    """Moving x right before y (y earlier on a critical path) keeps the graph acyclic: no path can
    lead from y to x's job predecessor (Balas & Vazacopoulos 1998)."""
    a = jprev[x]
    return a < 0 or r[y] + p[y] >= r[a] + p[a]


@njit(cache=True)
def _forward_ok(x, y, p, jnext, q):
    """Moving x right after y (y later on a critical path) keeps the graph acyclic: no path can
    lead from x's job successor to y (Balas & Vazacopoulos 1998)."""
    s = jnext[x]
    return s < 0 or q[y] + p[y] >= q[s] + p[s]


@njit(cache=True)
def _push(moves_x, moves_y, moves_fwd, count, x, y, fwd, ok):
    if ok:
        moves_x[count] = x
        moves_y[count] = y
        moves_fwd[count] = fwd
        return count + 1
    return count


@njit(cache=True)
def _block_moves(path, j, k, first_block, last_block, p, jprev, jnext, r, q, moves_x, moves_y, moves_fwd, count):
    """The N7 moves of the block path[k], path[k-1], ..., path[j] (machine order), appended at ``count``."""
    first = path[k]
    last = path[j]
    size = k - j + 1
    if not first_block:
        for i in range(j, k):  # to the front
            count = _push(moves_x, moves_y, moves_fwd, count, path[i], first, 0,
                          _backward_ok(path[i], first, p, jprev, r))
    if not last_block and not (size == 2 and not first_block):  # a two-block's one swap is already listed
        for i in range(j + 1, k + 1):  # to the end
            count = _push(moves_x, moves_y, moves_fwd, count, path[i], last, 1,
                          _forward_ok(path[i], last, p, jnext, q))
    if not first_block and not last_block:
        for i in range(j + 1, k - 1):  # the first into the interior, after path[i]
            count = _push(moves_x, moves_y, moves_fwd, count, first, path[i], 1,
                          _forward_ok(first, path[i], p, jnext, q))
        for i in range(j + 2, k):  # the last into the interior, before path[i]
            count = _push(moves_x, moves_y, moves_fwd, count, last, path[i], 0,
                          _backward_ok(last, path[i], p, jprev, r))
    return count


@njit(cache=True)
def n7_moves(p, jprev, jnext, mprev, mnext, r, q, cmax, path, moves_x, moves_y, moves_fwd):
    """N7 on the critical blocks: any operation of a block moved to its front or its end, and the
    first or last operation moved into the block's interior.  As in N5, inner moves of the first
    block and of the last block cannot shorten the path, so the first block only sends operations
    to its end and the last block only to its front.  Move k puts moves_x[k] right after
    moves_y[k] (moves_fwd[k] == 1) or right before it (0); only moves that keep the graph acyclic
    by the Balas-Vazacopoulos conditions are listed."""
    length = critical_path(p, jprev, mprev, r, cmax, path)
    count = 0
    first_block = True
    k = length - 1
    while k >= 0:
        j = block_end(path, k, mnext)
        size = k - j + 1  # block = path[k], path[k-1], ..., path[j] in machine order
        last_block = j == 0
        if size >= 2:
            count = _block_moves(path, j, k, first_block, last_block, p, jprev, jnext, r, q, moves_x, moves_y,
                                 moves_fwd, count)
        first_block = False
        k = j - 1
    return count


@njit(cache=True)
def insertion_estimate(x, y, forward, p, release, jprev, jnext, mprev, mnext, r, q, buf):
    """Estimated makespan after moving x right after (forward) or before y on their machine: heads
    and tails recomputed along the moved segment only, the rest of the graph kept (Balas-Vazacopoulos)."""
    m = 0
    if forward:
        a = mprev[x]
        b = mnext[y]
        v = mnext[x]
        while True:
            buf[m] = v
            m += 1
            if v == y:
                break
            v = mnext[v]
        buf[m] = x
        m += 1
    else:
        a = mprev[y]
        b = mnext[x]
        buf[0] = x
        m = 1
        v = y
        while v != x:
            buf[m] = v
            m += 1
            v = mnext[v]
    heads = np.empty(m, np.int64)
    prev_end = r[a] + p[a] if a >= 0 else 0
    for i in range(m):
        v = buf[i]
        s = release[v]
        u = jprev[v]
        if u >= 0 and r[u] + p[u] > s:
            s = r[u] + p[u]
        if prev_end > s:
            s = prev_end
        heads[i] = s
        prev_end = s + p[v]
    after = q[b] + p[b] if b >= 0 else 0
    estimate = 0
    for i in range(m - 1, -1, -1):
        v = buf[i]
        t = after
        u = jnext[v]
        if u >= 0 and q[u] + p[u] > t:
            t = q[u] + p[u]
        after = t + p[v]
        if heads[i] + p[v] + t > estimate:
            estimate = heads[i] + p[v] + t
    return estimate


@njit(cache=True)
def insertion_is_tabu(x, y, forward, tabu, it, mprev, mnext):
    """True when the move restores an order that a recent move reversed (tabu[a, b]: b may not
    be put back before a)."""
    if forward:
        v = mnext[x]
        while True:
            if tabu[x, v] >= it:
                return True
            if v == y:
                return False
            v = mnext[v]
    v = mprev[x]
    while True:
        if tabu[v, x] >= it:
            return True
        if v == y:
            return False
        v = mprev[v]


@njit(cache=True)
def apply_insertion(x, y, forward, seq, pos, mprev, mnext, tabu, until):
    """Move x right after (forward) or before y by adjacent swaps; forbids undoing each swap until ``until``."""
    while True:
        w = mnext[x] if forward else mprev[x]
        if forward:
            apply_swap(x, w, seq, pos, mprev, mnext)
            tabu[w, x] = until
        else:
            apply_swap(w, x, seq, pos, mprev, mnext)
            tabu[x, w] = until
        if w == y:
            return


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
                tabu, best_seq, best_cmax_in, stall_in, neighbourhood=5):
    """Run ``iterations`` tabu-search steps from ``seq`` (modified in place), continuing a search
    whose tabu matrix and step counter are passed in; the best solution found goes to ``best_seq``.
    ``neighbourhood`` is 5 (adjacent swaps) or 7 (insertions).
    Returns (best makespan, step counter, steps without improvement, finished)."""
    n = p.shape[0]
    mprev, mnext, pos = links_from_sequences(seq, mptr, n)
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    path = np.zeros(n, np.int64)
    moves_u = np.zeros(2 * n + 2, np.int64)
    moves_v = np.zeros(2 * n + 2, np.int64)
    ins_x = np.zeros(4 * n + 4, np.int64)
    ins_y = np.zeros(4 * n + 4, np.int64)
    ins_fwd = np.zeros(4 * n + 4, np.int64)
    buf = np.zeros(n, np.int64)
    estimates = np.zeros(4 * n + 4, np.int64)
    allowed = np.zeros(4 * n + 4, np.bool_)
    cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
    best = best_cmax_in
    if cmax < best:
        best = cmax
        best_seq[:] = seq
    stall = stall_in
    it = it_start
    while it < it_start + iterations:
        it += 1
        if neighbourhood == 7:
            count = n7_moves(p, jprev, jnext, mprev, mnext, r, q, cmax, path, ins_x, ins_y, ins_fwd)
            if count == 0:
                return best, it, stall, True
            _n7_step(count, ins_x, ins_y, ins_fwd, p, release, jprev, jnext, seq, pos, mprev, mnext, r, q, buf,
                     tabu, it, best, tenure_min, tenure_max, rng, estimates, allowed)
            count = 1
        else:
            count = n5_moves(p, jprev, mprev, mnext, r, cmax, path, moves_u, moves_v)
        if count == 0:
            return best, it, stall, True  # one block on the critical path: this makespan is optimal
        if neighbourhood != 7:
            _n5_step(count, moves_u, moves_v, p, release, jprev, jnext, seq, pos, mprev, mnext, r, q, tabu, it, best,
                     tenure_min, tenure_max, rng, estimates, allowed)
        cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
        if cmax < best:
            best = cmax
            best_seq[:] = seq
            stall = 0
        else:
            stall += 1
        if stall >= max_stall:
            cmax = _kick(p, release, jprev, jnext, seq, mptr, best_seq, r, q, order, path, moves_u, moves_v, tabu, rng)
            mprev, mnext, pos = links_from_sequences(seq, mptr, n)
            stall = 0
    return best, it, stall, False


@njit(cache=True)
def _pick(estimates, allowed, count, rng):
    """The admissible move with the lowest estimate, ties broken uniformly at random; a random move if none is."""
    chosen = -1
    chosen_est = INF
    ties = 0
    for k in range(count):
        if not allowed[k]:
            continue
        if estimates[k] < chosen_est:
            chosen_est = estimates[k]
            chosen = k
            ties = 1
        elif estimates[k] == chosen_est:
            ties += 1
            if randint(rng, ties) == 0:
                chosen = k
    if chosen < 0:
        chosen = randint(rng, count)
    return chosen


@njit(cache=True)
def _n7_step(count, ins_x, ins_y, ins_fwd, p, release, jprev, jnext, seq, pos, mprev, mnext, r, q, buf, tabu, it, best,
             tenure_min, tenure_max, rng, estimates, allowed):
    """Apply the best N7 move; tabu moves are admissible only when they beat the best makespan."""
    for k in range(count):
        fwd = ins_fwd[k] == 1
        estimates[k] = insertion_estimate(ins_x[k], ins_y[k], fwd, p, release, jprev, jnext, mprev, mnext, r, q, buf)
        allowed[k] = estimates[k] < best or not insertion_is_tabu(ins_x[k], ins_y[k], fwd, tabu, it, mprev, mnext)
    chosen = _pick(estimates, allowed, count, rng)
    until = np.int32(it + tenure_min + randint(rng, tenure_max - tenure_min + 1))
    apply_insertion(ins_x[chosen], ins_y[chosen], ins_fwd[chosen] == 1, seq, pos, mprev, mnext, tabu, until)


@njit(cache=True)
def _n5_step(count, moves_u, moves_v, p, release, jprev, jnext, seq, pos, mprev, mnext, r, q, tabu, it, best,
             tenure_min, tenure_max, rng, estimates, allowed):
    """Apply the best N5 swap; tabu swaps are admissible only when they beat the best makespan."""
    for k in range(count):
        u = moves_u[k]
        v = moves_v[k]
        estimates[k] = swap_estimate(u, v, p, release, jprev, jnext, mprev, mnext, r, q)
        allowed[k] = estimates[k] < best or tabu[u, v] < it
    chosen = _pick(estimates, allowed, count, rng)
    u = moves_u[chosen]
    v = moves_v[chosen]
    apply_swap(u, v, seq, pos, mprev, mnext)
    tabu[v, u] = np.int32(it + tenure_min + randint(rng, tenure_max - tenure_min + 1))


@njit(cache=True)
def _kick(p, release, jprev, jnext, seq, mptr, best_seq, r, q, order, path, moves_u, moves_v, tabu, rng):
    """Restart from the best solution with a few random N5 swaps and an empty tabu list; returns the makespan."""
    n = p.shape[0]
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
    return cmax


@njit(cache=True)
def heads_of(p, release, jprev, jnext, seq, mptr):
    n = p.shape[0]
    mprev, mnext, pos = links_from_sequences(seq, mptr, n)
    r = np.zeros(n, np.int64)
    q = np.zeros(n, np.int64)
    order = np.zeros(n, np.int64)
    cmax = evaluate(p, release, jprev, jnext, mprev, mnext, r, q, order)
    return r, cmax + 0 * pos[0]
