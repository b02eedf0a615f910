"""Multi-user cluster simulation: exact small cases, every policy completes every job, UWFQ ordering."""

from __future__ import annotations

import json

import pytest

from schedlab.cli import main
from schedlab.cluster.model import Job, Stage, multi_user_workload
from schedlab.cluster.policies import CLUSTER_POLICIES, UWFQ, ClusterPolicy
from schedlab.cluster.sim import ClusterSim, simulate_cluster
from schedlab.sim.policy import IllegalDecisionError


def _job(jid, user, t, stages):
    job = Job(jid, user, t)
    for k, durs in enumerate(stages):
        job.stages.append(Stage(k, job, list(durs), [k - 1] if k else []))
    job.estimate = job.work
    return job


def test_fifo_on_two_cores_is_exact():
    jobs = [_job(0, "a", 0.0, [[4, 4, 4]]), _job(1, "b", 1.0, [[1]])]
    simulate_cluster(jobs, "fifo", cores=2)
    # job 0's tasks take both cores at 0 and the third at 4; job 1 waits for a core until 4
    assert jobs[0].finish == 8.0 and jobs[1].finish == 5.0


def test_stages_run_in_dependency_order():
    job = _job(0, "a", 0.0, [[2, 2], [3]])
    simulate_cluster([job], "fifo", cores=4)
    assert job.finish == 5.0


def test_fair_shares_between_users_and_shortest_serves_small_first():
    jobs = [_job(0, "a", 0.0, [[10] * 4]), _job(1, "b", 1.0, [[1]])]
    simulate_cluster(jobs, "fair", cores=2)
    assert jobs[1].finish == 11.0  # FAIR: at t=10 user b (0 running) beats user a (1 running)
    jobs = [_job(0, "a", 0.0, [[10] * 4]), _job(1, "b", 1.0, [[1]])]
    simulate_cluster(jobs, "fifo", cores=2)
    assert jobs[1].finish == 21.0  # FIFO: job 0's remaining tasks first
    jobs = [_job(0, "a", 0.0, [[10] * 4]), _job(1, "b", 1.0, [[1]])]
    simulate_cluster(jobs, "shortest", cores=1)
    assert jobs[1].finish == 11.0  # after a's first task, b's 1 core-s beats a's 30 remaining
    jobs = [_job(0, "a", 0.0, [[10] * 4]), _job(1, "b", 1.0, [[1]])]
    simulate_cluster(jobs, "fifo", cores=1)
    assert jobs[1].finish == 41.0


def test_uwfq_orders_a_users_jobs_by_size_and_chains_deadlines():
    pol = UWFQ()
    sim = ClusterSim(2, pol)
    big, small = _job(0, "u", 0.0, [[50]]), _job(1, "u", 0.0, [[5]])
    pol.on_arrival(sim.view, big)
    pol.on_arrival(sim.view, small)
    assert small.virtual_deadline == 5.0 and big.virtual_deadline == 55.0


@pytest.mark.parametrize("policy", CLUSTER_POLICIES.names())
def test_every_policy_finishes_every_job_and_is_deterministic(policy):
    a = simulate_cluster(multi_user_workload(150, seed=2), policy, cores=32)
    b = simulate_cluster(multi_user_workload(150, seed=2), policy, cores=32)
    assert a == b
    assert sum(a[f"jobs.{c}"] for c in ("small", "medium", "large")) == 150
    assert 0 < a["utilization"] <= 1.0


def test_partitioning_conserves_work():
    jobs = multi_user_workload(50, seed=1)
    work = sum(j.work for j in jobs)
    sim = ClusterSim(16, CLUSTER_POLICIES.get("fifo")(), partition_s=2.0)
    for j in jobs:
        sim._partition(j)
    assert abs(sum(j.work for j in jobs) - work) < 1e-6 * work
    assert max(max(s.durations) for j in jobs for s in j.stages) <= 2.0 + 1e-9


def test_illegal_pick_raises():
    class Bad(ClusterPolicy):
        name = "bad"

        def select(self, view, runnable):
            return Stage(99, runnable[0].job, [1.0])

    with pytest.raises(IllegalDecisionError):
        simulate_cluster([_job(0, "a", 0.0, [[1]])], Bad(), cores=1)


def test_cli_simulate_cluster(tmp_path):
    out = tmp_path / "m.json"
    assert main(["simulate", "cluster", "--policy", "fair", "--size-mix", "two-class", "--jobs", "100", "--seed", "0",
                 "--out", str(out)]) == 0
    m = json.loads(out.read_text())["metrics"]
    assert m["response_time.small.mean"] > 0 and m["jobs"] == 100
    assert main(["simulate", "cluster", "--policy", "lottery"]) == 2


