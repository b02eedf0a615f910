"""The `cluster` domain: users submitting Spark-style jobs (stages of tasks) to a pool of cores."""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.cluster.model import SIZE_CLASSES, multi_user_workload
from schedlab.cluster.policies import CLUSTER_POLICIES
from schedlab.cluster.sim import ClusterSim, simulate_cluster
from schedlab.sim.domain import Domain, Policy, register_domain
from schedlab.sim.params import ParameterError, param
from schedlab.sim.result import SimResult, Span


@dataclass(frozen=True)
class ClusterParams:
    jobs: int = param(600, "jobs submitted (two-class and google mixes)", ge=1, le=10_000_000)
    cores: int = param(64, "executor cores in the pool", ge=1, le=1_000_000)
    load: float = param(0.8, "offered load as a fraction of the cores", gt=0, lt=5)
    heavy_users: int = param(2, "users submitting the large jobs (power: bursts of jobs)", ge=0, le=10_000)
    light_users: int = param(2, "users submitting small jobs (power: a trickle of jobs)", ge=0, le=10_000)
    skew: float = param(1.0, "sigma of the log-normal task durations", ge=0, le=10)
    burst_cv: float = param(1.0, "coefficient of variation of inter-arrival times (> 1: bursts)", gt=0, le=100)
    estimate_noise: float = param(0.0, "sigma of the log-normal runtime-estimate error", ge=0, le=10)
    partition: float | None = param(None, "runtime partitioning: split tasks longer than this many seconds", gt=0, le=1e9,
                                    unit="s")
    size_mix: str = param("power", "job sizes: heavy/light two-class mix, a Google-trace-like heavy tail, or the UWFQ "
                          "paper's power/small users (equal jobs, power users submit bursts; jobs, load and burst_cv "
                          "do not apply)", choices=("two-class", "google", "power"))
    heavy_memory: float = param(1.0, "memory units per heavy-user task (light: 1; pool: 2 x cores)", gt=0, le=1e6)
    move_delay: float = param(0.0, "seconds an executor needs to move to another job", ge=0, le=1e6, unit="s")


def run(params: ClusterParams, policy: Policy, seed: int, record: bool) -> SimResult:
    if params.heavy_users + params.light_users < 1:
        raise ParameterError("light_users", "at least one user (heavy_users + light_users >= 1) is needed")
    jobs = multi_user_workload(params.jobs, params.heavy_users, params.light_users, params.load, params.cores, params.skew,
                               params.burst_cv, params.estimate_noise, seed, params.size_mix, params.heavy_memory)
    sim = ClusterSim(params.cores, policy, params.partition, move_delay_s=params.move_delay, record=record)
    m = simulate_cluster(jobs, policy, params.cores, sim=sim)
    out = SimResult("cluster", policy.name, seed, {}, headline=(
        "response_time.light_users.mean", "response_time.heavy_users.mean", "response_time.mean",
        "fairness_jain_user_slowdown", "utilization"))
    for name, value in m.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and name not in ("cores", "partition_s"):
            out.metric(name, value, "s" if name.startswith("response_time") else "")
    out.breakdowns["slowdown_by_user"] = m["slowdown_by_user"]
    out.breakdowns["response_time_mean_by_user"] = {u: v["mean"] for u, v in m["response_time_by_user"].items()}
    out.breakdowns["response_time_mean_by_size"] = {n: m[f"response_time.{n}.mean"] for n, _, _ in SIZE_CLASSES}
    out.samples["response_time"] = [j.finish - j.arrival for j in jobs]
    out.spans = [Span(f"core {core}", start, end, f"job {job}", user) for core, job, user, start, end in sim.spans]
    return out


CLUSTER = register_domain(Domain(
    name="cluster",
    description="multi-user Spark-style cluster: jobs of dependent stages of skewed tasks on a pool of cores",
    params=ClusterParams,
    policies=CLUSTER_POLICIES,
    run=run,
    default_policy="uwfq",
    work=lambda p: p.jobs,
    work_name="jobs",
    examples=("--policy uwfq --partition 10",),
))
