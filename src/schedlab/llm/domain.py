"""The `llm` domain: LLM inference serving on replicas of one model, declared once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from schedlab.core.registry import Registry
from schedlab.llm.adapters import MEMORY_MANAGERS
from schedlab.llm.catalog import GPUS, MODELS, get_gpu, get_model
from schedlab.llm.cluster import DISPATCHERS, ServingResult, simulate
from schedlab.llm.interconnect import LINKS
from schedlab.llm.metrics import SLO
from schedlab.llm.policies import POLICIES
from schedlab.llm.prefix import KVTier
from schedlab.llm.programs import AgentWorkload, generate_programs
from schedlab.llm.replica import ReplicaConfig
from schedlab.llm.splitwise import Splitwise
from schedlab.llm.traces import BUNDLED, load_trace
from schedlab.llm.workflows import Text2SQLWorkload, generate_queries
from schedlab.llm.workloads import PREDICTORS, TRACES, attach_predictions, build_requests
from schedlab.sim.domain import Domain, Policy, register_domain
from schedlab.sim.params import ParameterError, param
from schedlab.sim.result import Series, SimResult, Span
from schedlab.sim.trace import ChromeTrace

LAYOUTS: Registry[str] = Registry("layout")
LAYOUTS.register("colocated", "colocated", "every replica prefills and decodes; --dispatch spreads requests")
LAYOUTS.register("splitwise", "splitwise", "Splitwise: prompt and token pools (--prompt-replicas, --prompt-gpu), KV "
                 "shipped layer by layer over --kv-link, join-the-shortest-queue routing, mixed-pool fallbacks")


@dataclass(frozen=True)
class LLMParams:
    model: str = param("llama-3-8b", "served model", choices=tuple(sorted(MODELS)))
    gpu: str = param("a100", "GPU of every replica", choices=tuple(sorted(GPUS)))
    tp: int = param(1, "tensor-parallel degree per replica", ge=1, le=64)
    pp: int = param(1, "pipeline-parallel stages per replica (each of tp GPUs), run as pp virtual engines with a "
                    "micro-batch each in flight", ge=1, le=64)
    pp_link: str = param("infiniband-hdr", "link between pipeline stages", choices=tuple(LINKS.names()))
    replicas: int = param(1, "replicas behind the dispatcher", ge=1, le=4096)
    dispatch: str = param("round-robin", "how arrivals are spread over replicas", choices=tuple(DISPATCHERS.names()))
    trace: str = param("azure-conv", "request trace (bundled name; the CLI also reads an Azure-format CSV or "
                       "Mooncake JSON-lines file); agents: multi-turn agent programs (requests = programs)",
                       choices=TRACES, local_file=True)
    arrivals: str = param("trace", "trace timestamps (rescaled by qps) or fresh Poisson/Gamma arrivals at qps",
                          choices=("trace", "poisson", "gamma"))
    cv: float = param(2.0, "coefficient of variation of Gamma inter-arrival times", gt=0, le=100)
    qps: float | None = param(None, "request rate (default: the trace's own timestamps)", gt=0, le=1e6, unit="1/s")
    requests: int | None = param(1000, "number of requests (a shorter trace is tiled; null: the whole trace)", ge=1,
                                 le=100_000_000)
    predictor: str | None = param(None, "output-length predictions (default: castillo on the castillo prompt set, oracle "
                                  "for policies that need predictions, none otherwise)", choices=PREDICTORS)
    preemption: str = param("recompute", "what happens to a preempted request's KV cache", choices=("recompute", "swap"))
    block_size: int = param(16, "tokens per KV block", ge=1, le=4096)
    max_batch_tokens: int = param(16384, "most tokens one iteration processes (policies without chunking refuse "
                                  "longer prompts)", ge=1, le=10_000_000)
    max_num_seqs: int = param(256, "most sequences a replica runs at once", ge=1, le=1_000_000)
    routing_skew: float = param(0.0, "MoE models: Zipf exponent of expert popularity (0 = uniform top-k routing)",
                                ge=0, le=5)
    prefix_caching: bool = param(False, "reuse cached prompt KV blocks named by the trace's hash ids (mooncake traces)")
    host_kv_gb: float = param(0.0, "prefix cache: host-memory KV tier per replica, loaded over PCIe 4.0", ge=0, le=65536,
                              unit="GB")
    ssd_kv_gb: float = param(0.0, "prefix cache: NVMe SSD KV tier per replica, below the host tier", ge=0, le=1_000_000,
                             unit="GB")
    high_priority: float = param(0.0, "share of requests marked high priority (drawn with the seed)", ge=0, le=1)
    migration_interval_s: float = param(0.5, "llumnix: seconds between live-migration rounds (0: no migration)", ge=0,
                                        le=3600, unit="s")
    migration_link: str = param("infiniband-hdr", "llumnix: link KV cache is migrated over", choices=tuple(LINKS.names()))
    high_priority_headroom: float = param(0.2, "llumnix: share of an instance's KV kept free where high-priority "
                                          "requests run", ge=0, le=0.9)
    autoscale_max: int = param(0, "llumnix: most replicas auto-scaling may reach (0: a fixed cluster of `replicas`)",
                               ge=0, le=4096)
    startup_s: float = param(30.0, "llumnix auto-scaling: seconds from launching an instance to serving it", ge=0,
                             le=3600, unit="s")
    extra_gpus: str | None = param(None, "more replicas on other GPUs for a heterogeneous cluster, as GPU:COUNT[,...] "
                                   "(e.g. a40:2,h100:1)")
    adapters: int = param(0, "parameter adapters (LoRA) the requests use, drawn Zipf(adapter_skew) by the seed; 0: none",
                          ge=0, le=1_000_000)
    adapter_skew: float = param(1.0, "Zipf exponent of adapter popularity", ge=0, le=5)
    adapter_slots: int = param(8, "GPU slots for adapters per replica (taken from the KV cache)", ge=1, le=100_000)
    adapter_mb: float = param(160.0, "size of one adapter, loaded from host memory over PCIe 4.0", gt=0, le=1e6,
                              unit="MB")
    memory_manager: str = param("lru", "which adapters stay on the GPU and which are fetched ahead",
                                choices=tuple(MEMORY_MANAGERS.names()))
    layout: str = param("colocated", "colocated replicas, or splitwise: prompt and token machines in separate pools "
                        "(replicas = token machines)", choices=tuple(LAYOUTS.names()))
    prompt_replicas: int = param(1, "splitwise: prompt machines", ge=1, le=4096)
    prompt_gpu: str | None = param(None, "splitwise: GPU of the prompt machines (default: gpu)", choices=tuple(sorted(GPUS)))
    kv_link: str = param("infiniband-hdr", "splitwise: link the KV cache goes over from prompt to token machine",
                         choices=tuple(LINKS.names()))
    autoscale_min: int = param(1, "llumnix auto-scaling: fewest replicas it drains down to", ge=1, le=4096)
    scale_out_freeness: float = param(512.0, "llumnix auto-scaling: launch an instance when mean freeness (decode "
                                      "steps per request) falls below this", ge=-1e9, le=1e9)
    scale_in_freeness: float = param(4096.0, "llumnix auto-scaling: drain an instance when mean freeness rises above "
                                     "this", ge=-1e9, le=1e9)


def build(params: LLMParams, policy: Policy, seed: int):
    """The request stream of a run, with the predictions its policy needs."""
    if params.trace == "castillo" and not params.qps:
        raise ParameterError("qps", "the castillo prompt set has no timestamps; give a request rate")
    if params.arrivals != "trace" and not params.qps:
        raise ParameterError("qps", f"{params.arrivals} arrivals need a request rate")
    if params.trace in ("agents", "text2sql"):
        if not params.qps:
            raise ParameterError("qps", f"{params.trace} workloads arrive as a Poisson stream; give their rate per second")
        return []
    reqs = build_requests(params.trace, get_model(params.model).name, params.requests, params.qps, params.arrivals,
                          params.cv, seed)
    predictor = params.predictor or (
        ("castillo" if params.trace == "castillo" else "oracle") if policy.needs_predictions else "none")
    attach_predictions(reqs, predictor)
    if params.adapters > 0:
        weights = 1.0 / np.arange(1, params.adapters + 1) ** params.adapter_skew
        picks = np.random.default_rng([seed, 13]).choice(params.adapters, size=len(reqs), p=weights / weights.sum())
        for r, adapter in zip(reqs, picks, strict=True):
            r.extra["adapter"] = int(adapter)
    if params.high_priority > 0:
        marks = np.random.default_rng([seed, 7]).random(len(reqs)) < params.high_priority
        for r, high in zip(reqs, marks, strict=True):
            r.priority = int(high)
    return reqs


def parse_extra_gpus(text: str | None) -> list[tuple[int, object]]:
    """`a40:2,h100:1` -> [(2, A40), (1, H100)]; a malformed entry names what was expected."""
    pools = []
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, _, count = item.strip().partition(":")
        if name.lower() not in GPUS or not count.strip().isdigit() or not 1 <= int(count) <= 4096:
            raise ParameterError("extra_gpus", f"expected GPU:COUNT entries with a GPU of {', '.join(sorted(GPUS))} "
                                               f"and a count 1-4096, got {item.strip()[:40]!r}")
        pools.append((int(count), get_gpu(name)))
    return pools


def replica_config(params: LLMParams) -> ReplicaConfig:
    kv_bytes = get_model(params.model).kv_bytes_per_token
    tiers = tuple(KVTier(name, int(gb * 1e9 / kv_bytes), LINKS.get(link).bandwidth)
                  for name, gb, link in (("host", params.host_kv_gb, "pcie4"), ("ssd", params.ssd_kv_gb, "nvme-ssd"))
                  if gb > 0)
    if tiers and not params.prefix_caching:
        raise ParameterError("host_kv_gb" if params.host_kv_gb else "ssd_kv_gb",
                             "KV tiers hold prefix-cache entries; turn on prefix_caching")
    return ReplicaConfig(block_size=params.block_size, max_num_seqs=params.max_num_seqs, preemption=params.preemption,
                         prefix_caching=params.prefix_caching, kv_tiers=tiers, max_batch_tokens=params.max_batch_tokens,
                         prefix_block_tokens=params.block_size if params.trace == "agents" else 512,
                         adapter_slots=params.adapter_slots if params.adapters else 0,
                         adapter_bytes=params.adapter_mb * 1e6, memory_manager=params.memory_manager)


def dispatch_options(params: LLMParams) -> dict:
    if params.dispatch != "llumnix":
        return {}
    if 0 < params.migration_interval_s < 0.01:
        raise ParameterError("migration_interval_s", "must be 0 (no migration) or at least 0.01 s")
    if params.scale_out_freeness >= params.scale_in_freeness and params.autoscale_max:
        raise ParameterError("scale_in_freeness", "must be above scale_out_freeness, or instances would flap")
    return {"migration_interval_s": params.migration_interval_s, "migration_link": params.migration_link,
            "high_priority_headroom": params.high_priority_headroom, "autoscale_max": params.autoscale_max,
            "startup_s": params.startup_s, "scale_out_freeness": params.scale_out_freeness,
            "scale_in_freeness": params.scale_in_freeness, "autoscale_min": params.autoscale_min}


def run_serving(params: LLMParams, policy: Policy, seed: int, *, qps: float | None = None,
                trace: ChromeTrace | None = None, keep_samples: bool = False, slo: SLO | None = None) -> ServingResult:
    """One serving run (`qps` overrides the parameter: capacity search probes rates)."""
    if qps is not None:
        params = LLMParams(**{**params.__dict__, "qps": qps})
    options = dict(policy.options.__dict__)
    if getattr(policy, "needs_prefix_cache", False) and not params.prefix_caching:
        raise ParameterError("prefix_caching", f"policy {policy.name} keeps contexts in the prefix cache; turn it on")
    dispatcher, prompt_pool = params.dispatch, None
    if params.pp > 1 and (params.layout != "colocated" or params.extra_gpus or params.dispatch == "llumnix"):
        raise ParameterError("pp", "pipeline parallelism is modelled for a colocated layout on one GPU kind, "
                             "without Llumnix")
    if params.layout == "splitwise":
        if params.dispatch != "round-robin":
            raise ParameterError("dispatch", "a splitwise layout routes requests itself (join the shortest queue)")
        dispatcher = partial(Splitwise, kv_link=params.kv_link)
        prompt_pool = (params.prompt_replicas, get_gpu(params.prompt_gpu or params.gpu))
    programs = queries = None
    if params.trace == "agents":
        programs = generate_programs(params.requests or 100, params.qps, AgentWorkload(), seed)
    elif params.trace == "text2sql":
        queries = generate_queries(params.requests or 100, params.qps, Text2SQLWorkload(), seed)
    return simulate(build(params, policy, seed), get_model(params.model), get_gpu(params.gpu),
                    lambda: type(policy)(**options), tp=params.tp, replicas=params.replicas,
                    dispatcher=dispatcher, config=replica_config(params), trace=trace, keep_samples=keep_samples,
                    routing_skew=params.routing_skew, dispatch_options=dispatch_options(params),
                    prompt_pool=prompt_pool, slo=slo, programs=programs, queries=queries,
                    extra_pools=parse_extra_gpus(params.extra_gpus), pp=params.pp, pp_link=params.pp_link)


UNITS = {"duration_s": "s", "throughput_rps": "1/s", "throughput_tokens_s": "tokens/s", "goodput_rps": "1/s",
         "expert_weight_gb": "GB", "kv_loaded_gb": "GB", "instance_hours": "h", "migration_downtime_ms_mean": "ms"}
SAMPLE_LIMIT = 20_000


def run(params: LLMParams, policy: Policy, seed: int, record: bool) -> SimResult:
    trace = ChromeTrace() if record else None
    served = run_serving(params, policy, seed, trace=trace, keep_samples=True)
    out = SimResult("llm", policy.name, seed, {}, headline=(
        "finished", "rejected", "ttft.p50", "ttft.p90", "tbt.p50", "tbt.p99", "throughput_tokens_s"))
    for name, value in served.metrics.items():
        if isinstance(value, (int, float)):
            unit = UNITS.get(name, "s" if name.split(".")[0] in ("ttft", "tbt", "tpot", "e2e", "queue") else "")
            out.metric(name, value, unit)
    samples = served.serving.samples or {}
    out.samples = {k: list(v[:SAMPLE_LIMIT]) for k, v in samples.items()}
    batch = served.serving.batch_size
    out.series["batch_size"] = Series(list(batch.times), list(batch.values), "sequences")
    per_replica = [0] * int(served.metrics["instances_launched"])
    for r in served.requests:
        if r.replica >= 0 and not math.isnan(r.finish):
            per_replica[r.replica] += 1
    out.breakdowns["finished_by_replica"] = {f"replica {i}": n for i, n in enumerate(per_replica)}
    if trace is not None:
        _trace_to_result(trace, out)
    return out


def _trace_to_result(trace: ChromeTrace, out: SimResult) -> None:
    """Iteration spans per replica and the KV-usage counters, from the replica's trace recorder."""
    kv: dict[int, Series] = {}
    for event in trace.events:
        start = event["ts"] / 1e6
        if event["ph"] == "X":
            out.spans.append(Span(f"replica {event['pid']}", start, start + event["dur"] / 1e6, event["name"], event["name"]))
        elif event["ph"] == "C":
            series = kv.setdefault(event["pid"], Series([], [], "blocks"))
            series.times.append(start)
            series.values.append(event["args"]["used"])
    for pid, series in kv.items():
        out.series[f"kv_blocks_used.replica{pid}"] = series


def _work(params: LLMParams) -> int:
    if params.requests is not None:
        return params.requests
    return len(load_trace(params.trace)[0]) if params.trace in BUNDLED else 10_000


LLM = register_domain(Domain(
    name="llm",
    description="LLM inference serving: replicas of one model on GPUs, a calibrated iteration cost model, paged KV",
    params=LLMParams,
    policies=POLICIES,
    run=run,
    default_policy="sarathi",
    work=_work,
    work_name="requests",
    examples=("--policy sarathi --trace azure-conv --qps 5 --requests 2000",
              "--trace mooncake-conv --requests 1000 --replicas 4 --dispatch prefix-aware --prefix-caching",
              "--trace azure-conv --qps 40 --requests 2000 --replicas 4 --dispatch llumnix --high-priority 0.1"),
    components={"dispatcher": DISPATCHERS, "layout": LAYOUTS, "memory manager": MEMORY_MANAGERS},
))
