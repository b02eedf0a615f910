"""``ti-sat``: exact makespans on hand-checked and random projects, cooperation hooks, refusals."""

import numpy as np
import pytest

from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.model import Mode, Objective, ProblemBuilder
from schedlab.core.result import Status
from schedlab.core.validate import first_violation
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.base import StopToken
from schedlab.solvers.time_indexed import TimeIndexedModel, windows
from tests.test_exact_solvers import _feature_problem

FAST = SolveOptions(time_limit=30, seed=0, workers=2)


def _random_project(seed: int, n: int = 9):
    """A small RCPSP: two resources of capacity 4, random demands, a random acyclic precedence graph."""
    rng = np.random.default_rng(seed)
    b = ProblemBuilder(f"project-{seed}", kind="rcpsp")
    resources = [b.add_resource(f"R{r}", capacity=4) for r in range(2)]
    tasks = []
    for _ in range(n):
        demands = tuple(int(d) for d in rng.integers(0, 4, size=2))
        tasks.append(b.add_task([Mode(int(rng.integers(1, 6)), tuple(resources), demands)]))
    for j in range(1, n):
        for i in range(j):
            if rng.random() < 0.15:
                b.add_precedence(tasks[i], tasks[j])
    return b.build()


@pytest.mark.parametrize(
    ("kw", "makespan"),
    [({}, 8), ({"lag": 3}, 10), ({"release": 4}, 9), ({"down": [(0, 4)]}, 12)],
)
def test_hand_computed_optimum(kw, makespan):
    problem = _feature_problem(**kw)
    result = solve(problem, "ti-sat", FAST)
    assert (result.status, result.objective, result.lower_bound) == (Status.OPTIMAL, makespan, makespan)
    assert first_violation(problem, result.schedule) is None


def test_no_wait_keeps_the_exact_gap():
    problem = _feature_problem(no_wait=True, lag=1)
    result = solve(problem, "ti-sat", FAST)
    assert result.objective == solve(problem, "cpsat", FAST).objective
    by_task = result.schedule.by_task()
    assert by_task[1].start == by_task[0].end + 1


@pytest.mark.parametrize("seed", range(8))
def test_random_projects_match_cpsat(seed):
    problem = _random_project(seed)
    exact = solve(problem, "cpsat", FAST)
    result = solve(problem, "ti-sat", FAST)
    assert exact.status is Status.OPTIMAL and result.status is Status.OPTIMAL
    assert result.objective == exact.objective == result.lower_bound
    assert first_violation(problem, result.schedule) is None


def test_psplib_instance_proved(j301_1):
    result = solve(j301_1, "ti-sat", FAST)
    assert (result.status, result.objective, result.lower_bound) == (Status.OPTIMAL, 43, 43)
    assert first_violation(j301_1, result.schedule) is None


def test_encoding_refutes_below_the_optimum_and_admits_it(j301_1):
    win = windows(j301_1)
    assert win.critical_path <= 43
    below = TimeIndexedModel(j301_1, win, 42)
    at = TimeIndexedModel(j301_1, win, 43)
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert below.empty or solver.solve(below.model) == cp_model.INFEASIBLE
    assert solver.solve(at.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    schedule = at.read_schedule(solver)
    assert first_violation(j301_1, schedule) is None and max(s.end for s in schedule) <= 43


def test_shared_upper_bound_is_refuted_without_own_schedule(j301_1):
    rule = solve(j301_1, "rules:lft", FAST)
    assert rule.objective > 43
    result = solve(j301_1, "ti-sat", SolveOptions(time_limit=30, hint=rule.schedule, upper_bound=lambda: 43.0))
    assert result.lower_bound == 43 and result.stats["refutations"] == 1
    assert result.objective == rule.objective and result.status is Status.FEASIBLE


def test_stop_token_ends_both_solvers_at_once(j301_1):
    stop = StopToken()
    stop.stop()
    rule = solve(j301_1, "rules:lft", FAST)
    result = solve(j301_1, "ti-sat", SolveOptions(time_limit=30, hint=rule.schedule, stop=stop))
    assert result.status is Status.FEASIBLE and result.objective == rule.objective
    assert solve(j301_1, "cpsat", SolveOptions(time_limit=30, stop=stop)).status is Status.UNKNOWN
    calls = []
    stop.register(lambda: calls.append(1))
    assert calls == [1]  # a hook registered after the stop runs at once


def test_auto_proves_a_project(j301_1):
    result = solve(j301_1, "auto", SolveOptions(time_limit=10, seed=0))
    assert (result.status, result.objective) == (Status.OPTIMAL, 43)


def test_portfolio_phase_runs_cpsat_beside_ti_sat_to_a_proof(j301_1):
    """The phase itself, from a rule's schedule: one side proves, the other is stopped, the result is optimal."""
    from schedlab.solvers.portfolio import AutoPortfolio, _Incumbent, _time_indexed_fits

    state = _Incumbent(j301_1, SolveOptions(time_limit=30, seed=0))
    state.consider(solve(j301_1, "rules:lft", FAST), "rules:lft")
    assert _time_indexed_fits(state) and state.best.objective > 43
    AutoPortfolio._cpsat_beside_proofs(state, 30.0)
    result = state.result("auto")
    assert (result.status, result.objective, result.lower_bound) == (Status.OPTIMAL, 43, 43)
    assert state.elapsed() < 30  # the side that did not prove was stopped, not run to the limit
    assert first_violation(j301_1, result.schedule) is None


@pytest.mark.parametrize("change", ["objective", "deadline", "modes"])
def test_refuses_what_it_cannot_encode(change):
    if change == "objective":
        problem = _feature_problem().with_objective(Objective(total_completion=1))
    elif change == "deadline":
        problem = _feature_problem(deadline=20)
    else:
        b = ProblemBuilder("two-modes")
        m = b.add_machine()
        b.add_task([(m, 2), (m, 3)])
        problem = b.build()
    with pytest.raises(UnsupportedProblemError, match="cannot solve"):
        solve(problem, "ti-sat", FAST)


def test_auto_runs_proofs_beside_cpsat_on_j60_sized_projects_only(j301_1):
    """After the GA, j120-sized projects give CP-SAT both cores (measured in benchmarks/results/rcpsp_portfolio.md)."""
    from schedlab.bench.suites import find_instance
    from schedlab.solvers.portfolio import wants_proofs

    j120 = find_instance("j12031_4").load()
    assert wants_proofs(j301_1, "ga", {})
    assert not wants_proofs(j120, "ga", {})
    assert wants_proofs(j120, "ga", {"proofs": 1})
    assert not wants_proofs(j301_1, "ga", {"proofs": 0})
    assert not wants_proofs(j301_1, "tabu-n7", {})  # job shops: a local search, then CP-SAT alone
