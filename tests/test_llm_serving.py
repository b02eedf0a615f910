"""LLM serving simulator: exact timings on tiny cases, accounting, policies, bad input."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from schedlab.cli import main
from schedlab.core.errors import ModelError, ParseError, UnknownNameError
from schedlab.llm.batch import Batch
from schedlab.llm.capacity import CapacityTargets, capacity_search
from schedlab.llm.catalog import MODELS, get_gpu, get_model
from schedlab.llm.cluster import simulate
from schedlab.llm.costmodel import CostModel, prefill_chunk_work
from schedlab.llm.policies import POLICIES, ReplicaPolicy
from schedlab.llm.predictor import bundled_predictor
from schedlab.llm.replica import ReplicaConfig
from schedlab.llm.traces import make_requests, parse_trace, trace_requests
from schedlab.llm.workloads import attach_predictions, castillo_requests
from schedlab.sim.policy import IllegalDecisionError

MODEL, GPU = get_model("llama-3-8b"), get_gpu("a100")


def closes(m: dict) -> bool:
    return m["arrived"] == m["finished"] + m["rejected"] + m["running"] + m["waiting"]


def test_catalog_sizes_match_published_parameter_counts():
    assert abs(MODELS["llama-2-7b"].total_params / 1e9 - 6.74) < 0.05
    assert abs(MODELS["llama-3-70b"].total_params / 1e9 - 70.6) < 0.2
    mixtral = MODELS["mixtral-8x7b"]
    assert abs(mixtral.total_params / 1e9 - 46.7) < 0.2 and abs(mixtral.active_params / 1e9 - 12.9) < 0.2
    assert MODELS["llama-3-8b"].kv_bytes_per_token == 128 * 1024
    with pytest.raises(UnknownNameError, match="llama-3-8b"):
        get_model("gpt-9")


def test_cost_model_follows_the_roofline():
    cost = CostModel(MODEL, GPU)
    weights = MODEL.total_params * 2
    decode_one = cost.time_of(1, 1000, 0, 0.0, 0)
    assert weights / GPU.hbm_bandwidth < decode_one < 2 * weights / GPU.hbm_bandwidth  # memory-bound
    prefill = cost.time_of(0, 0, 4096, prefill_chunk_work(0, 4096), 1)
    flops = 2 * MODEL.active_params * 4096
    assert flops / GPU.peak_flops < prefill < 2.5 * flops / GPU.peak_flops  # compute-bound
    assert cost.time_of(64, 64_000, 0, 0.0, 0) < 2 * decode_one  # batching decodes is nearly free
    tp2 = CostModel(get_model("llama-3-70b"), GPU, tp=2)
    with pytest.raises(ModelError, match="tensor-parallel"):
        CostModel(get_model("llama-3-70b"), GPU, tp=1).kv_capacity_tokens()
    assert tp2.kv_capacity_tokens() > 0


def test_single_request_timeline_is_exact():
    """One request on an idle replica: TTFT = prefill time, then one decode step per token."""
    cost = CostModel(MODEL, GPU)
    prompt, output = 100, 4
    res = simulate(make_requests([0.0], [prompt], [output]), MODEL, GPU, "vllm")
    req = res.requests[0]
    ttft = cost.time_of(0, 0, prompt, prefill_chunk_work(0, prompt), 1)
    assert math.isclose(req.first_token, ttft, rel_tol=1e-12)
    expected = ttft
    for step in range(output - 1):
        expected += cost.time_of(1, prompt + step + 1, 0, 0.0, 0)
    assert math.isclose(req.finish, expected, rel_tol=1e-12)
    assert res.metrics["finished"] == 1 and math.isclose(res.metrics["tpot.p50"], (expected - ttft) / 3, rel_tol=0.02)


def test_vllm_prefill_stalls_decodes_and_sarathi_does_not():
    cost = CostModel(MODEL, GPU)
    reqs = lambda: make_requests([0.0, 0.05], [50, 3000], [50, 5])  # noqa: E731
    vllm = simulate(reqs(), MODEL, GPU, "vllm", keep_samples=True)
    sarathi = simulate(reqs(), MODEL, GPU, "sarathi", policy_options={"token_budget": 256}, keep_samples=True)
    prefill_3000 = cost.time_of(0, 0, 3000, prefill_chunk_work(0, 3000), 1)
    assert vllm.metrics["tbt.max"] >= prefill_3000  # the first request waited a whole prefill for a token
    assert sarathi.metrics["tbt.max"] < prefill_3000 / 3
    for res in (vllm, sarathi):
        assert res.metrics["finished"] == 2 and closes(res.metrics)


@pytest.mark.parametrize("policy", POLICIES.names())
def test_every_policy_serves_a_trace_and_accounting_closes(policy):
    reqs = trace_requests("azure-code", n=300, qps=2.0)
    attach_predictions(reqs, "oracle")
    res = simulate(reqs, MODEL, GPU, policy, replicas=2, dispatcher="least-outstanding")
    m = res.metrics
    assert m["arrived"] == 300 and closes(m)
    assert m["finished"] + m["rejected"] == 300
    for r in res.requests:
        if not math.isnan(r.finish):
            assert r.arrival <= r.first_scheduled <= r.first_token <= r.finish


def test_preemption_under_memory_pressure_finishes_everything_and_returns_blocks():
    reqs = make_requests([0.01 * i for i in range(40)], [200] * 40, [300] * 40)
    for mode in ("recompute", "swap"):
        config = ReplicaConfig(num_blocks=400, preemption=mode)
        res = simulate(make_requests([r.arrival for r in reqs], [200] * 40, [300] * 40), MODEL, GPU, "vllm", config=config)
        assert res.metrics["preemptions"] > 0, mode
        assert res.metrics["finished"] == 40 and closes(res.metrics)
        assert all(r.generated == r.output_tokens for r in res.requests)


def test_request_that_can_never_fit_is_rejected_not_dropped():
    config = ReplicaConfig(num_blocks=50)
    res = simulate(make_requests([0.0, 0.1], [100, 5000], [10, 10]), MODEL, GPU, "sarathi", config=config)
    assert res.metrics["rejected"] == 1 and res.metrics["finished"] == 1 and closes(res.metrics)
    assert "KV" in res.requests[1].extra["reject_reason"]


def test_illegal_decisions_raise():
    class Greedy(ReplicaPolicy):
        name = "greedy"

        def decide(self, replica):
            return Batch(prefills=[(r, r.prompt_tokens + 5) for r in replica.waiting])

    with pytest.raises(IllegalDecisionError, match="chunk"):
        simulate(make_requests([0.0], [10], [2]), MODEL, GPU, Greedy)


def test_same_seed_same_metrics_and_cluster_dispatchers_differ():
    a = simulate(trace_requests("azure-conv", n=400, qps=6, arrivals="poisson", seed=3), MODEL, GPU, "sarathi").metrics
    b = simulate(trace_requests("azure-conv", n=400, qps=6, arrivals="poisson", seed=3), MODEL, GPU, "sarathi").metrics
    assert a == b
    rr = simulate(trace_requests("azure-conv", n=400, qps=12), MODEL, GPU, "sarathi", replicas=3, dispatcher="round-robin")
    kv = simulate(trace_requests("azure-conv", n=400, qps=12), MODEL, GPU, "sarathi", replicas=3, dispatcher="least-kv")
    assert closes(rr.metrics) and closes(kv.metrics)
    assert {r.replica for r in rr.requests} == {0, 1, 2}


def test_layered_prefill_loads_fewer_expert_weights_than_chunked_prefill():
    mixtral = get_model("mixtral-8x7b")
    reqs = lambda: trace_requests("azure-code", n=150, qps=1.0)  # noqa: E731
    chunked = simulate(reqs(), mixtral, get_gpu("h100"), "sarathi", tp=2).metrics
    layered = simulate(reqs(), mixtral, get_gpu("h100"), "layered", tp=2).metrics
    assert layered["expert_weight_gb"] < chunked["expert_weight_gb"]


def test_trace_errors_name_file_and_line():
    with pytest.raises(ParseError, match="t.csv:1"):
        parse_trace("a,b\n1,2\n", "t.csv")
    with pytest.raises(ParseError, match="t.csv:3: a positive token count"):
        parse_trace("TIMESTAMP,ContextTokens,GeneratedTokens\n0.0,5,5\n1.0,-3,5\n", "t.csv")
    with pytest.raises(ParseError, match="t.csv:3: non-decreasing"):
        parse_trace("TIMESTAMP,ContextTokens,GeneratedTokens\n5.0,5,5\n1.0,3,5\n", "t.csv")
    t, p, o = parse_trace(
        "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n",
        "t.csv",
    )
    assert abs(t[1] - 4.314579) < 1e-5 and list(p) == [374, 396] and list(o) == [44, 109]


def test_capacity_search_finds_the_threshold():
    fake = lambda q: {"finished": 10, "rejected": 0, "arrived": 10, "ttft.p90": q / 10, "tbt.p99": 0.0}  # noqa: E731
    result = capacity_search(fake, CapacityTargets(p90_ttft_s=0.37), start_qps=1.0, rel_tol=0.01)
    assert 3.6 <= result.qps <= 3.7


def test_predictor_ranks_castillo_test_prompts():
    reqs = castillo_requests("llama-3-8b", 400, qps=1.0, seed=0)
    model = bundled_predictor()
    preds = [model.predict(r.text, r.prompt_tokens, r.model_name, r.dataset) for r in reqs]
    assert all(p > 0 for p in preds)
    import numpy as np

    rho = np.corrcoef(np.argsort(np.argsort(preds)), np.argsort(np.argsort([r.output_tokens for r in reqs])))[0, 1]
    assert rho > 0.3


def test_cli_simulate_writes_metrics_and_trace(tmp_path, capsys):
    out, trace = tmp_path / "m.json", tmp_path / "t.json"
    rc = main(
        [
            "simulate",
            "llm",
            "--model",
            "llama-3-8b",
            "--gpu",
            "a100",
            "--policy",
            "sarathi",
            "--trace",
            "azure-conv",
            "--qps",
            "5",
            "--requests",
            "200",
            "--seed",
            "0",
            "--out",
            str(out),
            "--chrome-trace",
            str(trace),
        ]
    )
    assert rc == 0
    m = json.loads(out.read_text())["metrics"]
    assert m["arrived"] == 200 and closes(m)
    for key in ("ttft.p50", "ttft.p90", "ttft.p99", "tbt.p50", "tbt.p99", "tpot.p50", "e2e.p99", "queue.p90"):
        assert m[key] >= 0
    events = json.loads(trace.read_text())["traceEvents"]
    spans = [e for e in events if e["ph"] == "X"]
    assert spans and {e["name"] for e in spans} <= {"prefill", "decode", "mixed"}
    assert all(e["dur"] > 0 for e in spans) and any(e["ph"] == "C" for e in events)


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    assert main(["simulate", "llm", "--policy", "fifo-magic"]) == 2
    err = capsys.readouterr().err
    assert "known: " in err and "layered, orca, sarathi" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("TIMESTAMP,ContextTokens\n1,2\n")
    assert main(["simulate", "llm", "--trace", str(bad)]) == 2
    assert f"{bad}:1" in capsys.readouterr().err


def test_layered_prefill_serves_a_long_prompt_while_decodes_run():
    reqs = make_requests([0.0] * 5 + [0.1], [50] * 5 + [3000], [500] * 5 + [5])
    res = simulate(reqs, MODEL, GPU, "layered", policy_options={"token_budget": 512, "max_cohort_tokens": 512})
    long = res.requests[-1]
    assert long.first_token - long.arrival < 1.0  # not held back until the running decodes drain
    assert res.metrics["finished"] == 6 and closes(res.metrics)


def test_cli_capacity_reports_a_rate(tmp_path, capsys):
    out = tmp_path / "cap.json"
    rc = main(
        [
            "capacity",
            "llm",
            "--model",
            "llama-3-8b",
            "--policy",
            "sarathi",
            "--trace",
            "azure-code",
            "--arrivals",
            "poisson",
            "--requests",
            "150",
            "--ttft-p90",
            "1.0",
            "--tbt-p99",
            "0.2",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    data = json.loads(out.read_text())
    passing = [p["qps"] for p in data["probes"] if p["meets"]]
    failing = [p["qps"] for p in data["probes"] if not p["meets"]]
    assert data["capacity_qps"] == max(passing) and failing and min(failing) > data["capacity_qps"]


def test_expert_pick_probabilities_uniform_skewed_and_capped():
    from schedlab.llm.costmodel import expert_pick_probabilities

    assert np.allclose(expert_pick_probabilities(8, 2, 0.0), 0.25)
    assert np.allclose(expert_pick_probabilities(2, 1, 1.0), [2 / 3, 1 / 3])  # Zipf(1) popularity 1 : 1/2
    capped = expert_pick_probabilities(8, 2, 2.0)
    assert capped[0] == 1.0 and np.isclose(capped.sum(), 2.0) and np.all(np.diff(capped) <= 0)


def test_experts_touched_by_a_batch_uniform_and_skewed():
    from schedlab.llm.catalog import ModelSpec

    mixtral = CostModel(get_model("mixtral-8x7b"), get_gpu("h100"), 2)
    for tokens in (1, 3, 16):
        assert mixtral.experts_touched(tokens) == pytest.approx(8 * (1 - (1 - 2 / 8) ** tokens))
    toy = ModelSpec("toy-moe", 2, 256, 4, 4, 512, 1000, experts=2, active_experts=1)
    skewed = CostModel(toy, get_gpu("h100"), routing_skew=1.0)
    # two tokens, expert picks 2/3 and 1/3: (1 - (1/3)^2) + (1 - (2/3)^2) = 13/9 distinct experts expected
    assert skewed.experts_touched(2) == pytest.approx(13 / 9)
    assert skewed.experts_touched(2) < CostModel(toy, get_gpu("h100")).experts_touched(2) == pytest.approx(1.5)


def test_fine_grained_moe_model_shape():
    qwen = get_model("qwen3-30b-a3b")
    assert qwen.head_dim == 128 and qwen.kv_bytes_per_token == 2 * 48 * 4 * 128 * 2
    assert 29e9 < qwen.total_params < 32e9 and 3e9 < qwen.active_params < 3.6e9


def test_bundled_arxiv_summarization_trace():
    from schedlab.llm.traces import load_trace

    offsets, prompts, outputs = load_trace("arxiv-summarization")
    assert len(offsets) == 28257 and offsets[1] - offsets[0] == 1.0
    assert prompts.min() >= 1 and outputs.min() >= 1 and prompts.mean() > 5 * outputs.mean()  # 2,588 vs 291 tokens


def test_bundled_openchat_sharegpt4_trace_matches_the_papers_table():
    from schedlab.llm.traces import load_trace

    offsets, prompts, outputs = load_trace("openchat-sharegpt4")
    assert len(offsets) == 30731 and offsets[1] - offsets[0] == 1.0
    # Sarathi-Serve, Table 2: prompt tokens median 1730, P90 5696; output tokens median 415
    assert np.sort(prompts)[len(prompts) // 2] == 1730 and np.sort(prompts)[int(0.9 * len(prompts))] == 5696
    assert np.sort(outputs)[len(outputs) // 2] == 415 and (prompts + outputs).max() <= 8192  # "8k filtered"


def test_capacity_targets_include_the_median_scheduling_delay():
    metrics = {"finished": 10, "rejected": 0, "arrived": 10, "ttft.p90": 1.0, "tbt.p99": 0.05, "queue.p50": 2.5}
    assert CapacityTargets(p99_tbt_s=0.1).met(metrics)
    assert not CapacityTargets(p99_tbt_s=0.1, p50_queue_s=2.0).met(metrics)
    assert CapacityTargets(p99_tbt_s=0.1, p50_queue_s=3.0).met(metrics)
