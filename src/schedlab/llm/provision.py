"""Capacity planning and provisioning: how many machines a trace needs under latency targets,
per serving design, and which pool sizes a cost or power budget buys the most goodput with.

A *design* is a way of serving (vLLM or Sarathi replicas behind least-KV dispatch, Llumnix, or a
Splitwise prompt/token split); a *machine* is one replica of `tp` GPUs. Both searches run the
simulator: `machines_needed` doubles and then bisects the machine count until the run at the
trace's rate meets the targets (Splitwise also tries several prompt:token splits); `best_split`
enumerates the prompt/token pool sizes and GPU types a budget allows and measures each one's
capacity with `capacity_search`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from schedlab.llm.capacity import CapacityTargets, capacity_search
from schedlab.llm.catalog import get_gpu

DESIGNS: dict[str, dict] = {
    "vllm": {"policy": "vllm", "dispatch": "least-kv"},
    "sarathi": {"policy": "sarathi", "dispatch": "least-kv"},
    "llumnix": {"policy": "vllm", "dispatch": "llumnix"},
    "splitwise": {"policy": "vllm", "layout": "splitwise"},
}
SPLITS = (0.25, 1 / 3, 0.5)  # shares of the machines that run prompts, tried for Splitwise


@dataclass
class Probe:
    machines: int
    prompt_machines: int  # 0 for colocated designs
    meets: bool
    metrics: dict


@dataclass
class DesignPlan:
    design: str
    machines: int | None  # fewest machines meeting the targets (None: not within the limit)
    prompt_machines: int = 0
    probes: list[Probe] = field(default_factory=list)


def design_values(design: str, machines: int, prompt_machines: int = 0) -> dict:
    """Domain parameter overrides for `machines` machines of a design."""
    values = {"layout": "colocated", **DESIGNS[design]}
    if design == "splitwise":
        values.update(replicas=machines - prompt_machines, prompt_replicas=prompt_machines, dispatch="round-robin")
    else:
        values["replicas"] = machines
    return values


def splits(machines: int) -> list[int]:
    return sorted({min(max(1, round(machines * share)), machines - 1) for share in SPLITS}) if machines >= 2 else []


def machines_needed(run: Callable[[dict], dict], design: str, targets: CapacityTargets,
                    max_machines: int) -> DesignPlan:
    """Fewest machines of `design` whose run (`run(overrides) -> metrics`) meets `targets`."""
    plan = DesignPlan(design, None)
    cache: dict[int, Probe | None] = {}

    def meets(n: int) -> bool:
        if n not in cache:
            options = splits(n) if design == "splitwise" else [0]
            best = None
            for p in options:
                metrics = run(design_values(design, n, p))
                probe = Probe(n, p, targets.met(metrics), metrics)
                plan.probes.append(probe)
                if best is None or (probe.meets, -metrics["tbt.p99"]) > (best.meets, -best.metrics["tbt.p99"]):
                    best = probe
            cache[n] = best
        return cache[n] is not None and cache[n].meets

    lo, hi = 0, 2 if design == "splitwise" else 1
    while hi <= max_machines and not meets(hi):
        lo, hi = hi, hi * 2
    if hi > max_machines:
        if lo < max_machines and meets(max_machines):
            hi = max_machines
        else:
            return plan
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if design == "splitwise" and mid < 2:
            break
        lo, hi = (lo, mid) if meets(mid) else (mid, hi)
    plan.machines = hi
    plan.prompt_machines = cache[hi].prompt_machines
    return plan


@dataclass(frozen=True)
class PoolOption:
    prompt: tuple[int, str] | None  # (machines, gpu); None: colocated
    token: tuple[int, str]
    policy: str

    def label(self) -> str:
        if self.prompt is None:
            return f"{self.token[0]} x {self.token[1]} ({self.policy})"
        return f"{self.prompt[0]} x {self.prompt[1]} prompt + {self.token[0]} x {self.token[1]} token"

    def cost(self, tp: int) -> float:
        return sum(n * tp * get_gpu(g).relative_cost for n, g in self.pools())

    def power(self, tp: int) -> float:
        return sum(n * tp * get_gpu(g).power_w for n, g in self.pools())

    def gpus(self, tp: int) -> int:
        return sum(n * tp for n, _ in self.pools())

    def pools(self) -> list[tuple[int, str]]:
        return [self.token] if self.prompt is None else [self.prompt, self.token]

    def values(self) -> dict:
        if self.prompt is None:
            return {"layout": "colocated", "policy": self.policy, "dispatch": "least-kv", "replicas": self.token[0]}
        return {"layout": "splitwise", "policy": "vllm", "dispatch": "round-robin", "replicas": self.token[0],
                "prompt_replicas": self.prompt[0], "prompt_gpu": self.prompt[1], "gpu": self.token[1]}


def options_within(tp: int, gpus: tuple[str, ...], max_cost: float | None = None, max_power: float | None = None,
                   max_machines: int = 16) -> list[PoolOption]:
    """Every colocated (vLLM, Sarathi) and Splitwise pool option a cost/power budget allows."""
    out = []
    for g in gpus:
        if get_gpu(g).relative_cost is None or get_gpu(g).power_w is None:
            raise ValueError(f"GPU {g} has no cost/power figures in the catalog")
    for g, n in itertools.product(gpus, range(1, max_machines + 1)):
        out += [PoolOption(None, (n, g), "sarathi"), PoolOption(None, (n, g), "vllm")]
    for gp, gt, p, t in itertools.product(gpus, gpus, range(1, max_machines), range(1, max_machines)):
        if p + t <= max_machines:
            out.append(PoolOption((p, gp), (t, gt), "vllm"))
    return [o for o in out if (max_cost is None or o.cost(tp) <= max_cost + 1e-9)
            and (max_power is None or o.power(tp) <= max_power + 1e-9)]


def capacity_of(option: PoolOption, run_at: Callable[[dict, float], dict], targets: CapacityTargets,
                start_qps: float) -> float:
    return capacity_search(lambda q: run_at(option.values(), q), targets, start_qps=start_qps, rel_tol=0.03).qps


def best_option(options: list[PoolOption], run_at: Callable[[dict, float], dict], targets: CapacityTargets,
                start_qps: float, keep: Callable[[PoolOption], bool] = lambda o: True) -> tuple[PoolOption, float] | None:
    """The option with the highest capacity among those `keep` accepts (ties: the cheaper)."""
    best = None
    for option in options:
        if not keep(option):
            continue
        qps = capacity_of(option, run_at, targets, start_qps)
        if best is None or qps > best[1] + 1e-9:
            best = (option, qps)
    return best

