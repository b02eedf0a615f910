"""``fbi``: sampling plus forward-backward improvement for resource-constrained projects.

Each round draws activity priorities (latest finish time plus seeded noise), builds a serial
SGS schedule, then applies double justification (Valls, Ballestin & Quintanilla 2005): shift
every activity as late as possible in decreasing order of finish times, then as early as
possible in increasing order of start times, while the makespan shrinks.  Modes chosen in
the forward pass are kept during justification.
"""

from __future__ import annotations

import time

import numpy as np

from schedlab.core.model import Problem
from schedlab.core.result import Result, Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.solvers.base import SOLVERS, SolveOptions, schedule_result
from schedlab.solvers.capabilities import Capabilities, SolverBase
from schedlab.solvers.rules.arrays import build_arrays
from schedlab.solvers.rules.priorities import RULES
from schedlab.solvers.rules.sgs import ResourceProfile, _mode_arrays, serial_sgs


def list_schedule(problem: Problem, order: list[int], modes: np.ndarray, backward: bool, horizon: int) -> np.ndarray:
    """Schedule activities in ``order`` at their earliest feasible time (latest, when ``backward``).

    Backward scheduling works on mirrored time: an activity's mirrored start must follow the
    mirrored ends of its successors.  Returns real start times.
    """
    mode_data = _mode_arrays(problem)
    profile = ResourceProfile(problem, horizon)
    n = len(problem.tasks)
    start = np.zeros(n, np.int64)  # in the direction's own time
    done = np.zeros(n, bool)
    for t in order:
        d, res, dem = mode_data[t][int(modes[t])]
        links = problem.successors[t] if backward else problem.predecessors[t]
        est = 0
        for p in links:
            other = p.after if backward else p.before
            assert done[other], "order is not precedence-feasible"
            od = mode_data[other][int(modes[other])][0]
            est = max(est, int(start[other]) + od + p.lag)
        s = profile.earliest_fit(est, d, res, dem)
        profile.reserve(s, d, res, dem)
        start[t] = s
        done[t] = True
    if not backward:
        return start
    ends = np.array([start[t] + mode_data[t][int(modes[t])][0] for t in range(n)])
    total = int(ends.max(initial=0))
    return np.array([total - int(ends[t]) for t in range(n)], np.int64)


def double_justify(problem: Problem, starts: np.ndarray, modes: np.ndarray) -> np.ndarray:
    durations = np.array([problem.tasks[t].modes[int(modes[t])].duration for t in range(len(problem.tasks))])
    best = starts
    best_span = int((starts + durations).max())
    horizon = problem.horizon()
    while True:
        finish = best + durations
        right_order = sorted(range(len(best)), key=lambda t: (-finish[t], -t))
        right = list_schedule(problem, right_order, modes, True, horizon)
        left_order = sorted(range(len(best)), key=lambda t: (right[t], t))
        left = list_schedule(problem, left_order, modes, False, horizon)
        span = int((left + durations).max())
        if span >= best_span:
            return best
        best, best_span = left, span


class ProjectFBI(SolverBase):
    name = "fbi"
    capabilities = Capabilities(objectives=frozenset({"makespan"})).without(
        "setups", "blocking", "no_wait", "downtime", "release_dates", "deadlines", "negative_lags")

    def limits(self, problem: Problem) -> str | None:
        if problem.is_machine_problem and all(len(t.modes) == 1 for t in problem.tasks):
            return "use tabu search for single-mode machine problems"
        return None

    def solve(self, problem: Problem, options: SolveOptions) -> Result:
        started = time.perf_counter()
        arrays = build_arrays(problem)
        rng = np.random.default_rng(options.seed)
        n = len(problem.tasks)
        lft = arrays.lft.astype(float)
        spread = max(1.0, float(lft.max() - lft.min()))
        best_starts, best_modes, best_span = None, None, None
        budget = options.params.get("iterations")
        rounds = 0
        lower = int(arrays.tail.max(initial=0))
        while True:
            if budget is not None and rounds >= int(budget):
                break
            if budget is None and rounds > 0 and time.perf_counter() - started >= options.time_limit:
                break
            noise = rng.random(n) * spread * (0.0 if rounds == 0 else float(rng.uniform(0.05, 0.5)))
            keys = lft + noise  # the lft rule code orders by the "lft" array; noise enters through it
            starts, modes = serial_sgs(problem, _with_lft(arrays, keys), RULES["lft"][0], rng.random(n))
            starts = double_justify(problem, starts, modes)
            span = int(max(starts[t] + problem.tasks[t].modes[int(modes[t])].duration for t in range(n)))
            rounds += 1
            if best_span is None or span < best_span:
                best_starts, best_modes, best_span = starts, modes, span
                if options.on_incumbent:
                    options.on_incumbent(float(span), float(lower), time.perf_counter() - started)
            if best_span <= lower:
                break
        assert best_starts is not None and best_modes is not None
        schedule = Schedule(ScheduledTask(t, int(best_modes[t]), int(best_starts[t]),
                                          int(best_starts[t]) + problem.tasks[t].modes[int(best_modes[t])].duration)
                            for t in range(n))
        status = Status.OPTIMAL if best_span <= lower else Status.FEASIBLE
        return schedule_result(problem, self.name, schedule, status, float(lower), time.perf_counter() - started,
                               options.seed, rounds=rounds)


def _with_lft(arrays, keys: np.ndarray):
    from dataclasses import replace

    return replace(arrays, lft=keys)


SOLVERS.register("fbi", ProjectFBI, "sampled serial SGS with forward-backward improvement (RCPSP, makespan)")
