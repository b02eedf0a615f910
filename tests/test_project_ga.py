"""The project GA: exact SGS decoding on a hand-checked case, justification never lengthens, seeds, refusals."""

import numpy as np
import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.model import Mode, ProblemBuilder
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import first_violation
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.base import get_solver
from schedlab.solvers.search.rcpsp_ga import project_arrays
from schedlab.solvers.search.rcpsp_kernels import biased_order, decode, justify, serial_sgs
from schedlab.solvers.search.rng import make_state


def _small_project():
    """A (3, needs 2), B (2, needs 1), C (2, needs 1), D (1, needs 2) on a capacity-2 resource; A -> C."""
    b = ProblemBuilder("small", "rcpsp")
    r = b.add_resource("R", capacity=2)
    ids = [b.add_task([Mode(d, (r,), (q,))], name=n) for n, d, q in (("A", 3, 2), ("B", 2, 1), ("C", 2, 1), ("D", 1, 2))]
    b.add_precedence(ids[0], ids[2])
    return b.build()


def _sgs(problem, order):
    a = project_arrays(problem)
    usage = np.zeros((a.horizon, len(a.cap)), np.int64)
    start = np.zeros(len(a.dur), np.int64)
    span = serial_sgs(np.array(order, np.int64), a.dur, a.req, a.cap, a.pptr, a.pidx, a.plag, usage, start)
    return int(span), start.tolist()


def test_serial_sgs_places_each_activity_at_its_earliest_feasible_start():
    problem = _small_project()
    # A fills the resource on [0, 3); B and C then share it on [3, 5); D needs both units: [5, 6).
    assert _sgs(problem, [0, 1, 2, 3]) == (6, [0, 3, 3, 5])
    # B first: A cannot overlap it (2 + 1 > 2), so A waits until 2; D fits beside nothing until C ends.
    assert _sgs(problem, [1, 0, 2, 3]) == (8, [2, 0, 5, 7])
    # D first, then A, then B and C together.
    assert _sgs(problem, [3, 0, 1, 2]) == (6, [1, 4, 4, 0])


def test_double_justification_recovers_the_optimum_of_a_bad_list():
    problem = _small_project()
    a = project_arrays(problem)
    usage = np.zeros((a.horizon, len(a.cap)), np.int64)
    order = np.array([1, 0, 2, 3], np.int64)
    start, scratch = np.zeros(4, np.int64), np.zeros(4, np.int64)
    span = decode(order, *a.kernel_args(), usage, start, scratch)
    assert span == 6  # from 8: the optimum (A, D, B and C need 3 + 1 + 2 time units of the whole resource)
    assert sorted(order.tolist()) == [0, 1, 2, 3]
    schedule = Schedule(ScheduledTask(t, 0, int(start[t]), int(start[t] + a.dur[t])) for t in range(4))
    assert first_violation(problem, schedule) is None


def test_justification_never_lengthens_a_schedule_and_keeps_it_valid():
    problem = find_instance("j301_1").load()
    a = project_arrays(problem)
    usage = np.zeros((a.horizon, len(a.cap)), np.int64)
    rng = make_state(3)
    for _ in range(30):
        order = biased_order(a.lft_keys, a.pptr, a.pidx, rng, 40.0)
        start, scratch = np.zeros(len(a.dur), np.int64), np.zeros(len(a.dur), np.int64)
        before = serial_sgs(order, a.dur, a.req, a.cap, a.pptr, a.pidx, a.plag, usage, start)
        after = justify(start, *a.kernel_args(), usage, scratch)
        assert after <= before
        assert after == int((start + a.dur).max())
        schedule = Schedule(ScheduledTask(t, 0, int(start[t]), int(start[t] + a.dur[t])) for t in range(len(a.dur)))
        assert first_violation(problem, schedule) is None


def test_ga_is_seeded_and_reaches_the_j30_optimum():
    problem = find_instance("j301_1").load()
    options = SolveOptions(seed=1, params={"iterations": 30})
    first = solve(problem, "ga", options)
    assert first.objective == 43  # proved optimum of j301_1
    assert first_violation(problem, first.schedule) is None
    assert solve(problem, "ga", options).schedule == first.schedule


def test_ga_keeps_a_hint_at_least():
    problem = find_instance("j12031_4").load()
    hint = solve(problem, "rules:lft")
    result = solve(problem, "ga", SolveOptions(seed=0, hint=hint.schedule, params={"iterations": 2, "population": 8}))
    assert first_violation(problem, result.schedule) is None
    assert result.objective <= hint.objective


def test_ga_refuses_what_it_cannot_model():
    b = ProblemBuilder("two-modes", "rcpsp")
    r = b.add_resource("R", capacity=2)
    b.add_task([Mode(2, (r,), (1,)), Mode(1, (r,), (2,))])
    assert "mode" in get_solver("ga").unsupported(b.build())
    assert "machine problems" in get_solver("ga").unsupported(find_instance("ft06").load())


@pytest.mark.parametrize("name", ["j12031_4"])
def test_auto_runs_the_ga_on_projects_and_returns_a_valid_schedule(name):
    problem = find_instance(name).load()
    result = solve(problem, "auto", SolveOptions(time_limit=3.0, seed=0))
    assert first_violation(problem, result.schedule) is None
    assert any(note.startswith("ga#") for note in result.stats["phases"]) or result.status.value == "optimal"


def test_ga_stops_once_restarts_stop_paying_and_says_so():
    problem = find_instance("j12031_4").load()
    params = {"iterations": 1_000_000, "population": 8, "restart_after": 5, "stall_restarts": 1}
    result = solve(problem, "ga", SolveOptions(seed=0, params=params))
    assert result.stats["stalled"] is True
    assert result.stats["generations"] < 1_000_000
    assert result.stats["restarts"] >= 1  # one fruitless restart is allowed before it stops
    assert first_violation(problem, result.schedule) is None
    again = solve(problem, "ga", SolveOptions(seed=0, params=params))
    assert again.schedule == result.schedule and again.stats["generations"] == result.stats["generations"]
