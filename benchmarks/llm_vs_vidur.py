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
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from outputs import result_path
from schedlab.llm.catalog import get_gpu, get_model
from schedlab.llm.cluster import simulate
from schedlab.llm.costmodel import CostModel
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
    out_dir = tempfile.mkdtemp(prefix=f"out-{policy}-", dir=WORK)  # a fresh folder: the runner reads the only metrics in it
    out = subprocess.run(
        [str(python), str(ROOT / "benchmarks/peers/vidur_runner.py"), out_dir, "--", *args],
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


def run_schedlab(rows, policy: str, repeats: int = 3, lm_head: bool = True) -> dict:
    """schedlab on `rows`; `lm_head=False` is the ablation that drops the LM-head GEMM, a term vidur does not model."""
    if not lm_head:
        with without_lm_head():
            return run_schedlab(rows, policy, repeats)
    options = {"token_budget": 512} if policy == "sarathi" else {"max_prefill_tokens": 4096}
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


@contextmanager
def without_lm_head():
    original = CostModel._lm_head
    CostModel._lm_head = lambda self, sequences: np.zeros(np.shape(sequences))
    try:
        yield
    finally:
        CostModel._lm_head = original


def bursty(rows, cv: float = 2.0, seed: int = 0):
    """The same requests (token counts) with Gamma inter-arrival gaps of the trace's mean rate and coefficient of
    variation `cv` (CV^2 = 4 for cv = 2: bursts well beyond Poisson's CV^2 = 1)."""
    from schedlab.sim.workload import gamma_arrivals

    rate = (len(rows) - 1) / (rows[-1][0] - rows[0][0])
    times = gamma_arrivals(rate, cv, len(rows), seed) - 0.0
    return [(float(t - times[0]), p, d) for t, (_, p, d) in zip(times, rows, strict=True)]


def compare(python: Path, name: str, rows) -> tuple[list[str], list]:
    trace = WORK / f"trace-{name}.csv"
    trace.write_text(
        "Date,Time,PromptTokenCount,CompletionTokenCount\n" + "".join(f"2023-08-21,{t},{p},{d}\n" for t, p, d in rows)
    )
    results = []
    for policy in ("vllm", "sarathi"):
        results.append(
            (policy, run_vidur(python, policy, trace), run_schedlab(rows, policy), run_schedlab(rows, policy, 1, lm_head=False))
        )
    lines = [
        "| policy | simulator | requests | loop CPU s | requests / CPU-s | TTFT p50 | TTFT p90 | TPOT p50 | TPOT p90 | E2E p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for policy, v, s, ablated in results:
        for label, r in (("vidur 0.0.26", v), ("schedlab", s)):
            lines.append(
                f"| {policy} | {label} | {r['requests']} | {r['loop_cpu_s']:.2f} | {r['requests'] / r['loop_cpu_s']:.0f} "
                f"| {r['ttft.p50'] * 1e3:.1f} ms | {r['ttft.p90'] * 1e3:.1f} ms | {r['tpot.p50'] * 1e3:.2f} ms "
                f"| {r['tpot.p90'] * 1e3:.2f} ms | {r['e2e.p50']:.2f} s |"
            )
        for label, r, speed in (
            ("ratio schedlab/vidur", s, f"{(s['requests'] / s['loop_cpu_s']) / (v['requests'] / v['loop_cpu_s']):.0f}x"),
            ("ratio, schedlab without LM head", ablated, ""),
        ):
            lines.append(
                f"| {policy} | {label} | | | {speed} "
                f"| {r['ttft.p50'] / v['ttft.p50'] - 1:+.0%} | {r['ttft.p90'] / v['ttft.p90'] - 1:+.0%} "
                f"| {r['tpot.p50'] / v['tpot.p50'] - 1:+.0%} | {r['tpot.p90'] / v['tpot.p90'] - 1:+.0%} "
                f"| {r['e2e.p50'] / v['e2e.p50'] - 1:+.0%} |"
            )
    return lines, results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1857, help="requests of the Azure conv trace at its own timestamps")
    parser.add_argument("--bursty-requests", type=int, default=2843, help="requests replayed with Gamma arrivals (CV 2)")
    parser.add_argument("--overwrite", action="store_true", help="let a run with other request counts replace the record")
    args = parser.parse_args()
    subset = args.requests != 1857 or args.bursty_requests != 2843
    md_path = result_path("llm_vs_vidur", ".md", subset=subset, overwrite=args.overwrite)
    python = ensure_vidur()
    WORK.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/peers/vidur_setup.py"), str(WORK / "cache"), "llama-3-8b", "a100"], check=True
    )
    conv_lines, conv = compare(python, "conv", load_requests(args.requests))
    bursty_lines, burst = compare(python, "bursty", bursty(load_requests(args.bursty_requests)))
    report = (
        "# schedlab vs vidur: LLM serving simulation\n\n"
        f"Command: `.venv/bin/python benchmarks/llm_vs_vidur.py --requests {args.requests} --bursty-requests "
        f"{args.bursty_requests}`. Llama-3-8B, 1 x A100, one replica,\n"
        "block size 16, at most 128 sequences per batch, Sarathi chunk 512, vLLM prefill batches of at most 4096 tokens\n"
        "(vidur's max_tokens_in_batch default). MLP-side operators: vidur fits random forests\n"
        "to the raw profile rows, schedlab interpolates the same profiles' per-layer medians (its roofline only outside\n"
        "them); attention: both use schedlab's attention roofline (vidur's attention profiles were not available, so\n"
        "benchmarks/peers/vidur_setup.py generated them).\n"
        "CPU-s = process time of the simulation loop only (vidur's predictor set-up excluded; schedlab best of 3).\n"
        "TPOT = per-request mean time per output token after the first (vidur: decode_time_execution_plus_preemption_normalized).\n\n"
        f"## Azure conv trace at its own timestamps (vidur's splitwise_conv.csv, first {args.requests} requests with "
        "prompt + output <= 4096)\n\n" + "\n".join(conv_lines) + "\n\n"
        f"## A bursty trace: the first {args.bursty_requests} of those requests, Gamma arrivals at the trace's mean rate, "
        "CV 2 (CV^2 = 4), seed 0\n\n" + "\n".join(bursty_lines) + "\n\n" + WHY + "\n"
    )
    md_path.write_text(report)
    md_path.with_suffix(".json").write_text(json.dumps({"conv": [r[:3] for r in conv], "bursty": [r[:3] for r in burst]}, indent=1))
    print(report)
    return 0


