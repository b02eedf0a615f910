"""Multi-user Spark-style cluster: UWFQ against FIFO, FAIR, user-fair, shortest-first and DRF, and
UWFQ as its runtime estimate gets noisy (paper: up to 74% lower small-job mean response time).

    .venv/bin/python benchmarks/cluster_uwfq.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from schedlab.cluster.model import multi_user_workload, power_users_workload
from schedlab.cluster.policies import CLUSTER_POLICIES
from schedlab.cluster.sim import simulate_cluster

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(5)
CORES, JOBS, PARTITION = 64, 600, 10.0


def run(policy, partition=None, noise=0.0, load=0.8, burst=1.0, mix="two-class", memory=1.0, move=0.0, options=None):
    runs = [
        simulate_cluster(
            multi_user_workload(
                JOBS, load=load, cores=CORES, burst_cv=burst, estimate_noise=noise, seed=s, size_mix=mix, heavy_memory=memory
            ),
            CLUSTER_POLICIES.get(policy)(**(options or {})),
            CORES,
            partition,
            move_delay_s=move,
        )
        for s in SEEDS
    ]
    return {
        k: statistics.mean(r[k] for r in runs)
        for k in (
            "response_time.small.mean",
            "response_time.medium.mean",
            "response_time.large.mean",
            "response_time.mean",
            "fairness_jain_user_slowdown",
            "share_deviation",
            "utilization",
        )
    }


SINGLE_POOL = {"pools": "single", "pool_mode": "fair"}
POWER_POLICIES = (  # (label, policy, options): Spark's configurations and the authors' baselines
    ("fifo", "fifo", {}),
    ("fair, one pool, FAIR inside (Spark FAIR without per-user pools; the authors' DEFAULT_FAIR behaves so)", "fair",
     {"pools": "single", "pool_mode": "fair"}),
    ("fair, one pool per user, FAIR inside (the authors' CUSTOM_FAIR)", "fair", {"pools": "user", "pool_mode": "fair"}),
    ("fair, one pool per user, FIFO inside", "fair", {}),
    ("shortest", "shortest", {}),
    ("uwfq", "uwfq", {}),
)
POWER_PARTITION = 1.0


def run_power(policy: str, options: dict, partition: float | None) -> tuple[float, float]:
    """Mean response of the small users' and of the power users' jobs over the seeds."""
    small, power = [], []
    for s in SEEDS:
        jobs = power_users_workload(cores=CORES, seed=s)
        simulate_cluster(jobs, CLUSTER_POLICIES.get(policy)(**options), CORES, partition)
        small += [j.finish - j.arrival for j in jobs if j.user.startswith("light")]
        power += [j.finish - j.arrival for j in jobs if j.user.startswith("heavy")]
    return statistics.mean(small), statistics.mean(power)


def power_users_section() -> list[str]:
    """The paper's micro-benchmark shape: equal jobs; power users submit bursts, small users a trickle."""
    lines = [
        "\n## The paper's micro-benchmark: 2 power users, 2 small users\n",
        f"Every job is the same single-stage job ({CORES // 2} tasks, mean 1.4 s, log-normal sigma 1); each power user "
        "submits 4 bursts of 20 jobs, 30 s apart; each small user 12 jobs, Poisson at 8 per minute (the shape of the "
        "authors' `2_power_2_small_users` configuration in kazemaksOG/spark-benchmark-tool). Partitioning splits tasks "
        f"over {POWER_PARTITION:g} s. Mean response over seeds 0-4.\n",
        "| policy | partitioning | small users' mean (s) | power users' mean (s) |", "|---|---|---:|---:|",
    ]
    table = {}
    for label, policy, options in POWER_POLICIES:
        for part in (None, POWER_PARTITION):
            table[(label, part)] = run_power(policy, options, part)
            small, power = table[(label, part)]
            lines.append(f"| {label} | {'yes' if part else 'no'} | {small:.1f} | {power:.1f} |")
    uwfq, single, per_user = (table[(POWER_POLICIES[k][0], None)][0] for k in (5, 1, 2))
    uwfq_part = table[("uwfq", POWER_PARTITION)][0]
    per_user_part = table[(POWER_POLICIES[2][0], POWER_PARTITION)][0]
    lines += [
        f"\nUWFQ vs Spark FAIR with one pool for every job: small users' mean response {uwfq:.1f} vs {single:.1f} s "
        f"({uwfq / single - 1:+.0%}; {uwfq_part / single - 1:+.0%} with UWFQ's runtime partitioning); paper: up to -74%. "
        f"UWFQ vs FAIR with one pool per user: {uwfq:.1f} vs {per_user:.1f} s ({uwfq / per_user - 1:+.0%}; both "
        f"partitioned {uwfq_part:.1f} vs {per_user_part:.1f} s, {uwfq_part / per_user_part - 1:+.0%}).",
        "",
        "What the paper's result depends on: the 74% is against Spark's FAIR as it shares cores between jobs (every job "
        "in one pool), in a workload where users differ in how many jobs they submit at once; a power user's burst of "
        "20 jobs then takes 20 shares and the small users' jobs wait. The authors' own result table for this "
        "configuration (results/tables/2_power_2_small_users_run_data_avg.csv) shows the same ordering: small users "
        "about 40 s under DEFAULT_FAIR, about 30 s under FIFO, 4-6 s under their per-user CUSTOM_FAIR and 3-6 s under "
        "UWFQ. Against per-user FAIR pools UWFQ's small-job advantage is small or absent; what UWFQ adds there is the "
        "heavy users' response (it runs their jobs shortest-virtual-deadline first instead of sharing among them). "
        "The steady-state two-class workload above has few concurrent heavy jobs, so per-job and per-user FAIR behave "
        "alike there and both beat UWFQ on small jobs: that was the earlier disagreement, a workload without the "
        "paper's burst structure, not a reconstruction error.",
    ]
    return lines


