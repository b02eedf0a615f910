"""Numba kernels for rule-based schedule generation (the hot loops).

Giffler-Thompson runs in O(n * ready) per schedule; on a 100x20 job shop this takes well under
a millisecond once compiled (the benchmark ``benchmarks/rules_speed.py`` measures it).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

NO_DUE = 1 << 40


@njit(cache=True)
def _push_past_downtime(start, duration, machine, down_ptr, down_start, down_end):
    """Earliest start >= start whose [start, start + duration) avoids the machine's downtime."""
    moved = True
    while moved:
        moved = False
        for w in range(down_ptr[machine], down_ptr[machine + 1]):
            length = duration if duration > 0 else 1
            if start < down_end[w] and down_start[w] < start + length:
                start = down_end[w]
                moved = True
    return start


@njit(cache=True)
def _score(  # noqa: C901 - one branch per rule, flat by design
    rule, t, duration, start, due, weight, job_work, job_ops, ready_time, random_key,
           lft, lst, mts, grpw, mean_duration):
    if rule == 0:
        return float(duration)
    if rule == 1:
        return -float(duration)
    if rule == 2:
        return -float(job_work)
    if rule == 3:
        return float(job_work)
    if rule == 4:
        return -float(job_ops)
    if rule == 5:
        return float(ready_time)
    if rule == 6:
        return float(due)
    if rule == 7:
        return float(max(due, start + job_work))
    if rule == 8:
        slack = max(0.0, float(due - start - job_work))
        p = max(float(duration), 1e-9)
        return -(weight / p) * math.exp(-slack / (2.0 * max(mean_duration, 1e-9)))
    if rule == 9:
        return float(due - start) / max(float(job_work), 1e-9)
    if rule == 10:
        return float(due - start - job_work)
    if rule == 11:
        return random_key
    if rule == 12:
        return float(lft)
    if rule == 13:
        return float(lst)
    if rule == 14:
        return -float(mts)
    return -float(grpw)


PROGRAM_RULE = 99
N_TERMINALS = 9  # p, work, ops, due, t, ready, weight, slack, tail (see schedlab.discovery.expr)


@njit(cache=True)
def program_score(ops, consts, p, work, n_ops, due, t, ready, weight, tail):  # noqa: C901 - flat interpreter
    """Evaluate a postfix priority program (terminal codes < 100, operators >= 100)."""
    stack = np.empty(64, np.float64)
    top = 0
    for k in range(ops.shape[0]):
        op = ops[k]
        if op < 100:
            if op == 0:
                v = float(p)
            elif op == 1:
                v = float(work)
            elif op == 2:
                v = float(n_ops)
            elif op == 3:
                v = float(due)
            elif op == 4:
                v = float(t)
            elif op == 5:
                v = float(ready)
            elif op == 6:
                v = float(weight)
            elif op == 7:
                v = float(due - t - work)
            elif op == 8:
                v = float(tail)
            else:
                v = consts[k]
            stack[top] = v
            top += 1
        elif op == 106:
            stack[top - 1] = -stack[top - 1]
        else:
            b = stack[top - 1]
            a = stack[top - 2]
            top -= 1
            if op == 100:
                r = a + b
            elif op == 101:
                r = a - b
            elif op == 102:
                r = a * b
            elif op == 103:
                r = a / b if abs(b) > 1e-9 else 1.0
            elif op == 104:
                r = a if a > b else b
            else:
                r = a if a < b else b
            stack[top - 1] = r
    return stack[0] if top > 0 else 0.0


@njit(cache=True)
def giffler_thompson(  # noqa: C901
    rule, mode_ptr, mode_machine, mode_dur, succ_ptr, succ_idx, succ_lag, pred_count,
                     release, task_job, due, weight, task_min_dur, job_work0, job_ops0, random_key, lft, lst, mts, grpw,
                     n_machines, down_ptr, down_start, down_end, setup, has_setup, prog_ops, prog_consts):
    """Active schedule by Giffler-Thompson with greedy mode choice; returns (start, mode)."""
    n = pred_count.shape[0]
    start_out = np.full(n, -1, np.int64)
    mode_out = np.zeros(n, np.int64)
    remaining_preds = pred_count.copy()
    est = release.copy()
    ready_time = release.copy()
    free = np.zeros(n_machines, np.int64)
    last = np.full(n_machines, -1, np.int64)
    job_work = job_work0.copy()
    job_ops = job_ops0.copy()
    ready = np.empty(n, np.int64)
    n_ready = 0
    for t in range(n):
        if remaining_preds[t] == 0:
            ready[n_ready] = t
            n_ready += 1
    best_s = np.zeros(n, np.int64)
    best_c = np.zeros(n, np.int64)
    best_k = np.zeros(n, np.int64)
    total = 0.0
    for k in range(mode_dur.shape[0]):
        total += mode_dur[k]
    mean_duration = total / max(1, mode_dur.shape[0])
    for _ in range(n):
        c_star = np.int64(1) << 62
        m_star = -1
        for i in range(n_ready):
            t = ready[i]
            best_c[t] = np.int64(1) << 62
            for k in range(mode_ptr[t], mode_ptr[t + 1]):
                m = mode_machine[k]
                d = mode_dur[k]
                s = max(est[t], free[m])
                if has_setup and last[m] >= 0:
                    s = max(s, free[m] + setup[m, last[m], t])
                s = _push_past_downtime(s, d, m, down_ptr, down_start, down_end)
                c = s + d
                if c < best_c[t] or (c == best_c[t] and d < mode_dur[best_k[t]]):
                    best_c[t] = c
                    best_s[t] = s
                    best_k[t] = k
            if best_c[t] < c_star:
                c_star = best_c[t]
                m_star = mode_machine[best_k[t]]
        chosen = -1
        chosen_pos = -1
        chosen_score = 0.0
        for i in range(n_ready):
            t = ready[i]
            if mode_machine[best_k[t]] != m_star or (best_s[t] >= c_star and best_c[t] != c_star):
                continue
            j = task_job[t]
            work = job_work[j] if j >= 0 else task_min_dur[t]
            ops = job_ops[j] if j >= 0 else 1
            if rule == PROGRAM_RULE:
                score = program_score(prog_ops, prog_consts, mode_dur[best_k[t]], work, ops, due[t], best_s[t],
                                      ready_time[t], weight[t], work)
            else:
                score = _score(rule, t, mode_dur[best_k[t]], best_s[t], due[t], weight[t], work, ops, ready_time[t],
                               random_key[t], lft[t], lst[t], mts[t], grpw[t], mean_duration)
            if chosen < 0 or score < chosen_score or (score == chosen_score and t < chosen):
                chosen = t
                chosen_pos = i
                chosen_score = score
        t = chosen
        k = best_k[t]
        m = mode_machine[k]
        start_out[t] = best_s[t]
        mode_out[t] = k - mode_ptr[t]
        end = best_s[t] + mode_dur[k]
        if mode_dur[k] > 0 or free[m] < end:
            free[m] = max(free[m], end)
            last[m] = t
        ready[chosen_pos] = ready[n_ready - 1]
        n_ready -= 1
        j = task_job[t]
        if j >= 0:
            job_ops[j] -= 1
            job_work[j] -= task_min_dur[t]
        for e in range(succ_ptr[t], succ_ptr[t + 1]):
            u = succ_idx[e]
            est[u] = max(est[u], end + succ_lag[e])
            remaining_preds[u] -= 1
            if remaining_preds[u] == 0:
                ready_time[u] = est[u]
                ready[n_ready] = u
                n_ready += 1
    return start_out, mode_out
