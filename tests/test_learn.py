"""schedlab.learn: the job-shop dispatching environment, training, the shipped policy."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from schedlab.cli import main
from schedlab.core.objectives import evaluate
from schedlab.core.schedule import Schedule, ScheduledTask
from schedlab.core.validate import first_violation
from schedlab.instances import load_instance
from schedlab.learn.env import ILLEGAL_PENALTY, job_shop_env, register_envs
from schedlab.learn.jobshop import IllegalActionError, JobShopArrays, JobShopDispatch
from schedlab.learn.solver import SHIPPED, SHIPPED_LITE, load_scorer, rollouts
from schedlab.problems.generators import random_job_shop
from schedlab.solvers.base import SolveOptions, get_solver


def _schedule(problem, starts) -> Schedule:
    return Schedule(ScheduledTask(t, 0, int(starts[t]), int(starts[t]) + task.modes[0].duration)
                    for t, task in enumerate(problem.tasks))


@pytest.mark.parametrize("name", ["ft06", "ft10", "la16", "ta01", "ta41"])
def test_mwkr_choices_in_the_environment_give_the_rule_solvers_schedule(name):
    """The decision process is the rule kernel's Giffler-Thompson: MWKR's choices reproduce rules:mwkr exactly."""
    problem = load_instance(name).problem
    state = JobShopDispatch(JobShopArrays.from_problem(problem))
    while not state.done:
        legal = np.flatnonzero(state.legal)
        state.step(int(legal[np.argmax(state.work[legal])]))  # most work remaining; ties to the lower job
    rule = get_solver("rules:mwkr").solve(problem, SolveOptions(time_limit=5))
    assert state.makespan == rule.objective
    assert [state.start[t] for t in range(len(problem.tasks))] == [s.start for s in sorted(rule.schedule, key=lambda s: s.task)]


def _conflict_set(state: JobShopDispatch) -> set[int]:
    """The Giffler-Thompson conflict set from its definition, computed apart from the environment."""
    a = state.a
    options = []
    for j in range(a.n_jobs):
        o = state.position[j]
        if o < a.length[j]:
            m, d = a.machine[j, o], a.duration[j, o]
            s = max(state.job_ready[j], state.machine_free[m])
            options.append((j, m, s, s + d))
    c_star = min(c for *_, c in options)
    machines = {m for _, m, _, c in options if c == c_star}
    assert state.m_star in machines
    return {j for j, m, s, c in options if m == state.m_star and (s < c_star or c == c_star)}


@pytest.mark.parametrize("seed", range(4))
def test_action_mask_is_exactly_the_conflict_set_and_a_random_legal_episode_is_valid(seed):
    problem = random_job_shop(8, 5, seed=seed)
    rng = np.random.default_rng(seed)
    state = JobShopDispatch(JobShopArrays.from_problem(problem), max_jobs=10)
    decisions = 0
    while not state.done:
        legal = set(np.flatnonzero(state.legal).tolist())
        assert legal == _conflict_set(state)
        assert not state.legal[8:].any()  # padded rows are never legal
        state.step(int(rng.choice(sorted(legal))))
        decisions += 1
    assert decisions == len(problem.tasks)
    schedule = _schedule(problem, state.start)
    assert first_violation(problem, schedule) is None
    assert evaluate(problem, schedule) == state.makespan


def test_illegal_action_refused_or_raised():
    problem = load_instance("ft06").problem
    env = job_shop_env(problem)
    obs, info = env.reset(seed=0)
    illegal = int(np.flatnonzero(~info["action_mask"])[0])
    obs2, reward, terminated, truncated, info2 = env.step(illegal)
    assert reward == ILLEGAL_PENALTY and not terminated and "not in the conflict set" in info2["illegal_action"]
    assert np.array_equal(obs, obs2)  # nothing happened
    strict = job_shop_env(problem, illegal="raise")
    strict.reset(seed=0)
    with pytest.raises(IllegalActionError, match="conflict set"):
        strict.step(illegal)


def test_registered_environment_passes_the_gymnasium_checker_and_is_seeded():
    register_envs()
    env = gym.make("schedlab/JobShop-v0")
    check_env(env.unwrapped)
    check_env(gym.make("schedlab/JobShop-v0", lookahead=True).unwrapped)

    def episode(seed: int) -> tuple[list[float], int]:
        e = gym.make("schedlab/JobShop-v0", sizes=((6, 4),))
        obs, info = e.reset(seed=seed)
        rng = np.random.default_rng(seed)
        rewards, done = [], False
        while not done:
            action = int(rng.choice(np.flatnonzero(info["action_mask"])))
            obs, reward, done, _, info = e.step(action)
            rewards.append(reward)
        return rewards, info["cost"]

    first, again, other = episode(3), episode(3), episode(4)
    assert first == again and first != other
    # dense rewards add up to minus the makespan's excess over the first lower bound, in units of the longest operation
    e = job_shop_env(sizes=((6, 4),))
    e.reset(seed=3)
    bound, scale = e.process.bound, e.process.scale
    assert sum(first[0]) == pytest.approx(-(first[1] - bound) / scale)


def test_train_command_runs_a_few_hundred_steps_and_saves_a_loadable_policy(tmp_path, capsys):
    out = tmp_path / "p.pt"
    assert main(["train", "jobshop", "--steps", "256", "--envs", "2", "--processes", "1", "--out", str(out)]) == 0
    assert "steps/s" in capsys.readouterr().out
    scorer, record = load_scorer(str(out))
    assert np.isfinite(record["final_loss"]) and record["config"]["steps"] == 256
    problem = load_instance("ft06").problem
    (span, starts), = rollouts(problem, scorer)
    assert first_violation(problem, _schedule(problem, starts)) is None and span >= 55


def test_self_label_update_learns_the_best_of_its_own_rollouts(monkeypatch):
    """One self-labelling round raises the log-probability of the best sampled rollout's decisions."""
    import torch

    from schedlab.learn import reinforce
    from schedlab.learn.network import JobScorer

    torch.manual_seed(0)
    scorer = JobScorer()
    seen = {}
    sample = reinforce.rollouts

    def recording(envs, scorer_, seed, generator):
        seen["batch"] = sample(envs, scorer_, seed, generator)
        return seen["batch"]

    def log_likelihood(k: int) -> float:
        obs, masks, actions, _ = seen["batch"]
        with torch.no_grad():
            log_p = reinforce.masked_log_softmax(scorer(torch.from_numpy(obs[k]))[0], torch.from_numpy(masks[k]))
        return float(log_p.gather(1, torch.from_numpy(actions[k])[:, None]).sum())

    monkeypatch.setattr(reinforce, "rollouts", recording)
    before = JobScorer()
    before.load_state_dict(scorer.state_dict())
    stats = reinforce.train_shared_baseline(lambda: job_shop_env(sizes=((6, 4),), reward="sparse"), scorer, 1, seed=3,
                                            rollouts_per_episode=4, learning_rate=1e-2, write=lambda _: None,
                                            self_label=True)
    costs = seen["batch"][3]
    best = int(np.argmin(costs))
    assert np.isfinite(stats["final_loss"]) and stats["steps_done"] == sum(len(a) for a in seen["batch"][2])
    after_best = log_likelihood(best)
    scorer.load_state_dict(before.state_dict())
    assert after_best > log_likelihood(best)