def main() -> int:
    started = time.time()
    lines = [
        "# Multi-user cluster scheduling: UWFQ\n",
        f"Command: `.venv/bin/python benchmarks/cluster_uwfq.py`. {CORES} cores, {JOBS} jobs from 2 heavy users (large\n"
        "multi-stage jobs, ~30% of jobs) and 6 light users (small jobs), task durations log-normal (sigma 1), mean of seeds 0-4.\n"
        "Size classes by total work: small < 200 core-s <= medium < 2000 core-s <= large. Runtime partitioning splits tasks\n"
        f"longer than {PARTITION:g} s. Multi-stage jobs are stage DAGs (branches join at the last stage). User fairness =\n"
        "Jain's index over users' mean slowdowns; share deviation = mean |a user's share of the busy cores - equal share| over\n"
        "users with demand, sampled at every launch. UWFQ here is a reconstruction (see `schedlab/cluster/policies.py`), not the authors' code.\n",
    ]
    for load, burst in ((0.8, 1.0), (0.9, 3.0)):
        lines += [
            f"\n## Offered load {load}, inter-arrival CV {burst}\n",
            "| policy | partitioning | small mean (s) | medium mean | large mean | all mean | user fairness (Jain) | share deviation |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        table = {}
        for policy, options in (("fifo", {}), ("fair", {}), ("fair", SINGLE_POOL), ("user-fair", {}), ("shortest", {}),
                                ("drf", {}), ("uwfq", {})):
            label = "fair (one pool, FAIR inside)" if options else policy
            for part in (None, PARTITION):
                r = run(policy, part, load=load, burst=burst, options=options)
                table[(label, part)] = r
                lines.append(
                    f"| {label} | {'yes' if part else 'no'} | {r['response_time.small.mean']:.1f} | "
                    f"{r['response_time.medium.mean']:.1f} | {r['response_time.large.mean']:.1f} | {r['response_time.mean']:.1f} "
                    f"| {r['fairness_jain_user_slowdown']:.3f} | {r['share_deviation']:.3f} |"
                )
        u = table[("uwfq", PARTITION)]["response_time.small.mean"]
        for base, what in (("fifo", "Spark FIFO"), ("fair (one pool, FAIR inside)", "Spark FAIR, one pool for every job"),
                           ("fair", "Spark FAIR, one pool per user")):
            b = table[(base, None)]["response_time.small.mean"]
            lines.append(
                f"\nUWFQ (partitioned) vs {what} (no partitioning): small-job mean response "
                f"{u:.1f} vs {b:.1f} s ({u / b - 1:+.0%}; paper: up to -74%)."
            )
    lines += power_users_section()
    lines += [
        "\n## Google-cluster-like size mix, heavy users' tasks hold 1.5 memory units, executor move delay 0.5 s\n",
        "Load 0.8, memory pool = 2 x cores units; DRF balances each user's dominant share (cores or memory).\n",
        "| policy | partitioning | small mean (s) | medium mean | large mean | all mean | user fairness (Jain) | share deviation |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for policy, part in (("fifo", None), ("fair", None), ("drf", None), ("shortest", None), ("uwfq", None), ("uwfq", PARTITION)):
        r = run(policy, part, mix="google", memory=1.5, move=0.5)
        lines.append(
            f"| {policy} | {'yes' if part else 'no'} | {r['response_time.small.mean']:.1f} | {r['response_time.medium.mean']:.1f} "
            f"| {r['response_time.large.mean']:.1f} | {r['response_time.mean']:.1f} | {r['fairness_jain_user_slowdown']:.3f} | {r['share_deviation']:.3f} |"
        )
    lines += [
        "\n## UWFQ with noisy runtime estimates (load 0.8, partitioned)\n",
        "| estimate error sigma (log-normal) | small mean | medium mean | large mean | user fairness |",
        "|---:|---:|---:|---:|---:|",
    ]
    for noise in (0.0, 0.5, 1.0, 2.0):
        r = run("uwfq", PARTITION, noise=noise)
        lines.append(
            f"| {noise} | {r['response_time.small.mean']:.1f} | {r['response_time.medium.mean']:.1f} | "
            f"{r['response_time.large.mean']:.1f} | {r['fairness_jain_user_slowdown']:.3f} |"
        )
    lines.append(f"\nTotal wall time {time.time() - started:.0f} s.\n")
    report = "\n".join(lines)
    (ROOT / "benchmarks/results/cluster_uwfq.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
