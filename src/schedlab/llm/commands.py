"""`schedlab capacity llm`: the highest request rate meeting latency targets (the flags are the domain's)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from schedlab.core.errors import SchedlabError
from schedlab.llm.capacity import CapacityTargets, capacity_search
from schedlab.sim.commands import add_domain_flags, request_from_args
from schedlab.sim.domain import get_domain
from schedlab.sim.params import ParameterError


def cmd_capacity(args: argparse.Namespace) -> int:
    from schedlab.llm.domain import LLMParams, run_serving

    domain = get_domain("llm")
    request = request_from_args(domain, args)
    params: LLMParams = request.params
    if params.arrivals == "trace" and params.trace == "castillo":
        params = LLMParams(**{**params.__dict__, "arrivals": "poisson"})
    for name in ("ttft_p90", "tbt_p99", "queue_p50", "start_qps"):
        value = getattr(args, name)
        if not value > 0:
            raise SchedlabError(f"--{name.replace('_', '-')}: must be a number > 0, got {value}")
    targets = CapacityTargets(p90_ttft_s=args.ttft_p90, p99_tbt_s=args.tbt_p99, p50_queue_s=args.queue_p50)
    policy = domain.make_policy(request.policy, request.options)

    def run_at(qps: float) -> dict:
        try:
            return run_serving(params, policy, request.seed, qps=qps).metrics
        except ParameterError as exc:
            raise SchedlabError(f"--{exc.name.replace('_', '-')}: {exc.detail}") from None

    result = capacity_search(run_at, targets, start_qps=args.start_qps)
    out = {
        "capacity_qps": result.qps,
        "targets": {"p90_ttft_s": args.ttft_p90, "p99_tbt_s": args.tbt_p99, "p50_queue_s": args.queue_p50},
        "probes": [{"qps": q, "meets": ok, "ttft.p90": m["ttft.p90"], "tbt.p99": m["tbt.p99"], "queue.p50": m["queue.p50"]}
                   for q, ok, m in result.probes],
    }
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1))
    for probe in out["probes"]:
        print(
            f"qps {probe['qps']:8.3f}: TTFT p90 {probe['ttft.p90']:.3f} s, TBT p99 {probe['tbt.p99'] * 1e3:.1f} ms, "
            f"median scheduling delay {probe['queue.p50']:.3f} s, "
            f"{'meets' if probe['meets'] else 'misses'} targets"
        )
    print(f"capacity: {result.qps:.3f} requests/s")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    capacity = sub.add_parser("capacity", help="highest request rate meeting latency targets (llm)")
    domains = capacity.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = domains.add_parser("llm", help="LLM inference serving")
    add_domain_flags(p, get_domain("llm"))
    p.add_argument("--ttft-p90", type=float, default=2.0, help="P90 TTFT target in seconds")
    p.add_argument("--tbt-p99", type=float, default=0.2, help="P99 TBT target in seconds")
    p.add_argument("--queue-p50", type=float, default=math.inf,
                   help="median scheduling delay target in seconds (Sarathi-Serve's capacity uses 2; default: none)")
    p.add_argument("--start-qps", type=float, default=1.0)
    p.add_argument("--out", help="write the probes and the capacity as JSON")
    p.set_defaults(func=cmd_capacity)
