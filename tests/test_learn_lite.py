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


def test_replayed_greedy_episode_gives_the_kernels_choices_as_labels():
    """The labels of a kernel episode come from the environment's own state: replaying the greedy order, the
    PyTorch module's argmax over each recorded observation is the recorded choice, and every choice is legal."""
    import torch

    from schedlab.learn.lite import lite_episodes
    from schedlab.learn.lite_selflabel import labelled_decisions

    arrays, scorer = JobShopArrays.from_problem(load_instance("la16").problem), _scorer(4)
    (span, _, order), = lite_episodes(arrays, export(scorer))
    observations, masks, actions = labelled_decisions(arrays, order)
    assert sorted(order.tolist()) == sorted(j for j in range(arrays.n_jobs) for _ in range(arrays.length[j]))
    assert 0 < len(actions) < len(order) and masks[np.arange(len(actions)), actions].all()
    with torch.no_grad():
        logits = scorer(torch.from_numpy(observations))[0].masked_fill(~torch.from_numpy(masks), -1e9)
    assert torch.equal(logits.argmax(1), torch.from_numpy(actions))


def test_compiled_self_label_step_raises_the_best_rollouts_likelihood(monkeypatch):
    import torch

    from schedlab.learn import lite_selflabel
    from schedlab.learn.reinforce import masked_log_softmax

    scorer, seen = _scorer(5), {}
    sample = lite_selflabel.best_sampled

    def recording(arrays, scorer_, rollouts, rng):
        seen["arrays"], (span, order, mean) = arrays, sample(arrays, scorer_, rollouts, rng)
        seen["labels"] = lite_selflabel.labelled_decisions(arrays, order)
        assert span <= mean
        return span, order, mean

    def log_likelihood() -> float:
        observations, masks, actions = seen["labels"]
        with torch.no_grad():
            log_p = masked_log_softmax(scorer(torch.from_numpy(observations))[0], torch.from_numpy(masks))
        return float(log_p.gather(1, torch.from_numpy(actions)[:, None]).sum())

    before = {k: v.clone() for k, v in scorer.state_dict().items()}
    monkeypatch.setattr(lite_selflabel, "best_sampled", recording)
    stats = lite_selflabel.train_lite_self_label(scorer, 1, seed=3, rollouts=8, learning_rate=1e-2, sizes=((6, 4),),
                                                 write=lambda _: None)
    assert stats["shops"] == 1 and stats["steps_done"] == 8 * 24 and np.isfinite(stats["final_loss"])
    after = log_likelihood()
    scorer.load_state_dict(before)
    assert after > log_likelihood()


def test_temperature_sharpens_sampling_and_bad_values_are_refused():
    from schedlab.core.errors import SchedlabError
    from schedlab.solvers.base import SolveOptions, get_solver

    problem = load_instance("la16").problem
    arrays, weights = JobShopArrays.from_problem(problem), export(_scorer(6))
    (greedy, _), = lite_rollouts(arrays, weights)
    cold = lite_rollouts(arrays, weights, 4, np.random.default_rng(1), temperature=1e-6)
    assert all(span == greedy for span, _ in cold)  # a near-zero temperature is the argmax
    warm = lite_rollouts(arrays, weights, 4, np.random.default_rng(1), temperature=2.0)
    assert len({span for span, _ in warm}) > 1
    for _span, starts in warm:
        assert first_violation(problem, _schedule(problem, starts)) is None
    with pytest.raises(SchedlabError, match="temperature must be a positive number"):
        get_solver("learned-jobshop-lite").solve(problem, SolveOptions(params={"samples": 2, "temperature": "0"}))
