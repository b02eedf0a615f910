"""schedlab's LLM serving simulator side by side with vidur on the same requests.

Creates vidur's environment (.bench-venvs/vidur, pip vidur==0.0.26) when missing, lays out the
shipped GPU profiles as vidur's offline profiling cache (benchmarks/peers/vidur_setup.py), and
replays the first N requests of the Azure conv trace (vidur's splitwise_conv.csv, requests with
prompt + output <= 4096 tokens, vidur's own limit) at their own timestamps on one replica of
Llama-3-8B on one A100, with vLLM and Sarathi (chunk 512). Reports simulated requests per
CPU-second of the simulation loop (vidur's predictor training/loading excluded) and latency
percentiles from each simulator's own metrics.

    .venv/bin/python benchmarks/llm_vs_vidur.py [--requests 1857]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from outputs import result_path
from schedlab.llm.catalog import get_gpu, get_model
from schedlab.llm.cluster import simulate
from schedlab.llm.replica import ReplicaConfig
from schedlab.llm.traces import make_requests

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "llm" / "vidur"
VENV = ROOT / ".bench-venvs" / "vidur"
WORK = ROOT / ".bench-venvs" / "vidur-work"


def ensure_vidur() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "vidur==0.0.26"], check=True)
    return python


def load_requests(n: int):
    rows = []
    with open(SHARED / "splitwise_conv.csv") as f:
        for r in csv.DictReader(f):
            p, d = int(r["num_prefill_tokens"]), int(r["num_decode_tokens"])
            if p + d <= 4096:
                rows.append((float(r["arrived_at"]), p, d))
            if len(rows) == n:
                break
    return rows


def run_vidur(python: Path, policy: str, trace: Path) -> dict:
    args = [
        "--replica_config_device",
        "a100",
        "--replica_config_network_device",
        "a100_dgx",
        "--replica_config_model_name",
        "meta-llama/Llama-3-8B",
        "--cluster_config_num_replicas",
        "1",
        "--replica_config_tensor_parallel_size",
        "1",
        "--replica_config_num_pipeline_stages",
        "1",
        "--replica_scheduler_config_type",
        policy,
        "--request_generator_config_type",
        "trace_replay",
        "--trace_request_generator_config_trace_file",
        str(trace),
        "--trace_request_generator_config_prefill_scale_factor",
        "1",
        "--trace_request_generator_config_time_scale_factor",
        "1",
        "--random_forrest_execution_time_predictor_config_model_profiling_dataset",
        "vidur-local/llama-3-8b-a100",
        "--random_forrest_execution_time_predictor_config_network_profiling_dataset",
        "vidur-local/a100-dgx",
        "--random_forrest_execution_time_predictor_config_cache_dir",
        str(WORK / "cache"),
        "--no-metrics_config_write_json_trace",
        "--vllm_scheduler_config_batch_size_cap",
        "128",
        "--sarathi_scheduler_config_batch_size_cap",
        "128",
        "--sarathi_scheduler_config_chunk_size",
        "512",
    ]
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    out = subprocess.run(
        [str(python), str(ROOT / "benchmarks/peers/vidur_runner.py"), str(WORK / f"out-{policy}"), "--", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=WORK,
        check=False,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if out.returncode or not lines:
        raise RuntimeError(f"vidur failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def run_schedlab(rows, policy: str, repeats: int = 3) -> dict:
    options = {"token_budget": 512} if policy == "sarathi" else {}
    best = None
    for _ in range(repeats):
        reqs = make_requests([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        t = time.process_time()
        res = simulate(
            reqs,
            get_model("llama-3-8b"),
            get_gpu("a100"),
            policy,
            policy_options=options,
            config=ReplicaConfig(max_num_seqs=128),
            keep_samples=True,
        )
        cpu = time.process_time() - t
        best = cpu if best is None else min(best, cpu)
    m = res.metrics
    tpot = np.array(res.serving.samples["tpot"])
    out = {"requests": m["finished"], "loop_cpu_s": best}
    for q in (50, 90, 99):
        out[f"ttft.p{q}"] = m[f"ttft.p{q}"]
        out[f"tbt.p{q}"] = m[f"tbt.p{q}"]
        out[f"tpot.p{q}"] = float(np.percentile(tpot, q))
    out["e2e.p50"] = m["e2e.p50"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1857)
    parser.add_argument("--overwrite", action="store_true", help="let a run with other --requests replace the record")
    args = parser.parse_args()
    subset = args.requests != 1857
    md_path = result_path("llm_vs_vidur", ".md", subset=subset, overwrite=args.overwrite)
    python = ensure_vidur()
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/peers/vidur_setup.py"), str(WORK / "cache"), "llama-3-8b", "a100"], check=True
    )
    rows = load_requests(args.requests)
    trace = WORK / "trace.csv"
    trace.write_text(
        "Date,Time,PromptTokenCount,CompletionTokenCount\n" + "".join(f"2023-08-21,{t},{p},{d}\n" for t, p, d in rows)
    )
    results = []
    for policy in ("vllm", "sarathi"):
        v = run_vidur(python, policy, trace)
        s = run_schedlab(rows, policy)
        results.append((policy, v, s))
    lines = [
        "| policy | simulator | requests | loop CPU s | requests / CPU-s | TTFT p50 | TTFT p90 | TPOT p50 | TPOT p90 | E2E p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for policy, v, s in results:
        for name, r in (("vidur 0.0.26", v), ("schedlab", s)):
            lines.append(
                f"| {policy} | {name} | {r['requests']} | {r['loop_cpu_s']:.2f} | {r['requests'] / r['loop_cpu_s']:.0f} "
                f"| {r['ttft.p50'] * 1e3:.1f} ms | {r['ttft.p90'] * 1e3:.1f} ms | {r['tpot.p50'] * 1e3:.2f} ms "
                f"| {r['tpot.p90'] * 1e3:.2f} ms | {r['e2e.p50']:.2f} s |"
            )
        lines.append(
            f"| {policy} | ratio schedlab/vidur | | | {(s['requests'] / s['loop_cpu_s']) / (v['requests'] / v['loop_cpu_s']):.0f}x "
            f"| {s['ttft.p50'] / v['ttft.p50'] - 1:+.0%} | {s['ttft.p90'] / v['ttft.p90'] - 1:+.0%} "
            f"| {s['tpot.p50'] / v['tpot.p50'] - 1:+.0%} | {s['tpot.p90'] / v['tpot.p90'] - 1:+.0%} | {s['e2e.p50'] / v['e2e.p50'] - 1:+.0%} |"
        )
    report = (
        "# schedlab vs vidur: LLM serving simulation\n\n"
        f"Command: `.venv/bin/python benchmarks/llm_vs_vidur.py --requests {args.requests}`. Llama-3-8B, 1 x A100, one replica,\n"
        "Azure conv trace (vidur's splitwise_conv.csv, first requests with prompt + output <= 4096) at its own timestamps,\n"
        "block size 16, at most 128 sequences per batch, Sarathi chunk 512. MLP-side operators: vidur fits random forests\n"
        "to the raw profile rows, schedlab uses its calibrated roofline; attention: both use schedlab's attention roofline\n"
        "(vidur's attention profiles were not available, so benchmarks/peers/vidur_setup.py generated them).\n"
        "CPU-s = process time of the simulation loop only (vidur's predictor set-up excluded; schedlab best of 3).\n"
        "TPOT = per-request mean time per output token after the first (vidur: decode_time_execution_plus_preemption_normalized).\n\n"
        + "\n".join(lines)
        + "\n"
    )
    md_path.write_text(report)
    md_path.with_suffix(".json").write_text(json.dumps(results, indent=1))
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
