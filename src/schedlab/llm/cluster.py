"""N replicas behind a dispatcher, fed by a stream of arrivals on one simulation clock."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from schedlab.core.errors import ModelError
from schedlab.core.registry import Registry
from schedlab.llm.catalog import GPUSpec, ModelSpec
from schedlab.llm.costmodel import CostModel, prefill_chunk_work
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


def pending_prefill_tokens(replica: Replica) -> int:
    """Prompt tokens queued or mid-prefill on a replica (cached prefixes excluded)."""
    return sum(r.prefill_target - r.prefilled for r in replica.waiting) + sum(
        r.prefill_target - r.prefilled for r in replica.prefilling)


def least_completion_time() -> Callable[[Sequence[Replica], Request], Replica]:
    """HexGen's global dispatch: the instance where this call would finish first, estimated from
    its queued prompt tokens, the call's own prompt and output, and the instance's speeds (its
    cost model: prefill tokens per second, the decode step at its current batch)."""
    rates: dict[int, float] = {}

    def estimate(r: Replica, req: Request) -> float:
        if r.index not in rates:
            rates[r.index] = 2048 / r.cost.time_of(0, 0, 2048, prefill_chunk_work(0, 2048), 1)
        batch = r.num_decodes + len(r.prefilling) + len(r.waiting) + 1
        step = r.cost.time_of(batch, r.decode_context() + req.prompt_tokens, 0, 0.0, 0)
        return (pending_prefill_tokens(r) + req.prompt_tokens) / rates[r.index] + req.output_tokens * step

    return lambda replicas, req: min(replicas, key=lambda r: (estimate(r, req), r.index))


def prefix_aware() -> Callable[[Sequence[Replica], Request], Replica]:
    """Mooncake-style cache-aware routing: the replica with the least estimated prefill work before
    this request's first token, its queue plus its own uncached prompt (host-tier hits count half)."""

    def pick(replicas: Sequence[Replica], req: Request) -> Replica:
        best, best_key = replicas[0], None
        for r in replicas:
            gpu, lower = r.prefix_hit_tokens(req)
            key = (pending_prefill_tokens(r) + req.prompt_tokens - gpu - lower // 2, r.kv_load(), r.index)
            if best_key is None or key < best_key:
                best, best_key = r, key
        return best

    return pick


DISPATCHERS: Registry[Callable[[], Callable]] = Registry("dispatcher")
DISPATCHERS.register("round-robin", round_robin, "cycle through replicas")
DISPATCHERS.register("least-outstanding", least_outstanding, "fewest requests queued or running")
DISPATCHERS.register("least-kv", least_kv_load, "lowest used plus queued KV blocks")
DISPATCHERS.register("hexgen", least_completion_time, "least estimated completion time on heterogeneous instances")
DISPATCHERS.register("prefix-aware", prefix_aware, "least queued plus uncached prompt tokens (prefix-cache hits)")


class Cluster:
    """The replicas of a run as a dispatcher with a controller (Llumnix) sees them.

    `live` are the replicas taking new requests; `spawn` adds one after a start-up delay (the
    GPU is paid from the launch); `retire` stops a drained one. `in_transit` counts requests
    between two replicas (migrating), so accounting closes at any instant.
    """

    def __init__(self, sim: Simulator, make_replica: Callable[[int], Replica], count: int,
                 metrics: ServingMetrics) -> None:
        self.sim = sim
        self.metrics = metrics
        self._make = make_replica
        self.all: list[Replica] = [make_replica(i) for i in range(count)]
        self.live: list[Replica] = list(self.all)
        self.starting = 0
        self.peak = count  # most instances running or starting at once
        self.in_transit = 0
        self.arrivals_left = 0

    def add_pool(self, make_replica: Callable[[int], Replica], count: int, role: str = "mixed") -> None:
        """More replicas from another factory (other GPUs), live from the start."""
        for _ in range(count):
            replica = make_replica(len(self.all))
            replica.role = role
            self.all.append(replica)
            self.live.append(replica)
        self.peak = len(self.all)

    def has_work(self) -> bool:
        return bool(self.arrivals_left or self.in_transit or any(r.outstanding for r in self.all))

    def spawn(self, startup_s: float) -> Replica:
        replica = self._make(len(self.all))
        self.all.append(replica)
        self.starting += 1
        self.peak = max(self.peak, len(self.live) + self.starting)

        def ready(_: object = None) -> None:
            self.starting -= 1
            self.live.append(replica)

        self.sim.schedule(startup_s, ready)
        return replica

    def retire(self, replica: Replica) -> None:
        if replica in self.live:
            self.live.remove(replica)
        replica.stopped_at = self.sim.now

    def instance_seconds(self, end: float) -> float:
        return sum((r.stopped_at if r.stopped_at == r.stopped_at else end) - r.started_at for r in self.all)


@dataclass
class ServingResult:
    metrics: dict
    requests: list[Request]
    serving: ServingMetrics
    events: int
    replicas: list[Replica]


def simulate(
    requests: Sequence[Request],
    model: ModelSpec,
    gpu: GPUSpec,
    policy: str = "sarathi",
    *,
    tp: int = 1,
    replicas: int = 1,
    dispatcher: str | Callable = "round-robin",
    policy_options: dict | None = None,
    config: ReplicaConfig | None = None,
    slo: SLO | None = None,
    trace: ChromeTrace | None = None,
    keep_samples: bool = False,
    framework_overhead_s: float = 0.0,
    until: float | None = None,
    routing_skew: float = 0.0,
    dispatch_options: dict | None = None,
    prompt_pool: tuple[int, GPUSpec] | None = None,
    programs: list | None = None,
    queries: list | None = None,
    extra_pools: list[tuple[int, GPUSpec]] | None = None,
    pp: int = 1,
    pp_link: str = "infiniband-hdr",
) -> ServingResult:
    """Replay `requests` (sorted by arrival) on `replicas` copies of `model` on `tp` x `gpu`.

    `policy` is a registry name (with `policy_options`) or a factory making one policy per replica.
    `programs` (multi-turn agent programs, `schedlab.llm.programs`) and `queries` (multi-stage
    workflows, `schedlab.llm.workflows`) send their calls as they go, besides `requests`.
    `extra_pools` = [(count, gpu)] adds colocated replicas on other GPUs (a heterogeneous
    cluster); `prompt_pool` = (count, gpu) adds prompt machines (role "prompt") after the
    `replicas` token machines, for a disaggregated layout.
    """
    sim = Simulator()
    metrics = ServingMetrics(slo, keep_samples=keep_samples)

    def new_policy():
        return make_policy(policy, **(policy_options or {})) if isinstance(policy, str) else policy()

    def pool(pool_gpu: GPUSpec):
        pool_cost = CostModel(model, pool_gpu, tp, framework_overhead_s=framework_overhead_s, routing_skew=routing_skew)
        return lambda i: Replica(i, sim, pool_cost, new_policy(), metrics, config, trace)

    _check_pipeline(pp, prompt_pool is not None or bool(extra_pools) or dispatcher == "llumnix")
    engines = _pipelined(model, gpu, tp, pp, pp_link, sim, new_policy, metrics, config, trace, framework_overhead_s,
                         routing_skew) if pp > 1 else pool(gpu)
    cluster = Cluster(sim, engines, replicas * pp, metrics)
    for count, pool_gpu in extra_pools or ():
        cluster.add_pool(pool(pool_gpu), count)
    if prompt_pool is not None:
        for replica in cluster.all:
            replica.role = "token"
        cluster.add_pool(pool(prompt_pool[1]), prompt_pool[0], role="prompt")
    factory = DISPATCHERS.get(dispatcher) if isinstance(dispatcher, str) else dispatcher
    pick = factory(**(dispatch_options or {}))
    order = sorted(requests, key=lambda r: (r.arrival, r.id))
    cluster.arrivals_left = len(order)

    def send(req: Request) -> None:
        metrics.on_arrival(req)
        cluster.arrivals_left -= 1
        pick(cluster.live, req).submit(req)

    driver = _driver(programs, queries, sim, send, config)
    if driver is not None:
        cluster.arrivals_left += driver.total_turns
        for replica in cluster.all:
            replica.on_done = driver.on_done
        driver.start()

    def arrive(i: int) -> None:
        send(order[i])
        if i + 1 < len(order):
            sim.schedule_at(order[i + 1].arrival, arrive, i + 1)

    if order:
        sim.schedule_at(order[0].arrival, arrive, 0)
    if hasattr(pick, "attach"):
        pick.attach(cluster)
    sim.run(until if until is not None else float("inf"))
    sent = list(order) + (driver.sent if driver is not None else [])  # not arrived yet: replica -1, not counted
    out = _summary(cluster, metrics, replicas, until, sim.now, fixed=prompt_pool is None and not extra_pools,
                   sent=sent, engines_per_replica=pp)
    if driver is not None:
        out.update(driver.metrics())
    return ServingResult(out, sent, metrics, sim.events_processed, cluster.all)


def _check_pipeline(pp: int, other_layout: bool) -> None:
    if pp > 1 and other_layout:
        raise ModelError("pipeline parallelism is modelled for one colocated pool (no prompt pool, extra GPUs or "
                         "Llumnix autoscaling and migration)")


def _pipelined(model: ModelSpec, gpu: GPUSpec, tp: int, pp: int, link: str, sim: Simulator, new_policy,
               metrics: ServingMetrics, config: ReplicaConfig | None, trace: ChromeTrace | None,
               framework_overhead_s: float, routing_skew: float) -> Callable[[int], Replica]:
    """Virtual engine i belongs to replica i // pp and shares that replica's stages."""
    from schedlab.llm.interconnect import LINKS
    from schedlab.llm.pipeline import Pipeline

    cost = CostModel(model, gpu, tp, framework_overhead_s=framework_overhead_s, routing_skew=routing_skew, pp=pp)
    spec = LINKS.get(link)
    pipelines: dict[int, Pipeline] = {}

    def make(i: int) -> Replica:
        replica = Replica(i, sim, cost, new_policy(), metrics, config, trace)
        replica.pipeline = pipelines.setdefault(i // pp, Pipeline(pp, spec, model.hidden * model.bytes_per_param))
        return replica

    return make


def _driver(programs, queries, sim: Simulator, send: Callable[[Request], None], config: ReplicaConfig | None):
    """The driver that sends multi-turn programs' or multi-stage queries' calls, if any."""
    if programs:
        from schedlab.llm.programs import ProgramDriver

        return ProgramDriver(programs, sim, send, (config or ReplicaConfig()).prefix_block_tokens)
    if queries:
        from schedlab.llm.workflows import WorkflowDriver

        return WorkflowDriver(queries, sim, send)
    return None


def _summary(cluster: Cluster, metrics: ServingMetrics, replicas: int, until: float | None, now: float, *,
             fixed: bool, sent: list[Request], engines_per_replica: int = 1) -> dict:
    """The run's metrics: latency/throughput from the collector, plus cluster-level figures."""
    reps = cluster.all
    running = sum(r.num_decodes + len(r.prefilling) for r in reps) + cluster.in_transit
    out = metrics.to_dict(running=running, waiting=sum(len(r.waiting) for r in reps))
    out["not_arrived"] = cluster.arrivals_left if until is not None else 0
    out["kv_blocks_per_replica"] = reps[0].kv.total
    out["replicas"] = replicas
    span = out["duration_s"]
    end = metrics.last_finish if until is None else now
    # a pipeline-parallel replica's virtual engines are one instance
    instance_s = cluster.instance_seconds(max(end, metrics.first_arrival if metrics.arrived else 0.0)) / engines_per_replica
    out["instance_hours"] = instance_s / 3600
    out["replicas_peak"] = cluster.peak
    out["instances_launched"] = len(reps)
    fixed = fixed and len(reps) == replicas * engines_per_replica and all(math.isnan(r.stopped_at) for r in reps)
    capacity_s = len(reps) * span if fixed else instance_s * engines_per_replica  # busy fraction per engine
    out["replica_busy_fraction"] = metrics.busy_time / capacity_s if capacity_s and capacity_s > 0 else math.nan
    served = [0] * len(reps)
    for r in sent:
        if r.replica >= 0:
            served[r.replica] += 1
    out["dispatch_fairness"] = jain_fairness(served)
    caches = [r.adapters for r in reps if r.adapters is not None]
    if caches:
        uses = sum(c.hits + c.late + c.misses for c in caches)
        out["adapter_hit_rate"] = sum(c.hits for c in caches) / uses if uses else math.nan
        out["adapter_late_rate"] = sum(c.late for c in caches) / uses if uses else math.nan
        out["adapter_loads"] = sum(c.loads for c in caches)
        out["adapter_stall_s"] = sum(c.stall_s for c in caches)
    return out


from schedlab.llm import llumnix as _llumnix  # noqa: E402,F401  (registers the llumnix dispatcher)
