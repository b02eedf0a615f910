"""schedlab.learn on the online domains: the simulation-driven environments (MEC, SoC, IoT), their
learned policies as registered domain policies, and the shipped weights."""

from __future__ import annotations

import math
import threading

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from schedlab.cli import main
from schedlab.dag.online import default_soc, run_soc
from schedlab.edge.iot import IoTScenario, batch_score, run_iot
from schedlab.edge.mec import MECScenario, Weighted, run_mec
from schedlab.learn.blocking import blocking_env
from schedlab.learn.driven import SimulationProcess
from schedlab.learn.env import ILLEGAL_PENALTY, register_envs
from schedlab.learn.iot import LearnedACO, LearnedIoT, iot_env
from schedlab.learn.jobshop import IllegalActionError
from schedlab.learn.mec import LearnedMEC, mec_env
from schedlab.learn.soc import MAX_WAITING, LearnedSoC, SoCEpisode, soc_env
from schedlab.sim.policy import IllegalDecisionError

SMALL_MEC = MECScenario(users=6, tasks_per_user=8)
SMALL_SOC = SoCEpisode(jobs=25)
SMALL_IOT = IoTScenario(duration_s=20.0)
ENVS = {
    "mec": lambda **kw: mec_env(scenario=SMALL_MEC, **kw),
    "soc": lambda **kw: soc_env(episode=SMALL_SOC, **kw),
    "iot": lambda **kw: iot_env(scenario=SMALL_IOT, **kw),
    "isbjssp": lambda **kw: blocking_env(sizes=((6, 4),), **kw),
}


def _episode(env, seed: int) -> tuple[list[float], list[np.ndarray], dict]:
    """Random legal actions (seeded); the rewards, observations and the last info."""
    obs, info = env.reset(seed=seed)
    rng = np.random.default_rng(seed)
    rewards, observations, done = [], [obs], False
    while not done:
        action = int(rng.choice(np.flatnonzero(info["action_mask"])))
        assert np.array_equal(info["action_mask"], env.action_masks())
        obs, reward, done, truncated, info = env.step(action)
        assert not truncated
        rewards.append(reward)
        observations.append(obs)
    return rewards, observations, info


@pytest.mark.parametrize("name", sorted(ENVS))
def test_environment_passes_the_checker_is_seeded_and_rewards_add_up_to_the_cost(name):
    env = ENVS[name]()
    check_env(env, skip_render_check=True)
    first, again, other = _episode(env, 3), _episode(env, 3), _episode(env, 4)
    assert first[0] == again[0] and all(np.array_equal(a, b) for a, b in zip(first[1], again[1], strict=True))
    assert first[0] != other[0]
    # dense rewards add up to minus the episode's cost (beyond what accrued before its first decision)
    env.reset(seed=3)
    start = env.process.cost
    assert sum(first[0]) == pytest.approx(-(first[2]["cost"] - start) / env.process.scale, rel=1e-9, abs=1e-9)
    assert getattr(env.process, "result", None) is None  # a fresh episode is paused at its first decision
    sparse = ENVS[name](reward="sparse")
    rewards, _, info = _episode(sparse, 3)
    assert all(r == 0 for r in rewards[:-1]) and rewards[-1] == pytest.approx(-info["cost"] / sparse.process.scale)


@pytest.mark.parametrize("name", sorted(ENVS))
def test_illegal_action_is_refused_or_raised(name):
    env = ENVS[name]()
    obs, info = env.reset(seed=0)
    bad = env.action_space.n  # past the last action
    for action in (bad, -1):
        obs2, reward, terminated, _, info2 = env.step(action)
        assert reward == ILLEGAL_PENALTY and not terminated and "legal" in info2["illegal_action"]
        assert np.array_equal(obs, obs2)
    strict = ENVS[name](illegal="raise")
    strict.reset(seed=0)
    with pytest.raises(IllegalActionError, match="legal"):
        strict.step(bad)


def test_resetting_mid_episode_ends_the_paused_simulation_thread():
    before = threading.active_count()
    env = ENVS["soc"]()
    for seed in range(5):
        env.reset(seed=seed)
        env.step(int(np.flatnonzero(env.action_masks())[0]))
    env.close()
    assert threading.active_count() == before


def test_a_simulation_error_reaches_the_environment():
    def simulate(ask):
        ask(np.ones((2, 3), np.float32), np.array([True, True]))
        raise IllegalDecisionError("the simulator refused it")

    process = SimulationProcess(simulate, lambda: 0.0, width=4, n_features=3)
    assert process.legal.tolist() == [True, True, False, False]
    with pytest.raises(IllegalDecisionError, match="refused"):
        process.step(1)


