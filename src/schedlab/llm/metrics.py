"""Serving metrics: latency distributions, counts, throughput, SLO attainment and goodput."""

from __future__ import annotations

import math
from dataclasses import dataclass

from schedlab.llm.request import Request
from schedlab.sim.metrics import QuantileSketch, TimeSeries

LATENCIES = ("ttft", "tbt", "tpot", "e2e", "queue")


@dataclass(frozen=True)
class SLO:
    """Targets a request (TTFT, TPOT) or the whole run (P90 TTFT, P99 TBT) must meet."""

    ttft_s: float = math.inf
    tpot_s: float = math.inf
    p90_ttft_s: float = math.inf
    p99_tbt_s: float = math.inf


class ServingMetrics:
    """Collects everything `metrics.json` reports; fed by the replicas as the run goes."""

    def __init__(self, slo: SLO | None = None, keep_samples: bool = False) -> None:
        self.slo = slo or SLO()
        self.sketches = {name: QuantileSketch() for name in LATENCIES}
        self.arrived = 0
        self.finished = 0
        self.rejected = 0
        self.preemptions = 0
        self.slo_met = 0
        self.output_tokens = 0
        self.prompt_tokens = 0
        self.expert_bytes = 0.0
        self.cache_hit_tokens = 0  # prompt tokens found in a prefix cache at first admission
        self.cache_lookup_tokens = 0  # prompt tokens of requests admitted for the first time
        self.kv_loaded_bytes = 0.0  # prefix KV loaded from host/SSD tiers
        self.migrations = 0
        self.suspensions = 0  # time-slice ends (AIOS round-robin): context saved, request re-queued
        self.kv_holds = 0  # contexts pinned across a tool call
        self.kv_hold_expired = 0  # ... whose time-to-live ran out before the next turn came
        self.mixed_prefills = 0  # Splitwise: prompts a token machine ran because prompt queues were long
        self.mixed_decodes = 0  # Splitwise: requests a prompt machine decoded because no token machine had room
        self.pool_moves = 0  # Splitwise: machines entering or leaving the mixed pool
        self.kv_transfer_bytes = 0.0
        self.kv_transfer_time = 0.0
        self.migration_downtime = 0.0  # seconds migrated requests stood still, summed
        self.migrated_tokens = 0
        self.high = {name: QuantileSketch() for name in ("ttft", "tpot", "e2e")}  # high-priority requests
        self.high_finished = 0
        self.iterations = 0
        self.busy_time = 0.0
        self.first_arrival = math.inf
        self.last_finish = 0.0
        self.batch_size = TimeSeries(max_points=4000)
        self.samples: dict[str, list[float]] | None = {n: [] for n in ("ttft", "e2e", "tpot")} if keep_samples else None

    def on_arrival(self, req: Request) -> None:
        self.arrived += 1
        if req.arrival < self.first_arrival:
            self.first_arrival = req.arrival

    def on_admit(self, req: Request) -> None:
        """A request's first admission: what its prompt found in the prefix cache."""
        self.cache_lookup_tokens += req.prompt_tokens
        self.cache_hit_tokens += req.cached_tokens

    def on_reject(self, req: Request) -> None:
        self.rejected += 1

    def tbt(self, gap: float, weight: float = 1.0) -> None:
        self.sketches["tbt"].add(gap, weight)

    def on_finish(self, req: Request) -> None:
        self.finished += 1
        self.output_tokens += req.output_tokens
        self.prompt_tokens += req.prompt_tokens
        ttft = req.first_token - req.arrival
        e2e = req.finish - req.arrival
        tpot = (req.finish - req.first_token) / (req.output_tokens - 1) if req.output_tokens > 1 else 0.0
        s = self.sketches
        s["ttft"].add(ttft)
        s["e2e"].add(e2e)
        s["tpot"].add(tpot)
        s["queue"].add(max(req.first_scheduled - req.arrival, 0.0))
        if req.priority > 0:
            self.high_finished += 1
            self.high["ttft"].add(ttft)
            self.high["tpot"].add(tpot)
            self.high["e2e"].add(e2e)
        if ttft <= self.slo.ttft_s and tpot <= self.slo.tpot_s:
            self.slo_met += 1
        if req.finish > self.last_finish:
            self.last_finish = req.finish
        if self.samples is not None:
            self.samples["ttft"].append(ttft)
            self.samples["e2e"].append(e2e)
            self.samples["tpot"].append(tpot)

    def to_dict(self, running: int = 0, waiting: int = 0) -> dict:
        span = self.last_finish - self.first_arrival if self.finished else math.nan
        out: dict = {
            "arrived": self.arrived,
            "finished": self.finished,
            "rejected": self.rejected,
            "running": running,
            "waiting": waiting,
            "preemptions": self.preemptions,
            "iterations": self.iterations,
            "duration_s": span,
            "throughput_rps": self.finished / span if span and span > 0 else math.nan,
            "throughput_tokens_s": self.output_tokens / span if span and span > 0 else math.nan,
            "slo_attainment": self.slo_met / self.finished if self.finished else math.nan,
            "goodput_rps": self.slo_met / span if span and span > 0 else math.nan,
            "expert_weight_gb": self.expert_bytes / 1e9,
            "prefix_hit_rate": self.cache_hit_tokens / self.cache_lookup_tokens if self.cache_lookup_tokens else 0.0,
            "kv_loaded_gb": self.kv_loaded_bytes / 1e9,
            "migrations": self.migrations,
            "suspensions": self.suspensions,
            "kv_holds": self.kv_holds,
            "kv_hold_expired": self.kv_hold_expired,
            "kv_transfer_gb": self.kv_transfer_bytes / 1e9,
            "mixed_prefills": self.mixed_prefills,
            "mixed_decodes": self.mixed_decodes,
            "pool_moves": self.pool_moves,
            "migration_downtime_ms_mean": 1e3 * self.migration_downtime / self.migrations if self.migrations else 0.0,
            "high_priority_finished": self.high_finished,
        }
        for name, sketch in self.sketches.items():
            for key, value in sketch.summary((0.5, 0.9, 0.99)).items():
                out[f"{name}.{key}"] = value
        if self.high_finished:
            for name, sketch in self.high.items():
                for key, value in sketch.summary((0.5, 0.99)).items():
                    out[f"{name}_high.{key}"] = value
        return out
