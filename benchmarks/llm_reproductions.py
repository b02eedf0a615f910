"""Reproduce the serving papers' comparisons under schedlab's calibrated cost model.

Every number here is model-predicted (roofline calibrated on vidur's A100/H100 profiles, see
benchmarks/results/llm_calibration.md), not measured on GPUs; the paper's number is shown next
to ours. Workloads: Azure conv/code request lengths, Sarathi-Serve's arxiv-summarization and
openchat-sharegpt4 traces, all with Poisson arrivals (seed 0), and the CASTILLO test prompts. Also times a 100,000-request Azure conv replay on 8 replicas.

    .venv/bin/python benchmarks/llm_reproductions.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from schedlab.llm.capacity import CapacityTargets, capacity_search
from schedlab.llm.catalog import get_gpu, get_model
from schedlab.llm.cluster import simulate
from schedlab.llm.traces import trace_requests
from schedlab.llm.workloads import attach_predictions, castillo_requests

ROOT = Path(__file__).resolve().parents[1]
N = 2000
SEED = 0


def capacity(
    model: str, gpu: str, policy: str, options: dict, targets: CapacityTargets, trace: str = "azure-conv", tp: int = 1
) -> float:
    def run_at(qps: float) -> dict:
        reqs = trace_requests(trace, n=N, qps=qps, arrivals="poisson", seed=SEED)
        return simulate(reqs, get_model(model), get_gpu(gpu), policy, tp=tp, policy_options=options).metrics

    return capacity_search(run_at, targets, start_qps=0.25, rel_tol=0.02).qps


def sarathi_vs_vllm() -> list[str]:
    rows = []
    for label, targets, budget in (
        ("strict: P99 TBT <= 0.1 s, P90 TTFT <= 2 s", CapacityTargets(2.0, 0.1), 512),
        ("relaxed: P99 TBT <= 0.5 s, P90 TTFT <= 2 s", CapacityTargets(2.0, 0.5), 2048),
    ):
        v = capacity("mistral-7b", "a100", "vllm", {}, targets)
        s = capacity("mistral-7b", "a100", "sarathi", {"token_budget": budget}, targets)
        rows.append(
            f"| Mistral-7B, 1 x A100, Azure conv, {label} | vLLM {v:.2f} qps | Sarathi (budget {budget}) {s:.2f} qps "
            f"| {s / v if v else float('inf'):.2f}x | 2.6x (Sarathi-Serve, OSDI'24) |"
        )
    return rows


PAPER_SLOS = (  # (model, tp, strict P99 TBT, relaxed P99 TBT, paper's capacity gain) - Sarathi-Serve's setups on A100s
    ("mistral-7b", 1, 0.1, 0.5, "2.6x"),
    ("yi-34b", 2, 0.2, 1.0, "3.7x"),
)


def sarathi_paper_slos() -> list[str]:
    """Capacity as Sarathi-Serve defines it: P99 TBT under the SLO and median scheduling delay under 2 s."""
    rows = []
    for model, tp, strict, relaxed, paper in PAPER_SLOS:
        for trace in ("arxiv-summarization", "openchat-sharegpt4", "azure-conv"):
            for label, tbt, budget in (("strict", strict, 512), ("relaxed", relaxed, 2048)):
                targets = CapacityTargets(p99_tbt_s=tbt, p50_queue_s=2.0)
                v = capacity(model, "a100", "vllm", {}, targets, trace=trace, tp=tp)
                s = capacity(model, "a100", "sarathi", {"token_budget": budget}, targets, trace=trace, tp=tp)
                rows.append(f"| {model}, {tp} x A100 | {trace} | {label}: P99 TBT <= {tbt:g} s | {v:.2f} | {s:.2f} (budget {budget}) "
                            f"| {s / v if v else float('inf'):.2f}x | {paper} |")
    return rows


def orca_vs_static() -> list[str]:
    targets = CapacityTargets(p90_ttft_s=5.0)
    st = capacity("llama-3-8b", "a100", "static", {"batch_size": 16}, targets)
    orca = capacity("llama-3-8b", "a100", "orca", {}, targets)
    return [
        f"| Llama-3-8B, 1 x A100, Azure conv, P90 TTFT <= 5 s | static batching (16) {st:.2f} qps | Orca {orca:.2f} qps "
        f"| {orca / st if st else float('inf'):.1f}x | up to 36.9x throughput at equal latency (Orca, OSDI'22; GPT-3 175B) |"
    ]


def layered_vs_chunked() -> list[str]:
    rows = []
    model, gpu = get_model("mixtral-8x7b"), get_gpu("h100")
    for trace, qps in (("azure-code", 2.0), ("azure-conv", 4.0)):
        out = {}
        for policy in ("sarathi", "layered"):
            reqs = trace_requests(trace, n=N, qps=qps, arrivals="poisson", seed=SEED)
            out[policy] = simulate(reqs, model, gpu, policy, tp=2, policy_options={"token_budget": 512}).metrics
        c, la = out["sarathi"], out["layered"]
        rows.append(
            f"| Mixtral-8x7B, 2 x H100, {trace} at {qps} qps | TTFT p50 {c['ttft.p50']:.3f} s -> {la['ttft.p50']:.3f} s "
            f"({la['ttft.p50'] / c['ttft.p50'] - 1:+.0%}); p90 {c['ttft.p90']:.3f} -> {la['ttft.p90']:.3f} s "
            f"({la['ttft.p90'] / c['ttft.p90'] - 1:+.0%}) | E2E p50 {la['e2e.p50'] / c['e2e.p50'] - 1:+.0%} "
            f"| expert weights read per GPU {c['expert_weight_gb'] / 1e3:.0f} -> {la['expert_weight_gb'] / 1e3:.0f} TB "
            f"({la['expert_weight_gb'] / c['expert_weight_gb'] - 1:+.0%}) | TTFT -70%, E2E -41%, expert traffic -12 to -39% |"
        )
    return rows


def _layered_row(label: str, model: str, tp: int, trace: str, qps: float, skew: float = 0.0, groups: int | None = None
                 ) -> str:
    out = {}
    for policy in ("sarathi", "layered"):
        reqs = trace_requests(trace, n=N, qps=qps, arrivals="poisson", seed=SEED)
        options = {"token_budget": 512, **({"groups": groups} if groups and policy == "layered" else {})}
        out[policy] = simulate(reqs, get_model(model), get_gpu("h100"), policy, tp=tp, routing_skew=skew,
                               policy_options=options).metrics
    c, la = out["sarathi"], out["layered"]
    return (f"| {label} | {trace} | {qps:g} | {c['ttft.p50']:.3f} -> {la['ttft.p50']:.3f} s ({la['ttft.p50'] / c['ttft.p50'] - 1:+.0%}) "
            f"| {la['ttft.p90'] / c['ttft.p90'] - 1:+.0%} | {la['e2e.p50'] / c['e2e.p50'] - 1:+.0%} "
            f"| {la['tbt.p99'] / c['tbt.p99'] - 1:+.0%} | {la['expert_weight_gb'] / c['expert_weight_gb'] - 1:+.0%} |")


def layered_conditions() -> tuple[list[str], list[str], list[str]]:
    """What layered prefill's gain depends on: expert granularity, load, and routing skew."""
    rows = []
    for model, tp, label in (("qwen3-30b-a3b", 1, "Qwen3-30B-A3B (128 experts, top-8), 1 x H100"),
                             ("mixtral-8x7b", 2, "Mixtral-8x7B (8 experts, top-2), 2 x H100")):
        for trace, rates in (("azure-code", (0.5, 1.0, 2.0)), ("azure-conv", (0.5, 1.0, 2.0, 4.0))):
            rows += [_layered_row(label, model, tp, trace, qps) for qps in rates]
    skew_rows = [_layered_row(f"Mixtral-8x7B, 2 x H100, Zipf routing skew {skew:g}", "mixtral-8x7b", 2, "azure-conv", 4.0, skew)
                 for skew in (0.0, 1.0, 2.0, 3.0)]
    group_rows = [_layered_row(f"Mixtral-8x7B, 2 x H100, {g} layer groups", "mixtral-8x7b", 2, "azure-conv", 4.0, groups=g)
                  for g in (2, 4, 8, 16)]
    return rows, skew_rows, group_rows


