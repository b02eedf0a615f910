"""Tabu search and the auto portfolio: valid schedules, never worse than the start, seeds."""

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.result import Status
from schedlab.core.validate import first_violation
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.search.jssp_tabu import best_rule_start


@pytest.mark.parametrize("name", ["ft06", "la01", "ft10", "ta001"])
def test_tabu_valid_and_not_worse_than_its_start(name):
    problem = find_instance(name).load()
    start = best_rule_start(problem, 0)
    start_makespan = max(int(start[t]) + problem.tasks[t].modes[0].duration for t in range(len(problem.tasks)))
    result = solve(problem, "tabu", SolveOptions(seed=0, params={"iterations": 3000}))
    assert first_violation(problem, result.schedule) is None
    assert result.objective <= start_makespan


def test_tabu_reaches_known_optima():
    assert solve(find_instance("ft06").load(), "tabu", SolveOptions(params={"iterations": 20000})).objective == 55
    assert solve(find_instance("la01").load(), "tabu", SolveOptions(params={"iterations": 20000})).objective == 666


def test_tabu_same_seed_same_schedule():
    problem = find_instance("la16").load()
    options = SolveOptions(seed=5, params={"iterations": 5000})
    assert solve(problem, "tabu", options).schedule == solve(problem, "tabu", options).schedule


def test_tabu_refuses_other_problems():
    from schedlab.core.errors import UnsupportedProblemError

    with pytest.raises(UnsupportedProblemError):
        solve(find_instance("j301_1").load(), "tabu")


@pytest.mark.parametrize("name", ["ft06", "Mk01", "j301_1", "wt40-001", "ta001"])
def test_auto_gives_valid_schedules_on_every_class(name):
    problem = find_instance(name).load()
    result = solve(problem, "auto", SolveOptions(time_limit=3, seed=0))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert first_violation(problem, result.schedule) is None
    rule = solve(problem, "rules:mwkr")
    assert result.objective <= rule.objective


@pytest.mark.parametrize("name", ["ta001", "ta011"])
def test_iterated_greedy_gives_permutation_schedules(name):
    from schedlab.solvers.search.pfsp_ig import flow_shop_matrix
    from schedlab.solvers.search.pfsp_kernels import makespan, neh

    problem = find_instance(name).load()
    result = solve(problem, "ig", SolveOptions(seed=0, params={"iterations": 30}))
    assert first_violation(problem, result.schedule) is None
    order_on = {}
    for s in result.schedule:
        order_on.setdefault(problem.tasks[s.task].modes[0].resources[0], []).append(problem.tasks[s.task].job)
    assert len({tuple(v) for v in order_on.values()}) == 1  # the same job order on every machine
    proc = flow_shop_matrix(problem)
    import numpy as np

    start = neh(np.lexsort((np.arange(len(proc)), -proc.sum(axis=1))).astype(np.int64), proc)
    assert result.objective <= makespan(start, len(start), proc)
    again = solve(problem, "ig", SolveOptions(seed=0, params={"iterations": 30}))
    assert again.schedule == result.schedule


@pytest.mark.parametrize("name", ["j301_1", "j301_2", "Mk01"])
def test_fbi_valid_and_not_worse_than_lft(name):
    problem = find_instance(name).load()
    result = solve(problem, "fbi", SolveOptions(seed=0, params={"iterations": 20}))
    assert first_violation(problem, result.schedule) is None
    assert result.objective <= solve(problem, "rules:lft").objective
    assert solve(problem, "fbi", SolveOptions(seed=0, params={"iterations": 20})).schedule == result.schedule


@pytest.mark.parametrize("name", ["Mk01", "Mk04", "Mk06", "Mk07", "ft06"])
def test_fjsp_tabu_valid_seeded_and_not_worse_than_its_start(name):
    from schedlab.solvers.search.fjsp_tabu import _start

    problem = find_instance(name).load()
    starts, modes = _start(problem, SolveOptions(seed=0))
    start_span = max(int(starts[t]) + problem.tasks[t].modes[int(modes[t])].duration for t in range(len(starts)))
    options = SolveOptions(seed=2, params={"iterations": 3000})  # Mk06/Mk07 once produced cycles
    result = solve(problem, "tabu-fjsp", options)
    assert first_violation(problem, result.schedule) is None
    assert result.objective <= start_span
    assert solve(problem, "tabu-fjsp", options).schedule == result.schedule


def test_fjsp_tabu_reaches_ft06_optimum():
    result = solve(find_instance("ft06").load(), "tabu-fjsp", SolveOptions(seed=0, params={"iterations": 3000}))
    assert result.objective == 55
