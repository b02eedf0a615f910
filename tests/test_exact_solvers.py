"""CP-SAT and the HiGHS MILP: golden optima, every objective against brute force, features."""

import itertools

import pytest

from schedlab.core.model import OBJECTIVE_TERMS, Objective, ProblemBuilder
from schedlab.core.objectives import evaluate
from schedlab.core.result import Status
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import first_violation
from schedlab.problems.shop import single_machine
from schedlab.solvers import SolveOptions, solve

FAST = SolveOptions(time_limit=20, seed=0, workers=2)


def test_ft06_makespan_is_55(ft06):
    result = solve(ft06, "cpsat", FAST)
    assert result.status is Status.OPTIMAL
    assert result.objective == 55 and result.lower_bound == 55
    assert first_violation(ft06, result.schedule) is None


def test_j30_instance_at_its_optimum(j301_1):
    result = solve(j301_1, "cpsat", FAST)
    assert (result.status, result.objective, result.lower_bound) == (Status.OPTIMAL, 43, 43)
    assert first_violation(j301_1, result.schedule) is None


@pytest.mark.parametrize("solver", ["cpsat", "milp"])
def test_hand_checked_weighted_tardiness(tardiness3, solver):
    result = solve(tardiness3, solver, FAST)
    assert result.status is Status.OPTIMAL
    assert result.objective == 3
    order = [s.task for s in result.schedule]
    assert order == [2, 1, 0]


def _brute_force_single_machine(problem) -> int:
    """Best objective over all job orders, each job started as early as its release allows.

    Semi-active schedules are optimal for regular objectives; earliness is not regular, so
    this brute force is only used for the regular terms.
    """
    best = None
    durations = [problem.tasks[j].modes[0].duration for j in range(len(problem.tasks))]
    releases = [problem.jobs[j].release for j in range(len(problem.jobs))]
    for order in itertools.permutations(range(len(problem.tasks))):
        t, items = 0, []
        for j in order:
            start = max(t, releases[j])
            items.append(ScheduledTask(j, 0, start, start + durations[j]))
            t = start + durations[j]
        value = evaluate(problem, Schedule(items))
        best = value if best is None else min(best, value)
    return best


REGULAR = [t for t in OBJECTIVE_TERMS if t != "total_earliness"]


@pytest.mark.parametrize("term", REGULAR)
@pytest.mark.parametrize("solver", ["cpsat", "milp"])
def test_every_regular_objective_matches_brute_force(term, solver):
    problem = single_machine("sm5", [3, 1, 4, 2, 5], [2, 1, 3, 1, 2], [4, 2, 9, 5, 8], releases=[0, 1, 0, 3, 2],
                             objective=term)
    result = solve(problem, solver, FAST)
    assert result.status is Status.OPTIMAL
    assert result.objective == _brute_force_single_machine(problem)
    assert first_violation(problem, result.schedule) is None


@pytest.mark.parametrize("solver", ["cpsat", "milp"])
def test_earliness_and_tardiness_combined(solver):
    # one job, p=2, d=6: it should end exactly at 6 (start 4), objective 0
    problem = single_machine("et", [2], [1], [6], objective="total_earliness")
    problem = problem.with_objective(Objective(total_earliness=1, total_tardiness=1))
    result = solve(problem, solver, FAST)
    assert result.objective == 0 and result.schedule[0].start == 4


def test_weighted_sum_of_terms():
    problem = single_machine("sum", [2, 2], [1, 1], [2, 2]).with_objective(Objective(makespan=10, tardy_jobs=1))
    result = solve(problem, "cpsat", FAST)
    assert result.objective == 10 * 4 + 1


def _feature_problem(**kw):
    b = ProblemBuilder("features")
    m0 = b.add_machine("M0", unavailable=kw.get("down", ()))
    m1 = b.add_machine("M1")
    j0 = b.add_job("J0", release=kw.get("release", 0), deadline=kw.get("deadline"))
    j1 = b.add_job("J1")
    a = b.add_task([(m0, 3)], job=j0)
    c = b.add_task([(m1, 2)], job=j0)
    d = b.add_task([(m0, 2)], job=j1)
    e = b.add_task([(m1, 4)], job=j1)
    b.add_precedence(a, c, lag=kw.get("lag", 0), no_wait=kw.get("no_wait", False), blocking=kw.get("blocking", False))
    b.add_precedence(d, e)
    for x, y, s in kw.get("setups", ()):
        b.add_setup(m0, x, y, s)
    return b.build()


