"""Serving capacity: the highest request rate whose run still meets latency targets."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CapacityTargets:
    p90_ttft_s: float = math.inf
    p99_tbt_s: float = math.inf
    p50_queue_s: float = math.inf  # median scheduling delay (arrival to first scheduled), Sarathi-Serve's second SLO
    min_slo_attainment: float = 0.0  # DistServe: share of requests meeting their own TTFT and TPOT SLO (run with an SLO)

    def met(self, metrics: dict) -> bool:
        if metrics["finished"] == 0 or metrics["rejected"] > 0.01 * max(metrics["arrived"], 1):
            return False
        queue_ok = math.isinf(self.p50_queue_s) or metrics["queue.p50"] <= self.p50_queue_s
        attained = self.min_slo_attainment <= 0 or metrics["slo_attainment"] >= self.min_slo_attainment
        return metrics["ttft.p90"] <= self.p90_ttft_s and metrics["tbt.p99"] <= self.p99_tbt_s and queue_ok and attained


@dataclass
class CapacityResult:
    qps: float  # highest rate found that meets the targets (0 when even the lowest fails)
    probes: list[tuple[float, bool, dict]] = field(default_factory=list)


def capacity_search(
    run_at: Callable[[float], dict],
    targets: CapacityTargets,
    start_qps: float = 1.0,
    rel_tol: float = 0.03,
    max_qps: float = 1e4,
    max_probes: int = 24,
) -> CapacityResult:
    """Double the rate until the targets fail, then bisect between the last pass and first fail.

    `run_at(qps)` simulates the workload at that rate and returns its metrics dictionary.
    """
    result = CapacityResult(0.0)

    def probe(qps: float) -> bool:
        metrics = run_at(qps)
        ok = targets.met(metrics)
        result.probes.append((qps, ok, metrics))
        return ok

    lo, hi = 0.0, start_qps
    while len(result.probes) < max_probes and hi <= max_qps and probe(hi):
        lo, hi = hi, hi * 2
    if lo == 0.0:
        hi_fail = hi
        lo_try = hi / 2
        while len(result.probes) < max_probes and lo_try > start_qps / 64:
            if probe(lo_try):
                lo = lo_try
                break
            hi_fail, lo_try = lo_try, lo_try / 2
        hi = hi_fail
        if lo == 0.0:
            return result
    while len(result.probes) < max_probes and (hi - lo) > rel_tol * lo:
        mid = (lo + hi) / 2
        if probe(mid):
            lo = mid
        else:
            hi = mid
    result.qps = lo
    return result