def length_aware() -> list[str]:
    rows = []
    for qps in (16.0, 20.0):
        out = {}
        for label, policy, predictor in (("FCFS (Sarathi)", "sarathi", "none"), ("SJF, CASTILLO predictor", "sjf", "castillo"),
                                         ("SJF, oracle", "sjf", "oracle"), ("SRPT, CASTILLO predictor", "srpt", "castillo")):
            reqs = castillo_requests("llama-3-8b", N, qps=qps, seed=SEED)
            attach_predictions(reqs, predictor)
            out[label] = simulate(reqs, get_model("llama-3-8b"), get_gpu("a100"), policy).metrics
        base = out["FCFS (Sarathi)"]
        for label, m in out.items():
            rows.append(f"| {qps:g} | {label} | {m['e2e.mean']:.1f} s ({m['e2e.mean'] / base['e2e.mean'] - 1:+.0%}) "
                        f"| {m['e2e.p50']:.1f} s ({m['e2e.p50'] / base['e2e.p50'] - 1:+.0%}) | {m['ttft.p50']:.2f} s | {m['ttft.p99']:.1f} s "
                        f"| {m['preemptions']} |")
    return rows


def big_replay() -> str:
    code = (
        "import json,resource,time,sys;from schedlab.cli import main;t=time.time();"
        "rc=main(['simulate','llm','--trace','azure-conv','--requests','100000','--replicas','8','--policy','sarathi',"
        "'--dispatch','least-outstanding','--out','/tmp/schedlab_100k.json']);"
        "print(json.dumps({'rc':rc,'wall_s':time.time()-t,'maxrss_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    m = json.loads(Path("/tmp/schedlab_100k.json").read_text())["metrics"]
    return (
        f"100,000 requests (Azure conv tiled 5.2 times at its own timestamps, 5.4 qps overall), Llama-3-8B on 8 x 1 A100 replicas, "
        f"Sarathi, least-outstanding dispatch: {r['wall_s']:.1f} s wall, peak RSS {r['maxrss_mb']:.0f} MB, "
        f"{m['finished']} finished, {m['rejected']} rejected, TTFT p50 {m['ttft.p50'] * 1e3:.0f} ms (target: <= 60 s and <= 2 GB)"
    )


def main() -> int:
    t = time.time()
    conditions = layered_conditions()
    sections = [
        "# LLM serving: paper comparisons reproduced under the cost model\n",
        "Command: `.venv/bin/python benchmarks/llm_reproductions.py`. All latencies are predicted by schedlab's cost model\n"
        f"(no GPU here); {N} requests per run, Poisson arrivals, seed {SEED}. Capacity = highest Poisson rate meeting the targets\n"
        "(doubling then bisection to 2%).\n",
        "## Sarathi-Serve vs vLLM: serving capacity under a P99 TBT SLO\n",
        "| setting | baseline | policy | ours | paper |\n|---|---|---|---:|---|",
        *sarathi_vs_vllm(),
        "\n### With the paper's SLO definition and traces (issue 16, item 3)\n",
        "Sarathi-Serve's capacity is the highest load at which P99 TBT meets the SLO and the median scheduling delay\n"
        "(arrival to first scheduled iteration) stays under 2 s; the table above used P90 TTFT instead, which counts a\n"
        "long prompt's own prefill time against the policy and hides the scheduling delay that vLLM's prefill-first\n"
        "batching causes. arxiv-summarization and openchat-sharegpt4 are the paper's two traces (request lengths from\n"
        "vidur's and sarathi-serve's processed traces; their medians match the paper's Table 2: 7,059 and 1,730 prompt\n"
        "tokens), with Poisson arrivals; Azure conv is kept beside them as a third, production chat trace. SLO values as\n"
        "recalled from the paper's setup table (strict 0.1 s / relaxed 0.5 s for Mistral-7B, 0.2 s / 1.0 s for Yi-34B),\n"
        "not re-checked (the paper's rule, 5x and 25x one decode iteration, gives the same values:\n"
        "benchmarks/results/llm_pipeline.md, which also has Falcon-180B with pipeline parallelism). Result: under the\n"
        "strict SLOs Sarathi's gain is 2.1-3.6x for Mistral-7B (paper 2.6x) and 2.5-6.3x for Yi-34B TP2 (paper 3.7x);\n"
        "on the paper's own chat trace it is 2.14x and 2.54x, below the headline figures, and on its long-prompt trace\n"
        "3.55x and 4.04x, above them. Under the relaxed SLOs the gain is 1.2-1.6x on every trace (1.17x and 1.18x on\n"
        "openchat-sharegpt4), well below the paper's figures. The cause is throughput, not stalls: with a 0.5 s SLO,\n"
        "vLLM's P99 TBT reaches the limit (0.49 s, Mistral-7B on openchat at 2.72 qps) only close to the load at which\n"
        "any policy's queue grows without bound (Sarathi's median scheduling delay is 1.3 s at 3.19 qps and 28 s at\n"
        "3.51 qps, with its own P99 TBT at 0.2 s), so the capacity gain is capped at the GPU's spare throughput. The\n"
        "paper's headline figures are maxima over its settings; which trace and SLO each comes from was not re-checked.\n",
        "| setting | trace | SLO | vLLM qps | Sarathi qps | ours | paper |\n|---|---|---|---:|---:|---:|---|",
        *sarathi_paper_slos(),
        "\n## Orca vs static batching\n",
        "| setting | baseline | policy | ours | paper |\n|---|---|---|---:|---|",
        *orca_vs_static(),
        "\n## Layered prefill vs chunked prefill on an MoE model (token budget 512)\n",
        "Expert weights: bytes of expert matrices read from HBM per GPU over the run (expected distinct experts per layer\n"
        "for the tokens each layer sees, uniform top-2 routing). Layered prefill saves expert reads only when the decode batch\n"
        "alone would not touch every expert, i.e. at light load; on conv at 4 qps the decode batches already read all 8.\n",
        "| setting | TTFT | E2E | expert weights loaded | paper |\n|---|---|---|---|---|",
        *layered_vs_chunked(),
        "\n### What the gain depends on (issue 16, item 4)\n",
        "Chunked prefill re-reads, for every 512-token chunk, each expert that the chunk's tokens route to; layered prefill\n"
        "reads them once per prompt. The saving is only what the decode batch would not have read anyway, so it depends on\n"
        "(1) expert granularity: with 8 experts and top-2 routing a decode batch of 16 tokens already touches 7.9 experts,\n"
        "while with 128 fine-grained experts and top-8 (Qwen3-30B-A3B) a 32-token decode batch touches 112 and every chunk\n"
        "all 128; (2) load: light load means small decode batches (Mixtral on conv: -38% TTFT at 0.5 qps, +12% at 4 qps,\n"
        "where the cohort rule - new prompts wait for the running cohort's layer groups - costs more than the reads save);\n"
        "(3) prompt length relative to the decode work (code traces: long prompts, short outputs, gain at every load).\n"
        "Routing skew (Zipf popularity of experts) shrinks what a decode batch touches but barely moves the Mixtral conv\n"
        "result until the skew is extreme (3). The paper's -70% TTFT / -41% E2E is reached here with a fine-grained MoE on\n"
        "code traffic (-74% / -67% at 0.5 qps), not with Mixtral on conversations. Qwen3 on conv at 4 qps is past capacity\n"
        "(chunked's queue grows; both TTFTs are queueing). Layered vs chunked (token budget 512), change relative to chunked:\n",
        "| model | trace | qps | TTFT p50 | TTFT p90 | E2E p50 | TBT p99 | expert weights read |\n|---|---|---:|---|---:|---:|---:|---:|",
        *conditions[0],
        "\nRouting skew sweep (Mixtral, conv at 4 qps):\n",
        "| setting | trace | qps | TTFT p50 | TTFT p90 | E2E p50 | TBT p99 | expert weights read |\n|---|---|---:|---|---:|---:|---:|---:|",
        *conditions[1],
        "\nLayer-group count (Mixtral, conv at 4 qps; the default above is cohort tokens / token budget, so that an\n"
        "iteration carries a chunk's worth of prompt work): fewer groups finish prompts sooner but make the iterations that\n"
        "carry them longer, a TTFT-TBT trade-off, not a free gain:\n",
        "| setting | trace | qps | TTFT p50 | TTFT p90 | E2E p50 | TBT p99 | expert weights read |\n|---|---|---:|---|---:|---:|---:|---:|",
        *conditions[2],
        "\n## Length-aware scheduling (SJF/SRPT with the CASTILLO predictor vs an oracle vs FCFS)\n",
        "Llama-3-8B on 1 x A100, CASTILLO test prompts of Llama-3.1-8B-Instruct with one sampled output length each,\n"
        "token budget 512, starvation guard 30 s, at most 256 running sequences. Paper (LTR, learning to rank): up to 2.8x\n"
        "lower mean latency for chatbot serving. At 3-12 qps nothing queues on this setup, so every order gives the same result.\n",
        "| qps | policy | E2E mean | E2E p50 | TTFT p50 | TTFT p99 | preemptions |\n|---:|---|---:|---:|---:|---:|---:|",
        *length_aware(),
        "\n## Large replay\n",
        big_replay(),
        f"\n\nTotal benchmark wall time: {time.time() - t:.0f} s.\n",
    ]
    report = "\n".join(sections)
    (ROOT / "benchmarks/results/llm_reproductions.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
