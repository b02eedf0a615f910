"""`schedlab simulate llm` and `schedlab capacity llm`: argument parsing and the two commands."""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

from schedlab.core.errors import SchedlabError
from schedlab.llm.capacity import CapacityTargets, capacity_search
from schedlab.llm.catalog import get_gpu, get_model
from schedlab.llm.cluster import DISPATCHERS, simulate
from schedlab.llm.policies import POLICIES
from schedlab.llm.replica import ReplicaConfig
from schedlab.llm.workloads import PREDICTORS, attach_predictions, build_requests
from schedlab.sim.trace import ChromeTrace


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="llama-3-8b")
    p.add_argument("--gpu", default="a100")
    p.add_argument("--tp", type=int, default=1, help="tensor-parallel degree per replica")
    p.add_argument("--replicas", type=int, default=1)
    p.add_argument("--dispatch", default="round-robin", help="round-robin, least-outstanding or least-kv")
    p.add_argument("--policy", default="sarathi", help="static, orca, vllm, sarathi, layered, sjf or srpt")
    p.add_argument("--token-budget", type=int, help="per-iteration token budget (sarathi, layered, sjf, srpt)")
    p.add_argument("--batch-size", type=int, help="batch size (static)")
    p.add_argument(
        "--predictor",
        choices=PREDICTORS,
        help="output-length predictions for sjf/srpt (default: castillo on the castillo prompt set, oracle otherwise)",
    )
    p.add_argument("--trace", default="azure-conv", help="azure-conv, azure-code, castillo, or an Azure-format CSV file")
    p.add_argument(
        "--arrivals",
        default="trace",
        choices=("trace", "poisson", "gamma"),
        help="trace timestamps (rescaled by --qps) or fresh Poisson/Gamma arrivals at --qps",
    )
    p.add_argument("--cv", type=float, default=2.0, help="coefficient of variation of Gamma inter-arrival times")
    p.add_argument("--qps", type=float, help="request rate (rescales trace timestamps)")
    p.add_argument("--requests", type=int, help="number of requests (a shorter trace is tiled)")
    p.add_argument("--preemption", choices=("recompute", "swap"), default="recompute")
    p.add_argument("--block-size", type=int, default=16)
    p.add_argument("--max-num-seqs", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)


def _policy_options(args: argparse.Namespace) -> dict:
    options: dict = {}
    if args.token_budget is not None:
        if args.policy not in ("sarathi", "layered", "sjf", "srpt"):
            raise SchedlabError(f"--token-budget does not apply to policy {args.policy}")
        options["token_budget"] = args.token_budget
    if args.batch_size is not None:
        if args.policy != "static":
            raise SchedlabError("--batch-size applies to the static policy only")
        options["batch_size"] = args.batch_size
    return options


def _requests(args: argparse.Namespace, qps: float | None):
    try:
        reqs = build_requests(args.trace, get_model(args.model).name, args.requests, qps, args.arrivals, args.cv, args.seed)
    except ValueError as exc:
        raise SchedlabError(str(exc)) from None
    predictor = args.predictor or (
        ("castillo" if args.trace == "castillo" else "oracle") if args.policy in ("sjf", "srpt") else "none"
    )
    attach_predictions(reqs, predictor)
    return reqs


def _run(args: argparse.Namespace, qps: float | None, trace: ChromeTrace | None = None, keep_samples: bool = False):
    POLICIES.get(args.policy)
    DISPATCHERS.get(args.dispatch)
    if args.replicas < 1:
        raise SchedlabError("--replicas must be at least 1")
    config = ReplicaConfig(block_size=args.block_size, max_num_seqs=args.max_num_seqs, preemption=args.preemption)
    return simulate(
        _requests(args, qps),
        get_model(args.model),
        get_gpu(args.gpu),
        args.policy,
        tp=args.tp,
        replicas=args.replicas,
        dispatcher=args.dispatch,
        policy_options=_policy_options(args),
        config=config,
        trace=trace,
        keep_samples=keep_samples,
    )


def cmd_simulate(args: argparse.Namespace) -> int:
    trace = ChromeTrace() if args.chrome_trace else None
    started = time.process_time()
    result = _run(args, args.qps, trace, keep_samples=bool(args.report))
    cpu = time.process_time() - started
    m = result.metrics
    m["cpu_seconds"] = cpu
    m["requests_per_cpu_second"] = m["arrived"] / cpu if cpu > 0 else math.nan
    m["config"] = {
        k: getattr(args, k)
        for k in (
            "model",
            "gpu",
            "tp",
            "replicas",
            "dispatch",
            "policy",
            "trace",
            "qps",
            "arrivals",
            "requests",
            "seed",
            "preemption",
        )
    }
    if args.out:
        Path(args.out).write_text(json.dumps(m, indent=1, default=str))
    if trace is not None:
        trace.write(args.chrome_trace)
    if args.report:
        from schedlab.llm.report import write_report

        write_report(args.report, f"{args.model} on {args.tp} x {args.gpu}, {args.policy}, {args.trace}", m, result.serving)
    print(
        f"{m['arrived']} arrived, {m['finished']} finished, {m['rejected']} rejected, {m['running']} running, "
        f"{m['waiting']} waiting; TTFT p50 {m['ttft.p50']:.3f} s p90 {m['ttft.p90']:.3f} s; TBT p50 {m['tbt.p50'] * 1e3:.1f} ms "
        f"p99 {m['tbt.p99'] * 1e3:.1f} ms; {m['throughput_tokens_s']:.0f} output tokens/s; "
        f"{m['requests_per_cpu_second']:.0f} simulated requests per CPU-second"
    )
    return 0


def cmd_capacity(args: argparse.Namespace) -> int:
    targets = CapacityTargets(p90_ttft_s=args.ttft_p90, p99_tbt_s=args.tbt_p99)
    if args.arrivals == "trace" and args.trace == "castillo":
        args.arrivals = "poisson"
    result = capacity_search(lambda q: _run(args, q).metrics, targets, start_qps=args.start_qps)
    out = {
        "capacity_qps": result.qps,
        "targets": {"p90_ttft_s": args.ttft_p90, "p99_tbt_s": args.tbt_p99},
        "probes": [{"qps": q, "meets": ok, "ttft.p90": m["ttft.p90"], "tbt.p99": m["tbt.p99"]} for q, ok, m in result.probes],
    }
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1))
    for probe in out["probes"]:
        print(
            f"qps {probe['qps']:8.3f}: TTFT p90 {probe['ttft.p90']:.3f} s, TBT p99 {probe['tbt.p99'] * 1e3:.1f} ms, "
            f"{'meets' if probe['meets'] else 'misses'} targets"
        )
    print(f"capacity: {result.qps:.3f} requests/s")
    return 0


def register(simulate_domains, capacity_domains) -> None:
    p = simulate_domains.add_parser("llm", help="LLM inference serving")
    add_arguments(p)
    p.add_argument("--out", help="write metrics JSON here")
    p.add_argument("--chrome-trace", help="write a Chrome/Perfetto trace here")
    p.add_argument("--report", help="write an HTML report with latency CDFs and batch sizes")
    p.set_defaults(func=cmd_simulate)
    p = capacity_domains.add_parser("llm", help="LLM inference serving")
    add_arguments(p)
    p.add_argument("--ttft-p90", type=float, default=2.0, help="P90 TTFT target in seconds")
    p.add_argument("--tbt-p99", type=float, default=0.2, help="P99 TBT target in seconds")
    p.add_argument("--start-qps", type=float, default=1.0)
    p.add_argument("--out", help="write the probes and the capacity as JSON")
    p.set_defaults(func=cmd_capacity)
