"""N replicas behind a dispatcher, fed by a stream of arrivals on one simulation clock."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from schedlab.core.registry import Registry
from schedlab.llm.catalog import GPUSpec, ModelSpec
from schedlab.llm.costmodel import CostModel
from schedlab.llm.metrics import SLO, ServingMetrics
from schedlab.llm.policies import make_policy
from schedlab.llm.replica import Replica, ReplicaConfig
from schedlab.llm.request import Request
from schedlab.sim.engine import Simulator
from schedlab.sim.metrics import jain_fairness
from schedlab.sim.trace import ChromeTrace


def round_robin() -> Callable[[Sequence[Replica], Request], Replica]:
    state = {"next": 0}

    def pick(replicas: Sequence[Replica], req: Request) -> Replica:
        r = replicas[state["next"] % len(replicas)]
        state["next"] += 1
        return r

    return pick


def least_outstanding() -> Callable[[Sequence[Replica], Request], Replica]:
    return lambda replicas, req: min(replicas, key=lambda r: (r.outstanding, r.index))


def least_kv_load() -> Callable[[Sequence[Replica], Request], Replica]:
    return lambda replicas, req: min(replicas, key=lambda r: (r.kv_load(), r.index))


DISPATCHERS: Registry[Callable[[], Callable]] = Registry("dispatcher")
DISPATCHERS.register("round-robin", round_robin, "cycle through replicas")
DISPATCHERS.register("least-outstanding", least_outstanding, "fewest requests queued or running")
DISPATCHERS.register("least-kv", least_kv_load, "lowest used plus queued KV blocks")


@dataclass
class ServingResult:
    metrics: dict
    requests: list[Request]
    serving: ServingMetrics
    events: int


def simulate(
    requests: Sequence[Request],
    model: ModelSpec,
    gpu: GPUSpec,
    policy: str = "sarathi",
    *,
    tp: int = 1,
    replicas: int = 1,
    dispatcher: str = "round-robin",
    policy_options: dict | None = None,
    config: ReplicaConfig | None = None,
    slo: SLO | None = None,
    trace: ChromeTrace | None = None,
    keep_samples: bool = False,
    framework_overhead_s: float = 0.0,
    until: float | None = None,
    routing_skew: float = 0.0,
) -> ServingResult:
    """Replay `requests` (sorted by arrival) on `replicas` copies of `model` on `tp` x `gpu`.

    `policy` is a registry name (with `policy_options`) or a factory making one policy per replica.
    """
    sim = Simulator()
    cost = CostModel(model, gpu, tp, framework_overhead_s=framework_overhead_s, routing_skew=routing_skew)
    metrics = ServingMetrics(slo, keep_samples=keep_samples)

    def new_policy():
        return make_policy(policy, **(policy_options or {})) if isinstance(policy, str) else policy()

    reps = [Replica(i, sim, cost, new_policy(), metrics, config, trace) for i in range(replicas)]
    pick = DISPATCHERS.get(dispatcher)()
    order = sorted(requests, key=lambda r: (r.arrival, r.id))
    position = {"i": 0}

    def arrive(req: Request) -> None:
        metrics.on_arrival(req)
        pick(reps, req).submit(req)
        i = position["i"] = position["i"] + 1
        if i < len(order):
            sim.schedule_at(order[i].arrival, arrive, order[i])

    if order:
        sim.schedule_at(order[0].arrival, arrive, order[0])
    sim.run(until if until is not None else float("inf"))
    running = sum(r.num_decodes + len(r.prefilling) for r in reps)
    waiting = sum(len(r.waiting) for r in reps)
    out = metrics.to_dict(running=running, waiting=waiting)
    out["not_arrived"] = len(order) - position["i"] if until is not None else 0
    out["kv_blocks_per_replica"] = reps[0].kv.total
    out["replicas"] = replicas
    span = out["duration_s"]
    out["replica_busy_fraction"] = metrics.busy_time / (replicas * span) if span and span > 0 else math.nan
    served = [0] * replicas
    for r in order[: position["i"]]:
        if r.replica >= 0:
            served[r.replica] += 1
    out["dispatch_fairness"] = jain_fairness(served)
    return ServingResult(out, list(order), metrics, sim.events_processed)
