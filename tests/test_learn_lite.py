"""The lite dispatcher: the Numba loop is the PyTorch module's function in the same Giffler-Thompson scheme."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from schedlab.core.schedule import Schedule, ScheduledTask  # noqa: E402
from schedlab.core.validate import first_violation  # noqa: E402
from schedlab.instances import load_instance  # noqa: E402
from schedlab.learn.jobshop import N_FEATURES, N_LOOKAHEAD, JobShopArrays, JobShopDispatch  # noqa: E402
from schedlab.learn.lite import export, lite_module, lite_rollouts  # noqa: E402
from schedlab.learn.solver import rollouts  # noqa: E402
from schedlab.problems.generators import random_job_shop  # noqa: E402


def _scorer(seed: int, n_features: int = N_FEATURES):
    import torch

    torch.manual_seed(seed)
    return lite_module(n_features).eval()


def _schedule(problem, starts):
    return Schedule(ScheduledTask(t, 0, int(starts[t]), int(starts[t]) + task.modes[0].duration)
                    for t, task in enumerate(problem.tasks))


@pytest.mark.parametrize("n_features", [N_FEATURES, N_LOOKAHEAD])
@pytest.mark.parametrize(("problem", "seed"), [(random_job_shop(8, 5, seed=1), 0), (random_job_shop(12, 6, seed=2), 1),
                                               (load_instance("ft10").problem, 2)])
def test_numba_greedy_episode_is_the_torch_modules(problem, seed, n_features):
    scorer = _scorer(seed, n_features)
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


def test_lookahead_features_describe_the_operation_after_next():
    """Two jobs on two machines: job 0 = (m0, 3), (m1, 5); job 1 = (m1, 2), (m0, 4)."""
    from schedlab.problems.shop import job_shop

    problem = job_shop("two", [[(0, 3), (1, 5)], [(1, 2), (0, 4)]], 2)
    state = JobShopDispatch(JobShopArrays.from_problem(problem), lookahead=True)
    rows = state.observation()
    assert rows.shape == (2, N_LOOKAHEAD) and np.array_equal(rows[:, :N_FEATURES],
                                                               JobShopDispatch(state.a).observation())
    # scale 5 (longest operation), now 0, c* = 2 (job 1 on m1), machine loads 7 (m0) and 7 (m1), 2 jobs
    assert rows[0, 13:].tolist() == pytest.approx([5 / 5, 0.0, 7 / 10, (3 - 2) / 5])
    assert rows[1, 13:].tolist() == pytest.approx([4 / 5, 0.0, 7 / 10, 0.0])
    state.step(1)
    state.step(1)  # job 1 done: its row holds only exists, done and progress
    rows = state.observation()
    assert rows[1, 13:].tolist() == [0.0, 0.0, 0.0, 0.0] and rows[0, 13] == pytest.approx(1.0)


def test_following_a_giffler_thompson_schedule_repeats_its_choices():
    """Replaying an episode's own starts in GT gives back that episode: the same choices, the same makespan."""
    from schedlab.learn.expert import follow_schedule
    from schedlab.learn.lite import lite_episodes
    from schedlab.learn.lite_selflabel import labelled_decisions

    arrays = JobShopArrays.from_problem(load_instance("la16").problem)
    (span, starts, order), = lite_episodes(arrays, export(_scorer(8)), 1, np.random.default_rng(2))
    observations, masks, actions, replayed = follow_schedule(arrays, starts)
    expected = labelled_decisions(arrays, order)
    assert replayed == span and np.array_equal(actions, expected[2]) and np.array_equal(observations, expected[0])


def test_solver_labels_replay_tabu_schedules_of_training_shops():
    from schedlab.learn.expert import collect_expert

    (observations, masks, actions), ratio = collect_expert(60, ((6, 4),), "tabu", iterations=500, seed=1, workers=1)
    assert observations.shape == (60, 6, N_FEATURES) and masks[np.arange(60), actions].all()
    assert 0.8 < ratio <= 1.2  # GT makes the searched machine orders active: close to the solver's makespan
    (_, _, pooled), pooled_ratio = collect_expert(60, ((6, 4),), "tabu", iterations=500, seed=1, workers=2)
    assert np.array_equal(pooled, actions) and pooled_ratio == ratio  # the same labels from a process pool


def test_cutoff_stops_only_episodes_that_cannot_win():
    """With a cutoff, an episode that cannot end below it (or below an earlier one of the call) stops and reports
    at least that; the complete ones are the unbounded ones, so the best and the first best are unchanged."""
    from schedlab.learn.lite import lite_episodes

    arrays, weights = JobShopArrays.from_problem(load_instance("la21").problem), export(_scorer(4))
    free = lite_episodes(arrays, weights, 12, np.random.default_rng(3))
    spans = [int(span) for span, _, _ in free]
    cutoff = sorted(spans)[len(spans) // 2]  # about half the episodes cannot beat it
    bounded = lite_episodes(arrays, weights, 12, np.random.default_rng(3), cutoff=cutoff)
    limit = cutoff
    for (span, starts, _), (cut_span, cut_starts, _) in zip(free, bounded, strict=True):
        if span < limit:  # it can win: run to the end, identical
            assert cut_span == span and np.array_equal(cut_starts, starts)
            limit = span
        else:
            assert cut_span >= limit
    assert min(spans) < cutoff and min(int(s) for s, _, _ in bounded) == min(spans)
    assert any((starts < 0).any() for _, starts, _ in bounded), "with the median as cutoff some episodes must stop"
