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


def cmd_plan(args: argparse.Namespace) -> int:
    """How many machines each serving design needs for this trace at this rate under the targets."""
    from schedlab.llm.domain import LLMParams, run_serving
    from schedlab.llm.provision import DESIGNS, machines_needed

    domain = get_domain("llm")
    request = request_from_args(domain, args)
    if not request.params.qps and request.params.trace == "castillo":
        raise SchedlabError("--qps: the castillo prompt set has no timestamps; give a request rate")
    if args.max_machines < 1:
        raise SchedlabError(f"--max-machines: must be an integer >= 1, got {args.max_machines}")
    designs = args.designs.split(",")
    for name in designs:
        if name not in DESIGNS:
            raise SchedlabError(f"--designs: unknown design {name!r}; known: {', '.join(DESIGNS)}")
    targets = CapacityTargets(p90_ttft_s=args.ttft_p90, p99_tbt_s=args.tbt_p99)

    def run(overrides: dict) -> dict:
        overrides = dict(overrides)
        name = overrides.pop("policy")
        params = LLMParams(**{**request.params.__dict__, **overrides})
        policy = domain.make_policy(name, request.options if name == request.policy else {})
        try:
            return run_serving(params, policy, request.seed).metrics
        except ParameterError as exc:
            raise SchedlabError(f"--{exc.name.replace('_', '-')}: {exc.detail}") from None

    plans = [machines_needed(run, name, targets, args.max_machines) for name in designs]
    p = request.params
    rate = f"{p.qps:g} requests/s" if p.qps else "the trace's own rate"
    print(f"{p.model} on {p.tp} x {p.gpu} per machine, {p.trace} at {rate}, targets P90 TTFT <= {args.ttft_p90:g} s, "
          f"P99 TBT <= {args.tbt_p99 * 1e3:g} ms")
    for plan in plans:
        if plan.machines is None:
            print(f"  {plan.design:10s} more than {args.max_machines} machines")
            continue
        split = f" ({plan.prompt_machines} prompt + {plan.machines - plan.prompt_machines} token)" if plan.prompt_machines else ""
        best = next(pr for pr in plan.probes if pr.machines == plan.machines and pr.meets)
        print(f"  {plan.design:10s} {plan.machines:3d} machines = {plan.machines * p.tp:3d} GPUs{split}: "
              f"P90 TTFT {best.metrics['ttft.p90']:.3f} s, P99 TBT {best.metrics['tbt.p99'] * 1e3:.1f} ms")
    if args.out:
        Path(args.out).write_text(json.dumps([{"design": pl.design, "machines": pl.machines, "prompt_machines":
                                               pl.prompt_machines, "probes": [{"machines": pr.machines, "prompt_machines":
                                               pr.prompt_machines, "meets": pr.meets, "ttft.p90": pr.metrics["ttft.p90"],
                                               "tbt.p99": pr.metrics["tbt.p99"]} for pr in pl.probes]} for pl in plans],
                                             indent=1))
    if args.plot:
        plot_plans(plans, targets, args.plot, f"{p.model}, {p.trace} at {rate}")
        print(f"plot: {args.plot}")
    return 0


def plot_plans(plans, targets: CapacityTargets, path: str, title: str) -> None:
    """P90 TTFT and P99 TBT against machines per design, targets dashed, answers circled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for plan in plans:
        best: dict[int, object] = {}
        for probe in plan.probes:
            cur = best.get(probe.machines)
            if cur is None or probe.metrics["tbt.p99"] < cur.metrics["tbt.p99"]:
                best[probe.machines] = probe
        xs = sorted(best)
        for ax, key in zip(axes, ("ttft.p90", "tbt.p99"), strict=True):
            line, = ax.plot(xs, [best[x].metrics[key] for x in xs], marker="o", label=plan.design)
            if plan.machines is not None:
                ax.plot([plan.machines], [best[plan.machines].metrics[key]], "o", ms=14, mfc="none",
                        color=line.get_color())
    for ax, key, target in zip(axes, ("P90 TTFT (s)", "P99 TBT (s)"), (targets.p90_ttft_s, targets.p99_tbt_s),
                               strict=True):
        ax.axhline(target, ls="--", color="grey")
        ax.set_yscale("log")
        ax.set_xlabel("machines")
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _add_latency_targets(parser: argparse.ArgumentParser, tbt_p99: float) -> None:
    parser.add_argument("--ttft-p90", type=float, default=2.0, help="P90 TTFT target in seconds")
    parser.add_argument("--tbt-p99", type=float, default=tbt_p99, help="P99 TBT target in seconds")


def register(sub: argparse._SubParsersAction) -> None:
    capacity = sub.add_parser("capacity", help="highest request rate meeting latency targets (llm)")
    domains = capacity.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = domains.add_parser("llm", help="LLM inference serving")
    add_domain_flags(p, get_domain("llm"))
    _add_latency_targets(p, tbt_p99=0.2)
    p.add_argument("--queue-p50", type=float, default=math.inf,
                   help="median scheduling delay target in seconds (Sarathi-Serve's capacity uses 2; default: none)")
    p.add_argument("--start-qps", type=float, default=1.0)
    p.add_argument("--out", help="write the probes and the capacity as JSON")
    p.set_defaults(func=cmd_capacity)

    plan = sub.add_parser("plan", help="how many machines each LLM serving design needs under latency targets (llm)")
    plans = plan.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    q = plans.add_parser("llm", help="LLM inference serving")
    add_domain_flags(q, get_domain("llm"))
    _add_latency_targets(q, tbt_p99=0.1)
    q.add_argument("--designs", default="vllm,sarathi,splitwise,llumnix",
                   help="comma-separated: vllm, sarathi (least-kv dispatch), splitwise (prompt/token pools), llumnix")
    q.add_argument("--max-machines", type=int, default=32, help="largest cluster tried (machines of --tp GPUs)")
    q.add_argument("--plot", help="write a PNG of the latencies against machines per design")
    q.add_argument("--out", help="write every probe as JSON")
    q.set_defaults(func=cmd_plan)