def test_train_command_self_label_fine_tunes_a_saved_policy(tmp_path, capsys):
    out = tmp_path / "sl.pt"
    assert main(["train", "jobshop", "--algorithm", "self-label", "--rollouts", "3", "--steps", "300",
                 "--learning-rate", "1e-4", "--init", str(SHIPPED), "--out", str(out)]) == 0
    assert "self-labelling, the best of 3 rollouts" in capsys.readouterr().out
    _, record = load_scorer(str(out))
    assert np.isfinite(record["final_loss"]) and record["config"]["algorithm"] == "self-label"
    assert record["config"]["learning_rate"] == 1e-4 and record["steps_done"] >= 300


@pytest.mark.parametrize("solver", ["learned-jobshop", "learned-jobshop-lite", "learned-jobshop-ensemble"])
@pytest.mark.parametrize("name", ["ft06", "la01", "ta01", "ta71"])
def test_shipped_policy_gives_valid_schedules(name, solver):
    assert SHIPPED.is_file() and SHIPPED_LITE.is_file()
    problem = load_instance(name).problem
    result = get_solver(solver).solve(problem, SolveOptions(time_limit=5))
    assert first_violation(problem, result.schedule) is None
    assert result.objective == evaluate(problem, result.schedule)


def test_train_command_distils_a_lite_network_that_its_solver_runs(tmp_path, capsys):
    out = tmp_path / "lite.pt"
    assert main(["train", "jobshop", "--network", "lite", "--algorithm", "self-label", "--rollouts", "3",
                 "--steps", "300", "--imitate", "300", "--teacher", str(SHIPPED), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "imitated 300 teacher decisions" in printed and "learned-jobshop-lite" in printed
    _, record = load_scorer(str(out))
    assert record["config"]["network"] == "lite" and 0 <= record["imitation_accuracy"] <= 1
    problem = load_instance("ft06").problem
    result = get_solver("learned-jobshop-lite").solve(problem, SolveOptions(params={"weights": str(out)}))
    assert first_violation(problem, result.schedule) is None
    assert main(["train", "jobshop", "--network", "lite", "--steps", "10", "--out", str(out)]) == 2  # not with PPO
    assert main(["solve", "ft06", "--solver", "learned-jobshop-lite", "--param", f"weights={SHIPPED}"]) == 2


@pytest.mark.parametrize("name", ["learned-jobshop", "learned-jobshop-lite", "learned-jobshop-ensemble"])
def test_sampling_is_seeded_and_never_worse_than_greedy(name):
    problem = load_instance("ft10").problem
    solver = get_solver(name)
    greedy = solver.solve(problem, SolveOptions(time_limit=30))
    sampled = [solver.solve(problem, SolveOptions(time_limit=30, seed=5, params={"samples": 16})) for _ in range(2)]
    assert sampled[0].objective == sampled[1].objective <= greedy.objective
    assert sampled[0].stats["samples"] == 16


def test_learned_solver_refuses_other_problems_and_missing_weights():
    solver = get_solver("learned-jobshop")
    assert "job shop" in solver.unsupported(load_instance("j301_1").problem)
    assert main(["solve", "ft06", "--solver", "learned-jobshop", "--param", "weights=/nonexistent.pt"]) == 2


def test_auto_with_the_learned_starter_is_at_least_as_good_as_the_learned_schedule():
    problem = load_instance("la16").problem
    learned = get_solver("learned-jobshop-ensemble").solve(problem, SolveOptions())
    auto = get_solver("auto").solve(problem, SolveOptions(time_limit=1, params={"learned": 1}))
    assert first_violation(problem, auto.schedule) is None
    assert auto.objective <= learned.objective


def test_train_command_lite_self_label_samples_in_the_kernel_on_the_sizes_asked(tmp_path, capsys):
    out = tmp_path / "lite.pt"
    assert main(["train", "jobshop", "--network", "lite", "--algorithm", "self-label", "--rollouts", "4",
                 "--steps", "400", "--sizes", "6x4,8x5", "--init", str(SHIPPED_LITE), "--out", str(out)]) == 0
    _, record = load_scorer(str(out))
    assert record["sampler"] == "compiled (lite kernel)" and [list(s) for s in record["config"]["sizes"]] == [[6, 4], [8, 5]]
    assert record["steps_done"] >= 400 and np.isfinite(record["final_loss"])
    capsys.readouterr()
    with pytest.raises(SystemExit):  # argparse's usage error, exit status 2
        main(["train", "jobshop", "--sizes", "6by4", "--steps", "10", "--out", str(out)])
    assert "expected shop sizes like 10x10,15x15" in capsys.readouterr().err
    assert main(["train", "mec", "--sizes", "6x4", "--steps", "10", "--out", str(out)]) == 2
    assert "--sizes sets the random training shops of jobshop" in capsys.readouterr().err


def test_train_command_sets_the_lite_width_and_refuses_weights_of_another(tmp_path, capsys):
    out = tmp_path / "wide.pt"
    assert main(["train", "jobshop", "--network", "lite", "--hidden", "8", "--algorithm", "self-label",
                 "--rollouts", "4", "--steps", "200", "--sizes", "6x4", "--out", str(out)]) == 0
    scorer, record = load_scorer(str(out))
    assert scorer.first.out_features == 8 and record["config"]["hidden"] == 8
    problem = load_instance("ft06").problem
    result = get_solver("learned-jobshop-lite").solve(problem, SolveOptions(params={"weights": str(out)}))
    assert first_violation(problem, result.schedule) is None
    capsys.readouterr()
    assert main(["train", "jobshop", "--network", "lite", "--hidden", "8", "--algorithm", "self-label",
                 "--steps", "10", "--init", str(SHIPPED_LITE), "--out", str(out)]) == 2
    assert "its weights do not fit this network" in capsys.readouterr().err
    assert main(["train", "jobshop", "--hidden", "8", "--steps", "10", "--out", str(out)]) == 2


def test_lookahead_lite_network_distils_from_a_basic_teacher_and_solves(tmp_path):
    """The teacher reads the first 13 features of the student's 17; the solver runs the 17-feature file."""
    out = tmp_path / "ahead.pt"
    assert main(["train", "jobshop", "--network", "lite", "--lookahead", "--algorithm", "self-label", "--rollouts", "4",
                 "--steps", "200", "--sizes", "6x4", "--imitate", "200", "--teacher", str(SHIPPED), "--out", str(out)]) == 0
    scorer, record = load_scorer(str(out))
    assert scorer.n_features == 17 and record["config"]["lookahead"] and 0 <= record["imitation_accuracy"] <= 1
    problem = load_instance("ft06").problem
    for params in ({"weights": str(out)}, {"weights": str(out), "samples": 4}):
        result = get_solver("learned-jobshop-lite").solve(problem, SolveOptions(params=params))
        assert first_violation(problem, result.schedule) is None
    assert main(["train", "mec", "--lookahead", "--steps", "10", "--out", str(out)]) == 2


def test_train_command_learns_a_search_solvers_schedules(tmp_path, capsys):
    out = tmp_path / "expert.pt"
    base = ["train", "jobshop", "--network", "lite", "--algorithm", "self-label", "--rollouts", "2", "--steps", "10",
            "--sizes", "6x4", "--processes", "1", "--out", str(out)]
    assert main([*base, "--imitate", "50", "--teacher", "solver:tabu@200"]) == 0
    assert "decisions of tabu's schedules replayed in Giffler-Thompson" in capsys.readouterr().out
    _, record = load_scorer(str(out))
    assert record["config"]["teacher"] == "solver:tabu@200" and 0 <= record["imitation_accuracy"] <= 1
    for teacher, message in (("solver:nosuch", "no solver named 'nosuch'"), ("solver:tabu@x", "positive step count")):
        assert main([*base, "--imitate", "50", "--teacher", teacher]) == 2
        assert message in capsys.readouterr().err
    assert main([*base, "--teacher", "solver:tabu"]) == 2
    assert "needs --imitate N" in capsys.readouterr().err
