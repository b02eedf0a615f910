"""The `dag` domain: DAG jobs arriving on a heterogeneous SoC (DS3 / DeepSoCS style), declared once."""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.dag.online import POLICIES, run_soc
from schedlab.learn.soc import LearnedSoC
from schedlab.sim.domain import Domain, Policy, register_domain
from schedlab.sim.params import param
from schedlab.sim.result import SimResult, Span

POLICIES.register(LearnedSoC.name, LearnedSoC, LearnedSoC.description)


@dataclass(frozen=True)
class SoCParams:
    jobs: int = param(500, "DAG jobs arriving (Poisson)", ge=1, le=10_000_000)
    rate: float | None = param(None, "job arrival rate (default: 70% of the SoC's estimated capacity)", gt=0, le=1e9,
                               unit="jobs per time unit")
    noise: float = param(0.2, "sigma of the log-normal execution-time noise", ge=0, le=10)


def run(params: SoCParams, policy: Policy, seed: int, record: bool) -> SimResult:
    metrics, sim, pe_names = run_soc(policy, params.jobs, params.rate, params.noise, seed, record=record)
    out = SimResult("dag", policy.name, seed, {}, headline=("finished", "latency.mean", "latency.p95", "rate"))
    for name in ("arrived", "finished", "rate", "latency.mean", "latency.p50", "latency.p95", "latency.p99",
                 "throughput_jobs_per_time"):
        out.metric(name, metrics[name], "time units" if name.startswith("latency") else "")
    out.breakdowns["pe_utilization"] = dict(zip(pe_names, metrics["pe_utilization"], strict=False))
    out.samples["latency"] = list(sim.job_latencies)
    out.spans = [Span(pe_names[pe], start, end, f"job {job} task {task}", f"job {job}")
                 for pe, job, task, start, end in sim.spans]
    return out


DAG = register_domain(Domain(
    name="dag",
    description="DAG jobs arriving on a heterogeneous SoC (big/little cores, GPU, DSP) with noisy execution times",
    params=SoCParams,
    policies=POLICIES,
    run=run,
    default_policy="heft",
    work=lambda p: p.jobs,
    work_name="jobs",
    examples=("--policy etf --jobs 1000 --noise 0.2",),
))