@pytest.mark.parametrize(
    ("kw", "makespan"),
    [
        ({}, 8),  # d(0-2) a(2-5) e(2-6) c(6-8)
        ({"lag": 3}, 10),  # d(0-2) a(2-5) e(2-6) c(8-10); a first gives 11
        ({"release": 4}, 9),  # d(0-2) e(2-6) a(4-7) c(7-9)
        ({"down": [(0, 4)]}, 12),  # M0 down until 4: d(4-6) a(6-9) e(6-10) c(10-12)
        ({"setups": [(2, 0, 5), (0, 2, 5)]}, 12),  # d(0-2), setup 5, a(7-10) c(10-12); a first gives 14
        ({"blocking": True, "lag": 2}, 9),  # d(0-2) a(2-5) e(2-6) c(7-9), M0 blocked until 7
    ],
)
def test_cpsat_features_reach_hand_computed_optimum(kw, makespan):
    problem = _feature_problem(**kw)
    result = solve(problem, "cpsat", FAST)
    assert result.status is Status.OPTIMAL
    assert first_violation(problem, result.schedule) is None
    assert result.objective == makespan
    if "lag" in kw or "release" in kw or "down" in kw:
        milp = solve(problem, "milp", FAST) if not kw.get("blocking") else None
        if milp is not None:
            assert milp.objective == makespan


def test_infeasible_deadline_is_a_status_not_an_exception():
    problem = _feature_problem(deadline=4)  # J0 needs 3 + 2 time units in sequence
    for solver in ("cpsat", "milp"):
        result = solve(problem, solver, FAST)
        assert result.status is Status.INFEASIBLE
        assert result.schedule is None and result.objective is None


def test_no_wait_is_exact():
    problem = _feature_problem(no_wait=True, lag=1)
    result = solve(problem, "cpsat", FAST)
    by_task = result.schedule.by_task()
    assert by_task[1].start == by_task[0].end + 1
    assert first_violation(problem, result.schedule) is None


def test_cpsat_hint_and_incumbent_callback(ft06):
    seen = []
    warm = solve(ft06, "rules:mwkr")
    result = solve(ft06, "cpsat", SolveOptions(time_limit=20, hint=warm.schedule,
                                               on_incumbent=lambda obj, bound, t: seen.append(obj)))
    assert result.objective == 55
    assert seen and seen[-1] == 55 and all(a >= b for a, b in zip(seen, seen[1:], strict=False))


def test_milp_refuses_what_it_cannot_model():
    from schedlab.core.errors import UnsupportedProblemError

    with pytest.raises(UnsupportedProblemError, match="setups"):
        solve(_feature_problem(setups=[(0, 2, 1)]), "milp", FAST)


def test_cpsat_is_deterministic_with_one_worker(ft06):
    options = SolveOptions(time_limit=20, seed=3, workers=1)
    assert solve(ft06, "cpsat", options).schedule == solve(ft06, "cpsat", options).schedule


def test_a_stop_that_arrives_before_cpsat_starts_solving_is_not_lost():
    """``CpSolver.stop_search`` is a no-op before ``solve``; the portfolio's hook must still stop the solve."""
    from ortools.sat.python import cp_model

    from schedlab.bench.suites import find_instance
    from schedlab.solvers.base import cpsat_stop_hook
    from schedlab.solvers.cpsat import build_model

    built = build_model(find_instance("j12031_4").load())  # far from solved in the time limit below
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 600.0
    solver.parameters.num_workers = 1
    cpsat_stop_hook(solver)()  # the rival finished while this model was being built
    assert solver.solve(built.model) == cp_model.UNKNOWN
    assert solver.wall_time < 60.0  # far below its own limit: it never searched
