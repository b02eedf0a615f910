"""The lite dispatcher: the Numba loop is the PyTorch module's function in the same Giffler-Thompson scheme."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from schedlab.core.schedule import Schedule, ScheduledTask  # noqa: E402
from schedlab.core.validate import first_violation  # noqa: E402
from schedlab.instances import load_instance  # noqa: E402
from schedlab.learn.jobshop import JobShopArrays  # noqa: E402
from schedlab.learn.lite import export, lite_module, lite_rollouts  # noqa: E402
from schedlab.learn.solver import rollouts  # noqa: E402
from schedlab.problems.generators import random_job_shop  # noqa: E402


def _scorer(seed: int):
    import torch

    torch.manual_seed(seed)
    return lite_module().eval()


def _schedule(problem, starts):
    return Schedule(ScheduledTask(t, 0, int(starts[t]), int(starts[t]) + task.modes[0].duration)
                    for t, task in enumerate(problem.tasks))


@pytest.mark.parametrize(("problem", "seed"), [(random_job_shop(8, 5, seed=1), 0), (random_job_shop(12, 6, seed=2), 1),
                                               (load_instance("ft10").problem, 2)])
def test_numba_greedy_episode_is_the_torch_modules(problem, seed):
    scorer = _scorer(seed)
    (span, starts), = rollouts(problem, scorer)  # Python state, PyTorch scores
    (fast_span, fast_starts), = lite_rollouts(JobShopArrays.from_problem(problem), export(scorer))
    assert fast_span == span and np.array_equal(fast_starts, starts)
    assert first_violation(problem, _schedule(problem, fast_starts)) is None


def test_sampled_episodes_are_valid_and_seeded():
    problem = load_instance("la16").problem
    arrays, weights = JobShopArrays.from_problem(problem), export(_scorer(3))
    first = lite_rollouts(arrays, weights, 5, np.random.default_rng(7))
    again = lite_rollouts(arrays, weights, 5, np.random.default_rng(7))
    assert [s for s, _ in first] == [s for s, _ in again]
    for span, starts in first:
        schedule = _schedule(problem, starts)
        assert first_violation(problem, schedule) is None and span == max(t.end for t in schedule)
