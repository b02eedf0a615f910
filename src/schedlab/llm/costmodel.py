"""Iteration cost model: roofline per operator with calibrated efficiencies and overheads.

One iteration of a replica runs a batch of prefill chunks and decode tokens through the model.
Its time is the sum over layers of the linear operators (QKV, output, MLP projections and the
element-wise kernels, whose cost depends only on the number of tokens in the layer) plus
attention (depends on how much KV each token attends to) plus two tensor-parallel all-reduces
per layer, plus the embedding, the LM head on the sampled sequences and a fixed framework
overhead. Linear-operator times are tabulated per token count once, so a simulated iteration
costs a table lookup and a few multiplications.

What is measured and what is assumed: where vidur's A100/H100 profiles cover the model, GPU and
TP degree, one layer's linear-operator time is interpolated from the measured medians
(`data/layer_profiles.json.gz`); elsewhere (other models and GPUs, token counts beyond the
profile) it is the roofline calibrated on the same profiles (see `calibration.py`). All-reduces
use the fitted latency/bandwidth. Attention kernels were not profiled in the data we ship, so
their time is the same roofline with the GEMM efficiencies (FlashAttention runs near GEMM
efficiency for long prompts; decode attention is bandwidth-bound).
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from schedlab.core.errors import ModelError
from schedlab.llm.calibration import Calibration, gemm_time, op_shapes
from schedlab.llm.catalog import GPUSpec, ModelSpec


@cache
def load_calibrations() -> dict[str, Calibration]:
    text = resources.files("schedlab.llm").joinpath("data/calibration.json").read_text()
    return {name: Calibration.from_dict(d) for name, d in json.loads(text)["profiles"].items()}


@cache
def load_layer_profiles() -> dict[str, dict[str, dict[str, list[list[float]]]]]:
    """GPU -> model -> TP degree -> [token counts, measured seconds of one layer's linear operators]."""
    data = resources.files("schedlab.llm").joinpath("data/layer_profiles.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))["layers"]


def measured_layer(model: ModelSpec, gpu: GPUSpec, tp: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The profiled (tokens, seconds) of one layer's linear operators, when this exact model, GPU and TP were profiled."""
    entry = load_layer_profiles().get(gpu.name, {}).get(model.name, {}).get(str(tp))
    if entry is None:
        return None
    return np.array(entry[0], dtype=float), np.array(entry[1], dtype=float)


def calibration_for(gpu: GPUSpec) -> Calibration:
    cals = load_calibrations()
    profile = gpu.profile_name or ("a100" if gpu.peak_flops < 500e12 else "h100")
    return cals[profile]


@dataclass(frozen=True)
class Iteration:
    """What one batch asks of the GPU."""

    decode_tokens: int = 0
    decode_context: int = 0  # sum over decoding sequences of the tokens they attend to
    prefill_tokens: int = 0
    prefill_attention: float = 0.0  # sum over chunks of q * (prior + q / 2)
    prefill_sequences: int = 0  # chunks finishing a prompt (each samples one token)
    prefill_layer_fraction: float = 1.0  # layered prefill runs the prompt through a group only


def expert_pick_probabilities(experts: int, active: int, skew: float) -> np.ndarray:
    """Chance that one token's top-`active` routing includes each expert, for Zipf(`skew`) expert
    popularity (0: uniform, every expert `active/experts`). Each chance is `active` x its popularity,
    capped at 1 with the excess spread over the others in proportion, so they sum to `active`."""
    popularity = 1.0 / np.arange(1, experts + 1, dtype=float) ** skew
    q = np.zeros(experts)
    free = np.ones(experts, bool)
    mass = float(active)
    while True:
        share = mass * popularity * free / (popularity * free).sum()
        over = free & (share >= 1.0)
        if not over.any():
            q[free] = share[free]
            return q
        q[over], free[over] = 1.0, False
        mass -= int(over.sum())


class CostModel:
    """Predicts iteration times (seconds) for one model on `tp` GPUs of one kind."""

    def __init__(
        self,
        model: ModelSpec,
        gpu: GPUSpec,
        tp: int = 1,
        max_tokens: int = 16384,
        calibration: Calibration | None = None,
        framework_overhead_s: float = 0.0,
        routing_skew: float = 0.0,
        pp: int = 1,
    ) -> None:
        if pp < 1 or pp > model.layers:
            raise ModelError(f"pipeline-parallel degree {pp} must be between 1 and {model.name}'s {model.layers} layers")
        self.pp = pp  # stages of tp GPUs; iteration times stay whole-model times (a Pipeline splits them)
        if tp < 1 or model.heads % tp or model.kv_heads % tp and tp % model.kv_heads:
            raise ModelError(f"tensor parallel degree {tp} does not divide {model.name}'s {model.heads} heads")
        self.model, self.gpu, self.tp = model, gpu, tp
        self.cal = calibration or calibration_for(gpu)
        self.framework_overhead_s = framework_overhead_s
        self.max_tokens = max_tokens
        self.routing_skew = routing_skew
        self._layer_table = self._linear_layer_times(np.arange(max_tokens + 1))
        self._expert_bytes = model.expert_params * model.bytes_per_param / tp
        tokens = np.arange(max_tokens + 1)
        self._experts_touched = self._touched(tokens) if model.is_moe else np.ones(max_tokens + 1)
        self._experts_touched[0] = 0.0
        peak, bw = gpu.peak_flops, gpu.hbm_bandwidth
        g = self.cal.gemm
        dh = model.head_dim
        self._attn_flop_per_work = 4.0 * model.heads / tp * dh  # per layer, per (query, key) pair
        self._kv_bytes_layer = 2.0 * model.kv_heads / max(1, min(tp, model.kv_heads)) * dh * model.bytes_per_param
        self._attn_flops_rate = peak * g.eta_c
        self._mem_rate = bw * g.eta_m
        self._head_table = self._lm_head(np.arange(max_tokens + 1, dtype=float))
        self._head_table[0] = 0.0

    # -- tabulated linear part -------------------------------------------------------------
    def _linear_layer_times(self, tokens: np.ndarray) -> np.ndarray:
        m, gpu, cal, tp = self.model, self.gpu, self.cal, self.tp
        row = {
            "n_embd": m.hidden,
            "n_head": m.heads,
            "n_kv_head": m.kv_heads,
            "n_expanded_embd": m.ffn,
            "use_gated_mlp": m.gated_mlp,
        }
        t = np.maximum(tokens, 1)
        shapes = op_shapes(row, t, np.full(t.shape, tp))
        total = np.zeros(t.shape)
        for name in ("attn_pre_proj", "attn_post_proj"):
            f, b = shapes[name]
            total += gemm_time(cal.gemm, f, b, t, gpu.peak_flops, gpu.hbm_bandwidth)
        for name in ("mlp_up_proj", "mlp_down_proj"):
            f, b = shapes[name]
            if m.is_moe:
                k = m.active_experts
                touched = self._touched(t)
                weights = f / t  # 2 bytes x K x N of one expert matrix
                acts = b - weights
                f = f * k
                b = weights * touched + acts * k
                per_expert_tokens = t * k / touched
                total += gemm_time(cal.gemm, f, b, per_expert_tokens, gpu.peak_flops, gpu.hbm_bandwidth) + cal.gemm.overhead_s * (
                    touched - 1
                )
            else:
                total += gemm_time(cal.gemm, f, b, t, gpu.peak_flops, gpu.hbm_bandwidth)
        ew = cal.elementwise
        for name in ("input_layernorm", "post_attention_layernorm", "attn_rope", "mlp_act", "add"):
            _, b = shapes[name]
            scale = m.active_experts if (name == "mlp_act" and m.is_moe) else 1
            total += scale * b / (gpu.hbm_bandwidth * ew.eta) + ew.overhead_s
        if tp > 1:
            ar = cal.all_reduce
            n = min(ar.latency_s, key=lambda x: abs(x - tp))
            total += 2.0 * (ar.latency_s[n] + t * m.hidden * 2.0 / ar.bandwidth[n])
        measured = measured_layer(m, gpu, tp)
        if measured is not None:
            total = self._with_measurements(total, t, measured)
        total[tokens == 0] = 0.0
        return total

    def _with_measurements(self, roofline: np.ndarray, t: np.ndarray, measured: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Measured compute between the profiled token counts; beyond them the roofline, scaled to meet the last point.

        The roofline total holds the all-reduces too (tp > 1); they are kept on top of the measured compute.
        """
        tokens, seconds = measured
        comm = np.zeros(t.shape)
        if self.tp > 1:
            ar, m = self.cal.all_reduce, self.model
            n = min(ar.latency_s, key=lambda x: abs(x - self.tp))
            comm = 2.0 * (ar.latency_s[n] + t * m.hidden * 2.0 / ar.bandwidth[n])
        compute = roofline - comm
        inside = t <= tokens[-1]
        out = compute.copy()
        out[inside] = np.interp(t[inside], tokens, seconds)
        last = int(tokens[-1])
        if (~inside).any() and last < len(compute):
            out[~inside] = compute[~inside] * seconds[-1] / compute[last]
        return out + comm

    def _lm_head(self, sequences: np.ndarray) -> np.ndarray:
        """LM head GEMM for the sequences that sample a token."""
        m, tp = self.model, self.tp
        f = 2.0 * sequences * m.hidden * m.vocab / tp
        b = 2.0 * (m.hidden * m.vocab / tp + sequences * m.hidden + sequences * m.vocab / tp)
        return gemm_time(self.cal.gemm, f, b, np.maximum(sequences, 1.0), self.gpu.peak_flops, self.gpu.hbm_bandwidth)

    def layer_time(self, tokens: int) -> float:
        """Linear operators and all-reduces of one layer for `tokens` tokens."""
        if tokens > self.max_tokens:
            return float(self._layer_table[self.max_tokens]) * tokens / self.max_tokens
        return float(self._layer_table[tokens])

    def _touched(self, tokens: np.ndarray) -> np.ndarray:
        """Expected distinct experts among `tokens` independently routed tokens: sum over experts of
        1 - (1 - q_i)^tokens, q_i the chance one token picks expert i (see `expert_pick_probabilities`)."""
        q = expert_pick_probabilities(self.model.experts, self.model.active_experts, self.routing_skew)
        return (1.0 - (1.0 - q[None, :]) ** np.asarray(tokens, float)[:, None]).sum(axis=1)

    def experts_touched(self, tokens: int) -> float:
        """Expected distinct experts one MoE layer loads for `tokens` routed tokens (routing skew as configured)."""
        return float(self._experts_touched[min(tokens, self.max_tokens)])

    @property
    def expert_bytes(self) -> float:
        return self._expert_bytes

    # -- one iteration ---------------------------------------------------------------------
    def attention_time(self, work: float, kv_tokens: float) -> float:
        """One layer's attention: `work` query-key pairs, `kv_tokens` KV entries read."""
        if work <= 0 and kv_tokens <= 0:
            return 0.0
        return max(work * self._attn_flop_per_work / self._attn_flops_rate, kv_tokens * self._kv_bytes_layer / self._mem_rate)

    def iteration_time(self, it: Iteration) -> float:
        return self.time_of(
            it.decode_tokens,
            it.decode_context,
            it.prefill_tokens,
            it.prefill_attention,
            it.prefill_sequences,
            it.prefill_layer_fraction,
        )

    def time_of(self, dec: int, context: int, pre: int, work: float, sequences: int, fraction: float = 1.0) -> float:
        """`iteration_time` without building an `Iteration` (the simulator's hot path)."""
        if dec == 0 and pre == 0:
            return 0.0
        layers = self.model.layers
        table = self._layer_table
        top = self.max_tokens
        total = dec + pre
        t_all = table[total] if total <= top else table[top] * total / top
        if fraction >= 1.0:
            linear = layers * t_all
            prefill_layers = layers
        else:
            prefill_layers = max(1, round(layers * fraction)) if pre else 0
            linear = prefill_layers * t_all + (layers - prefill_layers) * table[min(dec, top)]
        attention = 0.0
        if dec:
            attention = layers * max(
                context * self._attn_flop_per_work / self._attn_flops_rate, context * self._kv_bytes_layer / self._mem_rate
            )
        if pre:
            attention += prefill_layers * max(
                work * self._attn_flop_per_work / self._attn_flops_rate, work / pre * self._kv_bytes_layer / self._mem_rate
            )
        sampled = dec + sequences
        head = self._head_table[sampled if sampled <= top else top]
        return float(linear + attention + head + self.framework_overhead_s)

    def expert_bytes_loaded(self, it: Iteration) -> float:
        """MoE expert-weight bytes read from HBM by one iteration (0 for dense models)."""
        if not self.model.is_moe:
            return 0.0
        layers = self.model.layers
        dec, pre = it.decode_tokens, it.prefill_tokens
        if it.prefill_layer_fraction >= 1.0 or not pre:
            return layers * self.experts_touched(dec + pre) * self._expert_bytes
        group = max(1, round(layers * it.prefill_layer_fraction))
        return (group * self.experts_touched(dec + pre) + (layers - group) * self.experts_touched(dec)) * self._expert_bytes

    # -- memory ----------------------------------------------------------------------------
    def kv_capacity_tokens(self, memory_utilization: float = 0.9, activation_reserve: float = 0.05) -> int:
        """Tokens of KV cache that fit beside the weights on the `tp` x `pp` GPUs."""
        m = self.model
        budget = self.gpu.memory_bytes * self.tp * self.pp * (memory_utilization - activation_reserve)
        weights = m.total_params * m.bytes_per_param
        free = budget - weights
        if free <= 0:
            raise ModelError(
                f"{m.name} needs {weights / 2**30:.0f} GiB of weights; {self.tp * self.pp} x {self.gpu.name} leaves no room "
                "for KV cache (use a larger tensor-parallel or pipeline-parallel degree)"
            )
        return int(free // m.kv_bytes_per_token)


def prefill_chunk_work(prior: int, chunk: int) -> float:
    """Query-key pairs of a causal prefill chunk of `chunk` tokens after `prior` cached ones."""
    return chunk * (prior + (chunk + 1) / 2.0)


def blocks_for(tokens: int, block_size: int) -> int:
    return math.ceil(tokens / block_size)
