"""Decoding the time-reversed shop: a mirrored schedule of the reversed routes is a schedule of the shop."""

from __future__ import annotations

import numpy as np
import pytest

from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import first_violation
from schedlab.instances import load_instance
from schedlab.learn.jobshop import JobShopArrays
from schedlab.problems.generators import random_job_shop
from schedlab.problems.shop import job_shop


def _schedule(problem, starts):
    return Schedule(ScheduledTask(t, 0, int(starts[t]), int(starts[t]) + task.modes[0].duration)
                    for t, task in enumerate(problem.tasks))


def _makespan(problem, starts) -> int:
    return max(int(starts[t]) + task.modes[0].duration for t, task in enumerate(problem.tasks))


def test_two_job_golden_case_mirrors_and_left_justifies():
    """job 0 = (m0, 3), (m1, 5); job 1 = (m1, 2), (m0, 4). Reversed: job 0 = (m1, 5), (m0, 3); job 1 = (m0, 4),
    (m1, 2), scheduled at 0-5, 5-8 and 0-4, 5-7 (makespan 8)."""
    arrays = JobShopArrays.from_problem(job_shop("two", [[(0, 3), (1, 5)], [(1, 2), (0, 4)]], 2))
    back = arrays.reversed()
    assert arrays.task.tolist() == [[0, 1], [2, 3]] and back.task.tolist() == [[1, 0], [3, 2]]
    assert back.machine.tolist() == [[1, 0], [0, 1]] and back.duration.tolist() == [[5, 3], [4, 2]]
    reversed_starts = np.array([5, 0, 5, 0])  # per task id: t0 = (m0, 3) ran last in job 0's reversed route
    mirrored = arrays.mirrored_starts(reversed_starts, 8)
    assert mirrored.tolist() == [0, 3, 1, 4]  # 8 - start - duration
    assert arrays.left_justified(mirrored).tolist() == [0, 3, 0, 3]  # t2 and t3 move left; makespan stays 8


def test_reversing_twice_gives_the_shop_back():
    arrays = JobShopArrays.from_problem(random_job_shop(7, 4, seed=3))
    twice = arrays.reversed().reversed()
    for field in ("task", "machine", "duration", "length"):
        assert np.array_equal(getattr(twice, field), getattr(arrays, field))


@pytest.mark.parametrize("problem", [random_job_shop(9, 5, seed=4), load_instance("ft10").problem])
def test_mirrored_episode_of_the_reversed_shop_is_valid_with_the_same_makespan(problem):
    from schedlab.learn.lite import lite_rollouts
    from schedlab.learn.solver import SHIPPED_LITE, load_scorer

    pytest.importorskip("torch")
    from schedlab.learn.lite import export

    arrays = JobShopArrays.from_problem(problem)
    weights = export(load_scorer(str(SHIPPED_LITE))[0])
    for span, starts in lite_rollouts(arrays.reversed(), weights, 4, np.random.default_rng(5)):
        mirrored = arrays.mirrored_starts(starts, span)
        assert first_violation(problem, _schedule(problem, mirrored)) is None and _makespan(problem, mirrored) == span
        justified = arrays.left_justified(mirrored)
        assert first_violation(problem, _schedule(problem, justified)) is None
        assert _makespan(problem, justified) <= span and np.all(justified <= mirrored)
    (span, forward), = lite_rollouts(arrays, weights)
    assert np.array_equal(arrays.left_justified(forward), forward)  # Giffler-Thompson schedules are left-justified


def test_solver_takes_the_better_direction_and_is_seeded():
    pytest.importorskip("torch")
    from schedlab.core.errors import SchedlabError
    from schedlab.learn.lite import export, lite_rollouts
    from schedlab.learn.solver import SHIPPED_LITE, load_scorer
    from schedlab.solvers.base import SolveOptions, get_solver

    problem = load_instance("la16").problem
    arrays = JobShopArrays.from_problem(problem)
    weights = export(load_scorer(str(SHIPPED_LITE))[0])
    (forward, _), = lite_rollouts(arrays, weights)
    (backward, _), = lite_rollouts(arrays.reversed(), weights)
    solver = get_solver("learned-jobshop-lite")
    raw = {"justify": 0}  # the episodes as decoded (justification: tests/test_jssp_justify.py)
    assert solver.solve(problem, SolveOptions(params={"directions": "forward", **raw})).objective == forward
    both = solver.solve(problem, SolveOptions(params=raw))
    assert both.objective <= min(forward, backward) and first_violation(problem, both.schedule) is None
    sampled = [solver.solve(problem, SolveOptions(seed=9, params={"samples": 6, **raw})) for _ in range(2)]
    assert sampled[0].objective == sampled[1].objective <= both.objective
    assert sampled[0].schedule == sampled[1].schedule
    with pytest.raises(SchedlabError, match="directions must be one of both, forward"):
        solver.solve(problem, SolveOptions(params={"directions": "sideways"}))


def test_ensemble_takes_the_best_look_of_every_network():
    """Two networks x two directions: forward only, the ensemble is exactly the better of the two networks'
    greedy episodes; both ways, no worse than the best of the four raw episodes; a missing file is named."""
    pytest.importorskip("torch")
    from schedlab.core.errors import SchedlabError
    from schedlab.learn.lite import export, lite_rollouts
    from schedlab.learn.solver import SHIPPED_LITE, SHIPPED_LITE_2, load_scorer
    from schedlab.solvers.base import SolveOptions, get_solver

    problem = load_instance("la21").problem
    arrays = JobShopArrays.from_problem(problem)
    raw = [lite_rollouts(shop, export(load_scorer(str(path))[0]))[0][0]
           for path in (SHIPPED_LITE, SHIPPED_LITE_2) for shop in (arrays, arrays.reversed())]
    ensemble = get_solver("learned-jobshop-ensemble")
    assert ensemble.solve(problem, SolveOptions(params={"directions": "forward", "justify": 0})).objective == min(
        raw[0], raw[2])
    both = ensemble.solve(problem, SolveOptions(params={"justify": 0}))
    assert both.objective <= min(raw) and both.stats["networks"] == 2 and first_violation(problem, both.schedule) is None
    same = get_solver("learned-jobshop-lite").solve(problem, SolveOptions(params={
        "weights": f"{SHIPPED_LITE},{SHIPPED_LITE_2}", "justify": 0}))
    assert same.schedule == both.schedule
    with pytest.raises(SchedlabError, match="nowhere.pt: no such policy file"):
        ensemble.solve(problem, SolveOptions(params={"weights": f"{SHIPPED_LITE},nowhere.pt"}))