def _cheapest(rows: np.ndarray, legal: np.ndarray) -> int:
    return int(np.argmin(np.where(legal, rows[:, 5], np.inf)))


def test_learned_mec_policy_choosing_the_cheapest_place_is_the_weighted_greedy():
    """The rows carry the scalarised cost the weighted greedy minimises: choosing by it reproduces that policy."""
    for weight in (0.2, 0.5, 0.9):
        learned, _ = run_mec(LearnedMEC(_cheapest, weight=weight), scenario=SMALL_MEC, seed=1)
        greedy, state = run_mec(Weighted(weight=weight), scenario=SMALL_MEC, seed=1)
        assert learned["choices"] == greedy["choices"] and learned["delay.mean"] == greedy["delay.mean"]


def _random_decider(seed: int):
    rng = np.random.default_rng(seed)

    def decide(rows: np.ndarray, legal: np.ndarray) -> int:
        assert rows.shape[0] == legal.size and legal.all() and (rows[:, 0] == 1).all()
        return int(rng.integers(legal.size))

    return decide


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_learned_soc_ordering_gives_a_valid_schedule(noise):
    """Random orderings through the `pick_next` hook: every job finishes, PEs never overlap, precedence holds."""
    jobs = []

    class Recording(LearnedSoC):
        def on_arrival(self, view, job):
            jobs.append(job)
            super().on_arrival(view, job)

    metrics, sim, _ = run_soc(Recording(_random_decider(2)), jobs=60, noise=noise, seed=7, templates=default_soc(7)[1],
                              record=True)
    assert metrics["finished"] == 60 and len(jobs) == 60
    by_pe: dict[int, list[tuple[float, float]]] = {}
    span_of = {}
    for pe, job, task, start, end in sim.spans:
        by_pe.setdefault(pe, []).append((start, end))
        assert (job, task) not in span_of  # each task runs once
        span_of[job, task] = (pe, start, end)
    for spans in by_pe.values():
        spans.sort()
        assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:], strict=False))
    for job in jobs:
        dag = job.dag
        assert all((job.id, t) in span_of for t in range(dag.n_tasks))
        for t in range(dag.n_tasks):
            pe, start, _ = span_of[job.id, t]
            assert math.isfinite(dag.cost[t, pe]) and start >= job.arrival - 1e-9
            for u, data in dag.preds[t]:
                pe_u, _, end_u = span_of[job.id, u]
                assert start >= end_u + dag.comm(data, pe_u, pe) - 1e-9


def test_soc_policy_refuses_a_bad_pick():
    class Bad(LearnedSoC):
        def pick_next(self, view, pe, waiting):
            return len(waiting)

    with pytest.raises(IllegalDecisionError, match="picked"):
        run_soc(Bad(lambda rows, legal: 0), jobs=40, noise=0.2, seed=0)


def test_soc_decisions_are_capped_and_shown_oldest_first():
    seen = []

    def decide(rows, legal):
        seen.append(rows.shape[0])
        order = rows[:, 10]  # arrival relative to the oldest shown
        assert order.min() == 0.0
        return 0

    run_soc(LearnedSoC(decide), jobs=200, rate=None, noise=0.2, seed=1)
    assert seen and max(seen) <= MAX_WAITING and min(seen) >= 2


def test_learned_iot_cost_is_aco_objective_and_the_hybrid_starts_from_the_learned_allocation():
    costs = []

    class Recording(LearnedIoT):
        def assign(self, view):
            before = self.cost
            out = super().assign(view)
            costs.append((self.cost - before,
                          batch_score(np.array(out), view.lengths, view.deadlines, view.now, view.free, view.mips)))
            return out

    run_iot(Recording(_random_decider(0)), SMALL_IOT, seed=2)
    assert costs and all(a == pytest.approx(b) for a, b in costs)
    hybrid, _ = run_iot(LearnedACO(_FakeDecider(), iterations=2, ants=2), SMALL_IOT, seed=2)
    assert hybrid["tasks"] > 0 and 0 < hybrid["utilization"] <= 1


class _FakeDecider:
    """A decider with the probabilities interface: prefers the fastest node."""

    def __call__(self, rows, legal, rng=None):
        return int(np.argmax(rows[:, 6]))

    def probabilities(self, rows, legal):
        p = rows[:, 6].astype(float)
        return p / p.sum()


