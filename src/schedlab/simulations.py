"""Registry of online simulation domains: name -> runner(params dict) -> metrics dict.

The service and any other front end discover domains here; a new domain registers one runner
and appears everywhere without changes to the callers. Runner parameters are plain JSON values;
unknown parameters raise ValueError naming the accepted ones.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from schedlab.core.registry import Registry

Runner = Callable[..., dict]
SIMULATIONS: Registry[Runner] = Registry("simulation domain")


def _llm(
    policy: str = "sarathi",
    model: str = "llama-3-8b",
    gpu: str = "a100",
    trace: str = "azure-conv",
    qps: float | None = 5.0,
    requests: int = 1000,
    replicas: int = 1,
    tp: int = 1,
    seed: int = 0,
) -> dict:
    from schedlab.llm.catalog import get_gpu, get_model
    from schedlab.llm.cluster import simulate
    from schedlab.llm.workloads import attach_predictions, build_requests

    reqs = build_requests(trace, get_model(model).name, requests, qps, "poisson" if trace == "castillo" else "trace", 1.0, seed)
    attach_predictions(reqs, "castillo" if trace == "castillo" else "oracle")
    res = simulate(reqs, get_model(model), get_gpu(gpu), policy, tp=tp, replicas=replicas, keep_samples=True)
    out = dict(res.metrics)
    out["samples"] = {k: v[:5000] for k, v in (res.serving.samples or {}).items()}
    return out


def _dag(policy: str = "heft", jobs: int = 300, noise: float = 0.2, rate: float | None = None, seed: int = 0) -> dict:
    from schedlab.dag.online import simulate_soc

    return simulate_soc(policy, jobs=jobs, rate=rate, noise=noise, seed=seed)


def _cluster(
    policy: str = "uwfq",
    jobs: int = 300,
    cores: int = 64,
    load: float = 0.8,
    partition: float | None = None,
    estimate_noise: float = 0.0,
    seed: int = 0,
) -> dict:
    from schedlab.cluster.model import multi_user_workload
    from schedlab.cluster.sim import simulate_cluster

    return simulate_cluster(
        multi_user_workload(jobs, load=load, cores=cores, estimate_noise=estimate_noise, seed=seed), policy, cores, partition
    )


def _edge(policy: str = "dems-a", scenario: str = "drones", drones: int = 5, weight: float = 0.5, seed: int = 0) -> dict:
    if scenario == "drones":
        from schedlab.edge.drones import DroneScenario, simulate_drones

        return simulate_drones(policy, DroneScenario(drones=drones), seed)
    if scenario == "mec":
        from schedlab.edge.mec import simulate_mec

        return simulate_mec(policy, weight, seed=seed)
    if scenario == "iot":
        from schedlab.edge.iot import simulate_iot

        return simulate_iot(policy, seed=seed)
    raise ValueError(f"unknown edge scenario {scenario!r}; known: drones, mec, iot")


SIMULATIONS.register("llm", _llm, "LLM inference serving")
SIMULATIONS.register("dag", _dag, "DAG jobs on a heterogeneous SoC")
SIMULATIONS.register("cluster", _cluster, "multi-user Spark-style cluster")
SIMULATIONS.register("edge", _edge, "edge/cloud: drones, MEC, IoT")


def parameters(domain: str) -> dict[str, Any]:
    """Accepted parameters of a domain with their defaults."""
    sig = inspect.signature(SIMULATIONS.get(domain))
    return {name: p.default for name, p in sig.parameters.items()}


def run_simulation(domain: str, params: dict[str, Any]) -> dict:
    runner = SIMULATIONS.get(domain)
    accepted = parameters(domain)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ValueError(f"unknown parameters for {domain}: {', '.join(unknown)}; accepted: {', '.join(accepted)}")
    return runner(**params)
