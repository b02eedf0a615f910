"""Fit the LLM cost model to vidur's GPU profiles and report its error per model and GPU.

Reads ../shared/data/llm/vidur/profiling (not shipped), writes the fitted numbers to
src/schedlab/llm/data/calibration.json (shipped) and the error table to
benchmarks/results/llm_calibration.md.

    .venv/bin/python tools/calibrate_llm.py
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import numpy as np

from schedlab.llm.calibration import (
    ELEMENTWISE_OPS,
    GEMM_OPS,
    Calibration,
    fit_all_reduce,
    fit_elementwise,
    fit_gemm,
    gemm_time,
    op_shapes,
    read_mlp_profile,
)
from schedlab.llm.catalog import GPUS

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT.parent / "shared" / "data" / "llm" / "vidur" / "profiling"
MODEL_FOLDERS = {"Meta-Llama-3-8B": "llama-3-8b", "Meta-Llama-3-70B": "llama-3-70b", "Llama-2-7b-hf": "llama-2-7b",
                 "Llama-2-70b-hf": "llama-2-70b"}
LAYER_OPS = ("attn_pre_proj", "attn_post_proj", "mlp_up_proj", "mlp_down_proj", "input_layernorm",
             "post_attention_layernorm", "attn_rope", "mlp_act", "add")


def measured_layers(rows_by_model: dict[str, list[dict]]) -> dict[str, dict[str, list[list[float]]]]:
    """Per model and TP degree: the profiled token counts and one layer's linear-operator time (sum of the medians)."""
    out: dict[str, dict[str, list[list[float]]]] = {}
    for folder, rows in rows_by_model.items():
        model = MODEL_FOLDERS.get(folder)
        if model is None:
            continue
        by_tp: dict[int, dict[int, list[float]]] = {}
        for row in rows:  # a token count profiled twice counts with the mean of its runs
            total = sum(row[f"time_stats.{op}.median"] for op in LAYER_OPS) * 1e-3
            by_tp.setdefault(int(row["num_tensor_parallel_workers"]), {}).setdefault(int(row["num_tokens"]), []).append(total)
        out[model] = {str(tp): [sorted(pts), [float(f"{np.mean(pts[t]):.6g}") for t in sorted(pts)]]
                      for tp, pts in by_tp.items()}
    return out


def layer_errors(cal: Calibration, rows: list[dict], peak: float, bw: float) -> dict[str, float]:
    """Mean and P90 relative error of per-op and whole-layer (sum of ops) predictions."""
    op_err, layer_err = [], []
    for row in rows:
        t = np.array([row["num_tokens"]])
        tp = np.array([row["num_tensor_parallel_workers"]])
        shapes = op_shapes(row, t, tp)
        pred_sum = meas_sum = 0.0
        for op in GEMM_OPS + ELEMENTWISE_OPS:
            f, b = shapes[op]
            if op in GEMM_OPS:
                pred = float(gemm_time(cal.gemm, f, b, t, peak, bw)[0])
            else:
                pred = float(b[0] / (bw * cal.elementwise.eta) + cal.elementwise.overhead_s)
            meas = row[f"time_stats.{op}.median"] * 1e-3
            op_err.append(abs(pred - meas) / meas)
            pred_sum += pred
            meas_sum += meas
        layer_err.append(abs(pred_sum - meas_sum) / meas_sum)
    return {
        "op_mape": float(np.mean(op_err)),
        "layer_mape": float(np.mean(layer_err)),
        "layer_p90": float(np.quantile(layer_err, 0.9)),
    }


def main() -> int:
    if not PROFILES.is_dir():
        print(f"profiles not found at {PROFILES}", file=sys.stderr)
        return 1
    profiles, lines, layers = {}, [], {}
    for gpu_name in ("a100", "h100"):
        gpu = GPUS[gpu_name]
        files = sorted((PROFILES / "compute" / gpu_name).glob("*/*/mlp.csv"))
        rows_by_model = {f.parent.name: read_mlp_profile(f) for f in files}
        rows = [r for rs in rows_by_model.values() for r in rs]
        gemm, gemm_err = fit_gemm(rows, gpu.peak_flops, gpu.hbm_bandwidth)
        ew, ew_err = fit_elementwise(rows, gpu.hbm_bandwidth)
        ar = fit_all_reduce(PROFILES / "network" / f"{gpu_name}_dgx" / "all_reduce.csv")
        cal = Calibration(gpu_name, gemm, ew, ar)
        profiles[gpu_name] = cal.to_dict()
        layers[gpu_name] = measured_layers(rows_by_model)
        print(gpu_name, gemm, f"gemm mape {gemm_err:.3f}", ew, f"elementwise mape {ew_err:.3f}")
        for model, mrows in rows_by_model.items():
            e = layer_errors(cal, mrows, gpu.peak_flops, gpu.hbm_bandwidth)
            lines.append(
                f"| {model} | {gpu_name} | {len(mrows)} | {e['op_mape']:.1%} | {e['layer_mape']:.1%} | {e['layer_p90']:.1%} |"
            )
        for n in sorted(ar.latency_s):
            fitted = f"latency {ar.latency_s[n] * 1e6:.1f} us | bandwidth {ar.bandwidth[n] / 1e9:.0f} GB/s"
            lines.append(f"| all-reduce {n} GPUs | {gpu_name} | {fitted} | | |")
    out = ROOT / "src" / "schedlab" / "llm" / "data" / "calibration.json"
    out.write_text(
        json.dumps({"source": "vidur profiling data (MIT), data/profiling/{compute,network}", "profiles": profiles}, indent=1)
    )
    table = ROOT / "src" / "schedlab" / "llm" / "data" / "layer_profiles.json.gz"
    table.write_bytes(gzip.compress(json.dumps({"source": "vidur profiling data (MIT), compute/*/mlp.csv medians",
                                                "layers": layers}).encode(), mtime=0))
    report = ROOT / "benchmarks" / "results" / "llm_calibration.md"
    report.write_text(
        "# LLM cost-model calibration error\n\n"
        "Command: `.venv/bin/python tools/calibrate_llm.py` (vidur MLP-side operator profiles; medians).\n"
        "One fit per GPU shared by all models and TP degrees: GEMM roofline (eta_c with a small-batch ramp, eta_m,\n"
        "overhead) and element-wise bandwidth (eta, overhead). Errors are mean absolute relative errors over every\n"
        "profiled (token count, TP degree) row; 'layer' sums the ten profiled operators of one layer.\n"
        "Where a (model, GPU, TP) profile exists, the cost model interpolates the measured layer times themselves\n"
        "(src/schedlab/llm/data/layer_profiles.json.gz) and uses the fitted roofline only beyond the profiled token\n"
        "counts and for other models and GPUs: the smooth fit is 11-14% high at 256-512 tokens on A100 (Llama-3-8B),\n"
        "exactly the batch size of Sarathi's chunks (benchmarks/results/llm_vs_vidur.md).\n\n"
        "| model | GPU | rows | per-operator MAPE | layer MAPE | layer P90 error |\n|---|---|---:|---:|---:|---:|\n"
        + "\n".join(lines)
        + "\n"
    )
    print(report.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
