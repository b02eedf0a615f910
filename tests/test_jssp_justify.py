"""Double justification of job-shop schedules (`jssp_justify`) and the learned solvers' ``justify`` option."""

from __future__ import annotations

import numpy as np
import pytest

from schedlab.core.errors import SchedlabError
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import first_violation
from schedlab.instances import load_instance
from schedlab.learn.jobshop import JobShopArrays
from schedlab.problems.generators import random_job_shop
from schedlab.problems.shop import job_shop
from schedlab.solvers.base import SolveOptions, get_solver


def _schedule(problem, starts) -> Schedule:
    return Schedule(ScheduledTask(t, 0, int(starts[t]), int(starts[t]) + task.modes[0].duration)
                    for t, task in enumerate(problem.tasks))


def _starts(result) -> np.ndarray:
    return np.array([t.start for t in sorted(result.schedule, key=lambda t: t.task)], np.int64)


def test_golden_case_jumps_an_operation_over_another():
    """job 0 = (m1, 1), (m0, 5); job 1 = (m1, 5), (m0, 3); job 2 = (m1, 2), (m0, 3). MWKR's active schedule runs
    m1 as t2 [0,5), t0 [5,6), t4 [6,8) and m0 as t1 [6,11), t3 [11,14), t5 [14,17): makespan 17. The right pass
    puts t5 at [14,17), t3 [11,14), t1 [6,11), t4 [12,14), t0 [5,6), and t2 (as late as t3 at 11 allows) in
    m1's gap [6,11), after t0: m1's order changes. Shifted to 0 that is makespan 12, and the left pass gives
    t0 [0,1), t1 [1,6), t2 [1,6), t3 [6,9), t4 [6,8), t5 [9,12]; a second round changes nothing."""
    problem = job_shop("jump", [[(1, 1), (0, 5)], [(1, 5), (0, 3)], [(1, 2), (0, 3)]], 2)
    arrays = JobShopArrays.from_problem(problem)
    mwkr = get_solver("rules:mwkr").solve(problem, SolveOptions())
    assert _starts(mwkr).tolist() == [5, 6, 0, 11, 6, 14] and mwkr.objective == 17
    span, justified = arrays.double_justified(_starts(mwkr))
    assert span == 12 and justified.tolist() == [0, 1, 1, 6, 6, 9]
    assert first_violation(problem, _schedule(problem, justified)) is None
    assert arrays.double_justified(justified)[1].tolist() == justified.tolist()


@pytest.mark.parametrize("problem", [random_job_shop(12, 6, seed=7), random_job_shop(30, 10, seed=8),
                                     load_instance("ft10").problem, load_instance("la16").problem])
def test_justified_schedules_are_valid_and_never_longer(problem):
    arrays = JobShopArrays.from_problem(problem)
    for rule in ("rules:spt", "rules:mwkr", "rules:fcfs", "rules:mor"):
        result = get_solver(rule).solve(problem, SolveOptions())
        span, justified = arrays.double_justified(_starts(result))
        assert first_violation(problem, _schedule(problem, justified)) is None, rule
        assert span == max(int(justified[t]) + task.modes[0].duration for t, task in enumerate(problem.tasks))
        assert span <= result.objective and justified.min() == 0
        assert arrays.double_justified(justified)[0] <= span


def test_a_reversed_shop_schedule_justifies_like_any_other():
    problem = random_job_shop(10, 5, seed=11)
    back = JobShopArrays.from_problem(problem).reversed()
    mirror = job_shop("back", [[(int(back.machine[j, o]), int(back.duration[j, o])) for o in range(back.length[j])]
                               for j in range(back.n_jobs)], back.n_machines)
    result = get_solver("rules:spt").solve(mirror, SolveOptions())
    starts = np.full(int(back.task.max()) + 1, -1, np.int64)
    starts[back.task[back.task >= 0]] = _starts(result)  # mirror's task ids run job by job, route order
    span, justified = back.double_justified(starts)
    by_mirror_task = justified[back.task[back.task >= 0]]
    assert first_violation(mirror, _schedule(mirror, by_mirror_task)) is None and span <= result.objective


def test_learned_solvers_justify_by_default_and_never_do_worse():
    """The same seed draws the same episodes with or without justification, and justifying never lengthens one,
    so the justified result is at most the unjustified one, greedy and sampled."""
    pytest.importorskip("torch")
    problem = load_instance("la21").problem
    for solver in ("learned-jobshop-lite", "learned-jobshop-ensemble"):
        for params in ({}, {"samples": 8}):
            plain = get_solver(solver).solve(problem, SolveOptions(seed=3, params={**params, "justify": 0}))
            justified = get_solver(solver).solve(problem, SolveOptions(seed=3, params=params))
            again = get_solver(solver).solve(problem, SolveOptions(seed=3, params={**params, "justify": "yes"}))
            assert justified.stats["justified"] and not plain.stats["justified"]
            assert justified.objective <= plain.objective and justified.schedule == again.schedule
            assert first_violation(problem, justified.schedule) is None
    with pytest.raises(SchedlabError, match="justify must be true or false"):
        get_solver("learned-jobshop-lite").solve(problem, SolveOptions(params={"justify": "maybe"}))
