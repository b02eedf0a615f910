"""Pipeline parallelism in the LLM domain: the shared stages, the virtual engines, the KV split."""

from __future__ import annotations

import pytest

from schedlab.cli import main
from schedlab.core.errors import ModelError
from schedlab.llm.catalog import get_gpu, get_model
from schedlab.llm.cluster import simulate
from schedlab.llm.costmodel import CostModel
from schedlab.llm.interconnect import LinkSpec
from schedlab.llm.pipeline import Pipeline
from schedlab.llm.traces import trace_requests


def test_micro_batches_take_the_stages_first_come_first_served_golden():
    """Two stages, no hop cost: a stage holds one micro-batch at a time for half of its whole-model time."""
    pipe = Pipeline(2, LinkSpec("ideal", float("inf"), 0.0), 0.0)
    assert pipe.pass_through(0.0, 2.0, 10) == 2.0  # stage 0 [0, 1), stage 1 [1, 2)
    assert pipe.pass_through(0.0, 1.0, 10) == 2.5  # waits for stage 0 until 1, for stage 1 until 2
    assert pipe.bubble_s == 0.0
    assert pipe.pass_through(2.0, 2.0, 10) == 4.0  # stage 0 idle 1.5-2, stage 1 idle 2.5-3
    assert pipe.bubble_s == pytest.approx(1.0)


def test_stage_hop_costs_the_activation_transfer():
    link = LinkSpec("slow", 1e6, 0.001)
    pipe = Pipeline(3, link, 1000.0)
    # 100 tokens x 1000 bytes over 1 MB/s + 1 ms latency = 0.101 s per hop, two hops
    assert pipe.pass_through(0.0, 3.0, 100) == pytest.approx(3.0 + 2 * 0.101)


def test_pipelined_replica_runs_virtual_engines_with_their_share_of_the_kv_cache():
    model, gpu = get_model("falcon-180b"), get_gpu("a100")
    reqs = trace_requests("azure-conv", n=120, qps=0.5, arrivals="poisson", seed=1)
    result = simulate(reqs, model, gpu, "sarathi", tp=4, pp=2, replicas=2, dispatcher="least-outstanding",
                      policy_options={"token_budget": 512})
    m = result.metrics
    assert m["finished"] == 120 and m["rejected"] == 0 and m["replicas"] == 2
    assert len(result.replicas) == 4 and result.replicas[0].pipeline is result.replicas[1].pipeline
    assert result.replicas[1].pipeline is not result.replicas[2].pipeline
    per_engine = CostModel(model, gpu, 4, pp=2).kv_capacity_tokens() // 2 // 16
    assert m["kv_blocks_per_replica"] == per_engine
    assert {r.replica for r in result.requests} == {0, 1, 2, 3}  # every engine served some


def test_a_model_too_big_for_its_gpus_says_to_add_stages():
    with pytest.raises(ModelError, match="pipeline-parallel"):
        CostModel(get_model("falcon-180b"), get_gpu("a100"), 4).kv_capacity_tokens()
    with pytest.raises(ModelError, match="between 1 and"):
        CostModel(get_model("llama-3-8b"), get_gpu("a100"), 1, pp=64)


def test_cli_pipeline_parallel_run_and_refused_combinations(capsys):
    assert main(["simulate", "llm", "--model", "falcon-180b", "--tp", "4", "--pp", "2", "--requests", "60",
                 "--qps", "0.5", "--arrivals", "poisson"]) == 0
    assert "finished 60" in capsys.readouterr().out
    assert main(["simulate", "llm", "--pp", "2", "--layout", "splitwise", "--requests", "20"]) == 2
    assert "--pp" in capsys.readouterr().err