def test_online_environments_are_registered_under_gymnasium_ids():
    register_envs()
    for gym_id in ("schedlab/MEC-v0", "schedlab/SoC-v0", "schedlab/IoT-v0"):
        env = gym.make(gym_id)
        obs, info = env.reset(seed=0)
        assert obs.shape == env.observation_space.shape and info["action_mask"].any()
        env.close()


@pytest.mark.parametrize("argv", [
    ["simulate", "mec", "--policy", "learned-gmorl", "--weight", "0.3", "--users", "5", "--tasks-per-user", "10"],
    ["simulate", "dag", "--policy", "learned-deepsocs", "--jobs", "40"],
    ["simulate", "iot", "--policy", "learned-rl", "--duration-s", "30"],
    ["simulate", "iot", "--policy", "aco-rl", "--duration-s", "20"],
])
def test_shipped_online_policies_run_from_the_cli(argv, capsys):
    assert main(argv) == 0
    assert argv[3] in capsys.readouterr().out


@pytest.mark.parametrize("env", ["mec", "iot"])
def test_train_runs_a_few_hundred_steps_on_an_online_environment(env, tmp_path):
    from schedlab.learn.solver import load_scorer

    out = tmp_path / f"{env}.pt"
    assert main(["train", env, "--steps", "256", "--envs", "2", "--processes", "1", "--out", str(out)]) == 0
    _, record = load_scorer(str(out))
    assert np.isfinite(record["final_loss"]) and record["config"]["gamma"] < 1


@pytest.mark.parametrize("noise", [0.0, 0.5])
def test_learned_soc_choosing_the_oldest_job_is_etf(noise):
    """The candidates come oldest job first (ETF's own priority): always taking the first reproduces `etf` exactly."""
    from schedlab.dag.online import simulate_soc

    learned = simulate_soc(LearnedSoC(lambda rows, legal: 0), jobs=150, noise=noise, seed=3)
    etf = simulate_soc("etf", jobs=150, noise=noise, seed=3)
    assert learned["latency.mean"] == etf["latency.mean"] and learned["latency.p95"] == etf["latency.p95"]


def test_train_several_seeds_keeps_the_best(tmp_path, capsys):
    out = tmp_path / "mec.pt"
    assert main(["train", "mec", "--steps", "256", "--envs", "2", "--processes", "1", "--seeds", "0,1",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "best seed" in printed and out.is_file()
    assert (tmp_path / "mec-s0.pt").is_file() and (tmp_path / "mec-s1.pt").is_file()
    with pytest.raises(SystemExit):  # argparse's usage error, exit status 2
        main(["train", "mec", "--steps", "10", "--seeds", "0,0", "--out", str(out)])


def test_train_seeds_on_ray_matches_the_serial_record(tmp_path):
    ray = pytest.importorskip("ray")
    from schedlab.learn.train import TrainConfig, train_seeds

    config = TrainConfig(env="isbjssp", steps=200, envs=2, processes=1, algorithm="shared-baseline", rollouts=2)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        remote = train_seeds(config, [3], tmp_path / "ray.pt", "ray", write=lambda _: None)
    finally:
        ray.shutdown()
    local = train_seeds(config, [3], tmp_path / "serial.pt", "serial", write=lambda _: None)
    assert remote[0]["steps_done"] == local[0]["steps_done"] and remote[0]["final_loss"] == local[0]["final_loss"]


def test_shared_baseline_training_runs_and_the_loss_is_finite(tmp_path):
    from schedlab.learn.solver import load_scorer

    out = tmp_path / "soc.pt"
    assert main(["train", "soc", "--algorithm", "shared-baseline", "--rollouts", "2", "--steps", "300",
                 "--imitate", "200", "--out", str(out)]) == 0
    _, record = load_scorer(str(out))
    assert np.isfinite(record["final_loss"]) and 0 <= record["imitation_accuracy"] <= 1


def test_hybrid_restricted_to_the_learned_top_choice_is_the_learned_allocation():
    """With one candidate per task (the learned policy's first choice) the colony can only rebuild that allocation."""
    fake = _FakeDecider()
    learned, _ = run_iot(LearnedIoT(fake), SMALL_IOT, seed=5)
    hybrid, _ = run_iot(LearnedACO(fake, candidates=1, ants=3, iterations=2), SMALL_IOT, seed=5)
    assert hybrid["response.mean"] == learned["response.mean"] and hybrid["sla_violations"] == learned["sla_violations"]
