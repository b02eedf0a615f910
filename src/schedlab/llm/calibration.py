"""Fit the roofline cost model's efficiencies and overheads to measured operator timings.

The measurements are vidur's GPU profiles (per-operator CUDA timings of one transformer layer's
MLP-side operators per token count and tensor-parallel degree, and all-reduce timings per
message size and GPU count). The fit is deliberately small (a few numbers per GPU), so that it
can be carried to models and GPUs that were never profiled; its error per model and GPU is
reported by `tools/calibrate_llm.py`.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

GEMM_OPS = ("attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj")
ELEMENTWISE_OPS = ("input_layernorm", "post_attention_layernorm", "attn_rope", "mlp_act", "add")


@dataclass(frozen=True)
class GemmFit:
    """t = max(flops / (peak * eta_c(T)), bytes / (bw * eta_m)) + overhead, eta_c(T) = eta_c * T / (T + ramp)."""

    eta_c: float
    eta_m: float
    ramp_tokens: float
    overhead_s: float


@dataclass(frozen=True)
class ElementwiseFit:
    """t = bytes / (bw * eta) + overhead."""

    eta: float
    overhead_s: float


@dataclass(frozen=True)
class AllReduceFit:
    """t = latency + bytes / bandwidth, per number of GPUs."""

    latency_s: dict[int, float]
    bandwidth: dict[int, float]


@dataclass(frozen=True)
class Calibration:
    profile: str
    gemm: GemmFit
    elementwise: ElementwiseFit
    all_reduce: AllReduceFit

    def to_dict(self) -> dict:
        d = asdict(self)
        d["all_reduce"] = {
            "latency_s": {str(k): v for k, v in self.all_reduce.latency_s.items()},
            "bandwidth": {str(k): v for k, v in self.all_reduce.bandwidth.items()},
        }
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        ar = d["all_reduce"]
        return cls(
            d["profile"],
            GemmFit(**d["gemm"]),
            ElementwiseFit(**d["elementwise"]),
            AllReduceFit({int(k): v for k, v in ar["latency_s"].items()}, {int(k): v for k, v in ar["bandwidth"].items()}),
        )


def op_shapes(row: dict[str, float], tokens: np.ndarray, tp: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """FLOPs and bytes (fp16) of each profiled operator for `tokens` tokens on `tp` GPUs."""
    d = row["n_embd"]
    heads, kv_heads, ffn = row["n_head"], row["n_kv_head"], row["n_expanded_embd"]
    dh = d / heads
    gated = row["use_gated_mlp"]
    t = tokens.astype(float)
    gemms = {
        "attn_pre_proj": (d, (heads + 2 * kv_heads) * dh / tp),
        "attn_post_proj": (heads * dh / tp, d),
        "mlp_up_proj": (d, (2 if gated else 1) * ffn / tp),
        "mlp_down_proj": (ffn / tp, d),
    }
    out = {}
    for name, (k, n) in gemms.items():
        out[name] = (2.0 * t * k * n, 2.0 * (k * n + t * k + t * n))
    out["input_layernorm"] = (t * d, 4.0 * t * d)
    out["post_attention_layernorm"] = (t * d, 4.0 * t * d)
    out["attn_rope"] = (t * (heads + kv_heads) * dh / tp, 4.0 * t * (heads + kv_heads) * dh / tp)
    out["mlp_act"] = (t * ffn / tp, 2.0 * (3 if gated else 2) * t * ffn / tp)
    out["add"] = (t * d, 6.0 * t * d)
    return out


def gemm_time(fit: GemmFit, flops, nbytes, tokens, peak: float, bw: float):
    eta_c = fit.eta_c * tokens / (tokens + fit.ramp_tokens)
    return np.maximum(flops / (peak * eta_c), nbytes / (bw * fit.eta_m)) + fit.overhead_s


def _best_offset(measured: np.ndarray, base: np.ndarray) -> tuple[float, float]:
    """The overhead minimising mean relative error (a weighted median), and that error."""
    resid = measured - base
    weights = 1.0 / measured
    order = np.argsort(resid)
    cum = np.cumsum(weights[order])
    c = float(resid[order][np.searchsorted(cum, cum[-1] / 2)])
    c = max(c, 0.0)
    return c, float(np.mean(np.abs(base + c - measured) / measured))


def read_mlp_profile(path: Path) -> list[dict[str, float]]:
    rows = []
    with open(path, newline="") as f:
        for raw in csv.DictReader(f):
            row = {k: float(v) for k, v in raw.items() if k != "use_gated_mlp" and v != ""}
            row["use_gated_mlp"] = raw["use_gated_mlp"].strip().lower() == "true"
            rows.append(row)
    return rows


def _columns(rows: list[dict[str, float]], ops: tuple[str, ...], peak: float) -> dict[str, np.ndarray]:
    tokens = np.array([r["num_tokens"] for r in rows])
    tp = np.array([r["num_tensor_parallel_workers"] for r in rows])
    flops, nbytes, measured, tok = [], [], [], []
    for start in range(len(rows)):
        row = rows[start]
        shapes = op_shapes(row, tokens[start : start + 1], tp[start : start + 1])
        for op in ops:
            f, b = shapes[op]
            flops.append(f[0])
            nbytes.append(b[0])
            measured.append(row[f"time_stats.{op}.median"] * 1e-3)
            tok.append(tokens[start])
    return {"flops": np.array(flops), "bytes": np.array(nbytes), "measured": np.array(measured), "tokens": np.array(tok)}


def fit_gemm(rows: list[dict[str, float]], peak: float, bw: float) -> tuple[GemmFit, float]:
    cols = _columns(rows, GEMM_OPS, peak)
    best = (np.inf, None)
    for ramp in (0.0, 16.0, 32.0, 64.0, 128.0, 256.0):
        for eta_c in np.arange(0.30, 1.001, 0.025):
            for eta_m in np.arange(0.30, 1.001, 0.025):
                fit = GemmFit(float(eta_c), float(eta_m), ramp, 0.0)
                base = gemm_time(fit, cols["flops"], cols["bytes"], cols["tokens"], peak, bw)
                c, err = _best_offset(cols["measured"], base)
                if err < best[0]:
                    best = (err, GemmFit(float(eta_c), float(eta_m), ramp, c))
    return best[1], best[0]


def fit_elementwise(rows: list[dict[str, float]], bw: float) -> tuple[ElementwiseFit, float]:
    cols = _columns(rows, ELEMENTWISE_OPS, 1.0)
    best = (np.inf, None)
    for eta in np.arange(0.1, 1.001, 0.02):
        c, err = _best_offset(cols["measured"], cols["bytes"] / (bw * eta))
        if err < best[0]:
            best = (err, ElementwiseFit(float(eta), c))
    return best[1], best[0]


def fit_all_reduce(path: Path) -> AllReduceFit:
    """Least squares of latency + size/bandwidth per GPU count (single-node rows)."""
    groups: dict[int, list[tuple[float, float]]] = {}
    with open(path, newline="") as f:
        for raw in csv.DictReader(f):
            n, per_node = int(raw["num_workers"]), int(raw["devices_per_node"])
            if n != per_node:
                continue
            groups.setdefault(n, []).append((float(raw["size"]), float(raw["time_stats.all_reduce.median"]) * 1e-3))
    latency, bandwidth = {}, {}
    for n, pairs in sorted(groups.items()):
        size = np.array([p[0] for p in pairs])
        t = np.array([p[1] for p in pairs])
        w = 1.0 / t  # relative error
        a = np.stack([np.ones_like(size), size], axis=1) * w[:, None]
        coef, *_ = np.linalg.lstsq(a, t * w, rcond=None)
        latency[n] = max(float(coef[0]), 0.0)
        bandwidth[n] = 1.0 / max(float(coef[1]), 1e-15)
    return AllReduceFit(latency, bandwidth)
