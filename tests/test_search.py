"""Tabu search and the auto portfolio: valid schedules, never worse than the start, seeds."""

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.result import Status
from schedlab.core.validate import first_violation
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.search.jssp_tabu import best_rule_start

TABU = ["tabu", "tabu-n7"]


@pytest.mark.parametrize("solver", TABU)
@pytest.mark.parametrize("name", ["ft06", "la01", "ft10", "ta001"])
def test_tabu_valid_and_not_worse_than_its_start(name, solver):
    problem = find_instance(name).load()
    start = best_rule_start(problem, 0)
    start_makespan = max(int(start[t]) + problem.tasks[t].modes[0].duration for t in range(len(problem.tasks)))
    result = solve(problem, solver, SolveOptions(seed=0, params={"iterations": 3000}))
    assert first_violation(problem, result.schedule) is None
    assert result.objective <= start_makespan


@pytest.mark.parametrize("solver", TABU)
def test_tabu_reaches_known_optima(solver):
    assert solve(find_instance("ft06").load(), solver, SolveOptions(params={"iterations": 20000})).objective == 55
    assert solve(find_instance("la01").load(), solver, SolveOptions(params={"iterations": 20000})).objective == 666


@pytest.mark.parametrize("solver", TABU)
def test_tabu_same_seed_same_schedule(solver):
    problem = find_instance("la16").load()
    options = SolveOptions(seed=5, params={"iterations": 5000})
    assert solve(problem, solver, options).schedule == solve(problem, solver, options).schedule


@pytest.mark.parametrize("name", ["ft10", "ta21"])
def test_n7_moves_never_close_a_cycle(name):
    """A random walk of N7 moves: every move passes the acyclicity test, so the graph stays acyclic,
    and on adjacent pairs the insertion estimate equals the N5 swap estimate."""
    import numpy as np

    from schedlab.solvers.search import jssp_kernels as k
    from schedlab.solvers.search.jssp_tabu import sequences_from_starts, shop_arrays

    problem = find_instance(name).load()
    a = shop_arrays(problem)
    n = len(problem.tasks)
    seq = sequences_from_starts(a, best_rule_start(problem, 0))
    mprev, mnext, pos = k.links_from_sequences(seq, a.mptr, n)
    r, q, order, path, buf = (np.zeros(n, np.int64) for _ in range(5))
    xs, ys, fwd = (np.zeros(4 * n + 4, np.int64) for _ in range(3))
    tabu = np.zeros((n, n), np.int32)
    rng = np.random.default_rng(1)
    cmax = k.evaluate(a.p, a.release, a.jprev, a.jnext, mprev, mnext, r, q, order)
    adjacent = 0
    for _ in range(3000):
        count = k.n7_moves(a.p, a.jprev, a.jnext, mprev, mnext, r, q, cmax, path, xs, ys, fwd)
        assert count > 0
        m = int(rng.integers(count))
        x, y, forward = int(xs[m]), int(ys[m]), bool(fwd[m])
        estimate = k.insertion_estimate(x, y, forward, a.p, a.release, a.jprev, a.jnext, mprev, mnext, r, q, buf)
        if (forward and mnext[x] == y) or (not forward and mprev[x] == y):
            u, v = (x, y) if forward else (y, x)
            assert estimate == k.swap_estimate(u, v, a.p, a.release, a.jprev, a.jnext, mprev, mnext, r, q)
            adjacent += 1
        k.apply_insertion(x, y, forward, seq, pos, mprev, mnext, tabu, 0)
        cmax = k.evaluate(a.p, a.release, a.jprev, a.jnext, mprev, mnext, r, q, order)
        assert cmax > 0, "an N7 move created a cycle"
    assert adjacent > 0


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