def test_memory_limits_concurrency_and_moves_cost_time():
    heavy = _job(0, "a", 0.0, [[1.0] * 4])
    heavy.memory_per_task = 2.0
    sim = ClusterSim(4, CLUSTER_POLICIES.get("fifo")(), memory=4.0)
    simulate_cluster([heavy], sim.policy, 4, sim=sim)
    assert heavy.finish == 2.0  # only two 2-unit tasks fit in 4 memory units at a time
    jobs = [_job(0, "a", 0.0, [[1.0]]), _job(1, "b", 0.0, [[1.0]])]
    sim = ClusterSim(1, CLUSTER_POLICIES.get("fifo")(), move_delay_s=0.5)
    simulate_cluster(jobs, sim.policy, 1, sim=sim)
    assert jobs[1].finish == 2.5 and sim.moves == 1


def test_google_mix_and_report(tmp_path):
    jobs = multi_user_workload(120, size_mix="google", heavy_memory=1.5, seed=4)
    assert max(len(s.durations) for j in jobs for s in j.stages) > 20
    report = tmp_path / "r.html"
    assert (
        main(
            [
                "simulate",
                "cluster",
                "--policy",
                "drf",
                "--jobs",
                "80",
                "--size-mix",
                "google",
                "--heavy-memory",
                "1.5",
                "--move-delay",
                "0.5",
                "--report",
                str(report),
            ]
        )
        == 0
    )
    page = report.read_text()
    assert "Timeline" in page and "response_time_mean_by_size" in page and "drf" in page


def test_drf_balances_dominant_shares_when_memory_dominates():
    # 8 cores, 12 memory units; a blocker holds every core until t=1, then a and b (queued at
    # t=0.5) compete. a's tasks hold 3 units, b's 1. FAIR equalises running tasks (3 each, then
    # memory is full); DRF equalises dominant shares (a: memory, b: cores), giving 2 vs 6.
    def jobs():
        blocker = _job(0, "c", 0.0, [[1.0] * 8])
        blocker.memory_per_task = 0.0
        a = _job(1, "a", 0.5, [[10.0] * 8])
        a.memory_per_task = 3.0
        return [blocker, a, _job(2, "b", 0.5, [[10.0] * 8])]

    started = {}
    for name in ("fair", "drf"):
        sim = ClusterSim(8, CLUSTER_POLICIES.get(name)(), memory=12.0, record=True)
        simulate_cluster(jobs(), sim.policy, 8, sim=sim)
        at_one = [u for _, _, u, s, _ in sim.spans if s == 1.0]
        started[name] = (at_one.count("a"), at_one.count("b"))
    assert started["fair"] == (3, 3)
    assert started["drf"] == (2, 6)


def test_the_power_users_workload_shows_the_papers_claim():
    """Equal jobs, power users' bursts: per-job Spark FAIR starves the small users, UWFQ does not."""
    from schedlab.cluster.model import power_users_workload
    from schedlab.cluster.policies import FAIR, UWFQ

    def light_mean(policy) -> float:
        jobs = power_users_workload(cores=32, seed=1)
        simulate_cluster(jobs, policy, 32)
        light = [j.finish - j.arrival for j in jobs if j.user.startswith("light")]
        return sum(light) / len(light)

    jobs = power_users_workload(cores=32, seed=1)
    assert len(jobs) == 2 * 4 * 20 + 2 * 12 and len({round(j.work) for j in jobs}) > 1
    assert light_mean(UWFQ()) < 0.6 * light_mean(FAIR(pools="single", pool_mode="fair"))


def test_fair_pool_options_follow_sparks_comparators():
    """Two cores; user a queues two jobs of four 5 s tasks at 0, user b one 1 s task at 0.1. With a pool per
    user, b's pool (nothing running) wins the first core freed at 5: b ends at 6. With one FIFO pool for all,
    b's job waits behind both of a's jobs (16 tasks-slots of 5 s on 2 cores): it starts at 20, ends at 21."""
    from schedlab.cluster.policies import FAIR

    def b_finish(policy) -> float:
        jobs = [_job(0, "a", 0.0, [[5.0] * 4]), _job(1, "a", 0.0, [[5.0] * 4]), _job(2, "b", 0.1, [[1.0]])]
        simulate_cluster(jobs, policy, cores=2)
        return jobs[2].finish

    assert b_finish(FAIR()) == 6.0
    assert b_finish(FAIR(pools="single")) == 21.0
