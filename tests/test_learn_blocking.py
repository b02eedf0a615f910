"""ISBJSSP: the blocking job shop with swaps and interruptions as a dispatching process, its rules and solver."""

from __future__ import annotations

import numpy as np
import pytest

from schedlab.cli import main
from schedlab.core.objectives import evaluate
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import first_violation
from schedlab.instances import load_instance
from schedlab.learn.blocking import (
    BLOCKING_RULES,
    BlockingDispatch,
    Interruptions,
    blocking_arrays,
    rule_choice,
    run_rule,
)
from schedlab.problems.generators import random_job_shop
from schedlab.problems.shop import chain_routes, job_shop
from schedlab.solvers.base import SolveOptions, get_solver


def _blocking(problem):
    routes = chain_routes(problem)
    return job_shop(problem.name + "-blocking", [[op[0] for op in r] for r in routes], len(problem.resources),
                    blocking=True)


def _schedule(problem, state) -> Schedule:
    return Schedule(ScheduledTask(t, 0, int(state.start[t]), int(state.start[t]) + task.modes[0].duration)
                    for t, task in enumerate(problem.tasks))


def test_two_jobs_waiting_for_each_others_machine_swap_golden():
    """J0: M0 (3) then M1 (2); J1: M1 (3) then M0 (2). Both block after their first operation, each holding the
    machine the other wants: without a swap this deadlocks; with it both move at t=3, makespan 5, as CP-SAT finds."""
    problem = job_shop("swap", [[(0, 3), (1, 2)], [(1, 3), (0, 2)]], 2, blocking=True)
    state = BlockingDispatch(blocking_arrays(problem))
    assert state.done and state.swaps == 1 and state.makespan == 5
    schedule = _schedule(problem, state)
    assert first_violation(problem, schedule) is None and evaluate(problem, schedule) == 5
    assert get_solver("cpsat").solve(problem, SolveOptions(time_limit=5)).objective == 5


@pytest.mark.parametrize("rule", [*BLOCKING_RULES, "random"])
@pytest.mark.parametrize("name", ["ft06", "la01"])
def test_every_rule_gives_a_schedule_the_validator_accepts(rule, name):
    problem = _blocking(load_instance(name).problem)
    state = run_rule(blocking_arrays(problem), rule)
    schedule = _schedule(problem, state)
    assert first_violation(problem, schedule) is None
    assert evaluate(problem, schedule) == state.makespan


@pytest.mark.parametrize("seed", range(4))
def test_mask_is_exactly_the_jobs_wanting_the_lowest_free_machine_and_random_episodes_are_valid(seed):
    problem = _blocking(random_job_shop(7, 5, seed=seed))
    state = BlockingDispatch(blocking_arrays(problem), max_jobs=9)
    rng = np.random.default_rng(seed)
    while not state.done:
        m = state.m_star
        wanting = {j for j in range(7) if state.target(j) == m}
        assert set(np.flatnonzero(state.legal).tolist()) == wanting and len(wanting) >= 2
        assert state.holder[m] < 0 and state.down_until[m] <= state.now and not state.legal[7:].any()
        for lower in range(m):  # every lower machine is busy, down, or wanted by nobody
            assert state.holder[lower] >= 0 or not any(state.target(j) == lower for j in range(7))
        state.step(int(rng.choice(sorted(wanting))))
    assert first_violation(problem, _schedule(problem, state)) is None


@pytest.mark.parametrize("rate", [0.003, 0.02])
def test_interruptions_delay_but_never_overlap_or_cut_an_operation_short(rate):
    problem = _blocking(load_instance("la01").problem)
    arrays = blocking_arrays(problem)
    state = run_rule(arrays, "mwkr", Interruptions(rate), seed=3)
    assert state.shutdowns > 0
    occupied: dict[int, list[tuple[int, int]]] = {}
    for j in range(arrays.n_jobs):
        for o in range(arrays.length[j]):
            start = int(state.start[arrays.task[j, o]])
            leave = int(state.start[arrays.task[j, o + 1]]) if o + 1 < arrays.length[j] else None
            if leave is not None:
                assert leave - start >= arrays.duration[j, o]  # processed in full before moving on
            occupied.setdefault(int(arrays.machine[j, o]), []).append((start, leave if leave is not None else start + 1))
    for spans in occupied.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    calm = run_rule(arrays, "mwkr", Interruptions(0.0), seed=3)
    again = run_rule(arrays, "mwkr", Interruptions(rate), seed=3)
    assert again.makespan == state.makespan and calm.shutdowns == 0


def test_illegal_job_is_refused():
    problem = _blocking(load_instance("ft06").problem)
    state = BlockingDispatch(blocking_arrays(problem))
    bad = int(np.flatnonzero(~state.legal[:6])[0])
    with pytest.raises(ValueError, match="does not want machine"):
        state.step(bad)
    assert rule_choice(state, "spt") in np.flatnonzero(state.legal)


def test_learned_blocking_solver_gives_valid_schedules_and_refuses_buffered_shops():
    solver = get_solver("learned-isbjssp")
    for name in ("ft06", "la16"):
        problem = _blocking(load_instance(name).problem)
        result = solver.solve(problem, SolveOptions())
        assert first_violation(problem, result.schedule) is None and result.objective == evaluate(problem, result.schedule)
    assert "blocking" in solver.unsupported(load_instance("ft06").problem)
    assert main(["solve", "ft06", "--solver", "learned-isbjssp"]) == 2


@pytest.mark.parametrize("two_sets", [False, True])
def test_dmu_style_generator_routes_and_durations(two_sets):
    from schedlab.problems.generators import dmu_job_shop

    problem = dmu_job_shop(20, 10, seed=4, two_sets=two_sets)
    routes = chain_routes(problem)
    assert len(routes) == 20 and all(sorted(op[0][0] for op in r) == list(range(10)) for r in routes)
    assert all(1 <= op[0][1] <= 200 for r in routes for op in r)
    if two_sets:  # every job visits machines 0-4 before 5-9
        assert all(max(op[0][0] for op in r[:5]) < 5 for r in routes)
    assert chain_routes(dmu_job_shop(20, 10, seed=4, two_sets=two_sets)) == routes
    assert get_solver("learned-jobshop").solve(problem, SolveOptions()).schedule is not None