WHY = """## Where Sarathi disagreed, and why

Before this comparison the two simulators agreed on vLLM within 5% but schedlab's Sarathi was 9-21% slower (TTFT,
TPOT, E2E; Azure conv and a bursty trace). Single requests isolate it: one 512-token prompt (one chunk) took 40.3 ms in
schedlab and 35.8 ms in vidur, one 2048-token prompt as four 512-token chunks 162.9 vs 146.3 ms, while the same prompt
in one piece (vLLM) was 147.6 vs 157.9 ms. The cause is not the chunk's attention over its prefix, the batching of chunks
with decodes or the last chunk's rounding: it is the linear operators at 256-512 tokens per batch, where schedlab's
smooth roofline fit was 11-14% above the measured A100 profile of Llama-3-8B (the measured GEMMs are more efficient in
that range than the fit's single efficiency curve allows), and every Sarathi iteration carries about 512 tokens.
schedlab now interpolates the measured per-layer medians wherever the profile covers the model, GPU and TP degree
(`tools/calibrate_llm.py` writes them, `src/schedlab/llm/data/layer_profiles.json.gz`), and keeps the fitted roofline
beyond the profiled token counts and for other models and GPUs.

Known modelling differences that remain (they affect both policies). vidur's iteration time
(`vidur/entities/execution_time.py`) has no LM-head or embedding term, while schedlab charges the LM head's GEMM over
the 128k-token vocabulary for every sampled sequence: 0.65 ms per iteration for Llama-3-8B on an A100, 4-5% of a
decode iteration of 16-32 sequences, which is most of schedlab's +5-8% TPOT and E2E (a real server runs that GEMM, so
schedlab keeps it); the `without LM head` rows rerun schedlab with that one term removed and land within 2% of vidur on
TPOT and E2E. vLLM's bursty TTFT P90 was +12% while schedlab batched up to 16,384 prompt tokens per prefill (its
default) against vidur's 4,096: under a burst a bigger prefill batch makes every prompt in it wait for the whole
batch; with the same 4,096 cap (now set here) it is -6%. vidur looks up prefill attention with the KV size
*including* the chunk being prefilled, rounded up to 256 tokens, against profiles whose KV size is the prefix before the
chunk, so it charges a prompt attention over about twice its context (a few percent of a prefill at these lengths);
vidur runs one decode iteration more per request (its prefill step emits no token) and divides a request's decode time
by all its output tokens, which lowers its TPOT for very short outputs."""


if __name__ == "__main__":
    raise SystemExit(main())
