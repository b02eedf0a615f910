"""Prefix caching, KV tiers, interconnect transfers and Llumnix dispatch/migration/auto-scaling."""

from __future__ import annotations

import gzip
import json
import math

import pytest

from schedlab.core.errors import ParseError
from schedlab.llm.catalog import get_gpu, get_model
from schedlab.llm.cluster import simulate
from schedlab.llm.interconnect import LINKS, LinkSpec, SharedLink, layerwise_transfer_delay
from schedlab.llm.llumnix import Llumnix
from schedlab.llm.prefix import KVTier
from schedlab.llm.replica import ReplicaConfig
from schedlab.llm.traces import load_trace_with_prefixes, make_requests, trace_requests
from schedlab.sim.domain import get_domain

MODEL = get_model("llama-3-8b")
GPU = get_gpu("a100")


def prefixed(times, prompts, outputs, hashes):
    reqs = make_requests(times, prompts, outputs)
    for r, h in zip(reqs, hashes, strict=True):
        r.prefix_hashes = tuple(h)
    return reqs


def closes(m: dict) -> bool:
    return m["arrived"] == m["finished"] + m["rejected"] + m["running"] + m["waiting"]


# -- interconnect ---------------------------------------------------------------------------------
def test_link_transfer_time_and_fifo_contention_by_hand():
    link = LinkSpec("t", bandwidth=10e9, latency=1e-3)
    assert link.transfer_time(20e9) == pytest.approx(2.001)
    shared = SharedLink(link)
    first = shared.send(0.0, 10e9)  # on the wire 0..1 s
    second = shared.send(0.5, 10e9)  # waits for the first: 1..2 s
    third = shared.send(5.0, 5e9)  # idle link again: 5..5.5 s
    assert (first, second, third) == pytest.approx((1.001, 2.001, 5.501))


def test_layerwise_kv_transfer_overlaps_with_compute_by_hand():
    link = LinkSpec("t", bandwidth=1e9, latency=0.0)
    # 4 layers of 0.1 s compute; 0.2 GB in all = 0.05 s per layer: the link keeps up, only the last layer shows
    assert layerwise_transfer_delay(0.4, 0.2e9, 4, link) == pytest.approx(0.05)
    # 0.8 GB = 0.2 s per layer: sends queue; the last ends at c + L*x = 0.1 + 0.8, i.e. 0.5 s after compute
    assert layerwise_transfer_delay(0.4, 0.8e9, 4, link) == pytest.approx(0.5)
    assert "infiniband-hdr" in LINKS and LINKS.get("pcie4").bandwidth == 25e9


# -- prefix caching -------------------------------------------------------------------------------
def test_prefix_hits_on_a_hand_built_trace():
    # Three prompts of 2,000 tokens: the second shares the first's three full 512-token blocks
    # (1,536 tokens), the third shares only block 0. KV pool blocks of 16 tokens: 32 per hash block.
    reqs = lambda: prefixed([0.0, 5.0, 10.0], [2000] * 3, [10] * 3,  # noqa: E731
                            [(1, 2, 3, 4), (1, 2, 3, 9), (1, 7, 8, 6)])
    config = ReplicaConfig(prefix_caching=True)
    res = simulate(reqs(), MODEL, GPU, "sarathi", config=config)
    cached = [r.cached_tokens for r in res.requests]
    assert cached == [0, 1536, 512]
    assert res.metrics["prefix_hit_rate"] == pytest.approx((1536 + 512) / 6000)
    cold = simulate(reqs(), MODEL, GPU, "sarathi")
    assert cold.metrics["prefix_hit_rate"] == 0
    ttft = lambda res, i: res.requests[i].first_token - res.requests[i].arrival  # noqa: E731
    assert ttft(res, 1) < ttft(cold, 1) and ttft(res, 0) == pytest.approx(ttft(cold, 0))
    assert all(r.generated == r.output_tokens for r in res.requests)


def test_prefix_cache_memory_is_released_and_entries_stay_evictable():
    reqs = trace_requests("mooncake-conv", n=150)
    res = simulate(reqs, MODEL, GPU, "vllm", replicas=2, dispatcher="prefix-aware",
                   config=ReplicaConfig(prefix_caching=True, num_blocks=6000))
    assert closes(res.metrics) and res.metrics["finished"] + res.metrics["rejected"] == 150
    assert res.metrics["prefix_hit_rate"] > 0


def test_lru_eviction_and_the_host_tier_on_a_small_pool():
    # A pool of 200 blocks holds six 512-token hash blocks (32 pool blocks each). Request A
    # caches blocks 1-3, B caches 4-6, C (blocks 7-9) needs room and evicts A's, oldest first;
    # D repeats A's prefix: without a host tier it recomputes, with one it loads 3 blocks.
    hashes = [(1, 2, 3, 99), (4, 5, 6, 98), (7, 8, 9, 97), (1, 2, 3, 96)]
    make = lambda: prefixed([0.0, 10.0, 20.0, 30.0], [1600] * 4, [4] * 4, hashes)  # noqa: E731
    plain = simulate(make(), MODEL, GPU, "vllm", config=ReplicaConfig(prefix_caching=True, num_blocks=200))
    assert [r.cached_tokens for r in plain.requests] == [0, 0, 0, 0]
    tier = KVTier("host", 10 * 512, 25e9)
    tiered = simulate(make(), MODEL, GPU, "vllm", config=ReplicaConfig(prefix_caching=True, num_blocks=200, kv_tiers=(tier,)))
    assert [r.cached_tokens for r in tiered.requests] == [0, 0, 0, 1536]
    assert tiered.metrics["kv_loaded_gb"] == pytest.approx(1536 * MODEL.kv_bytes_per_token / 1e9)


def test_mooncake_traces_parse_and_malformed_lines_name_file_and_line(tmp_path):
    offsets, prompts, outputs, hashes = load_trace_with_prefixes("mooncake-conv")
    assert len(offsets) == 12031 and hashes[0][:3] == (0, 1, 2) and prompts[0] == 6758 and outputs[0] == 500
    assert all(len(h) == math.ceil(p / 512) for h, p in zip(hashes[:200], prompts[:200], strict=True))
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"timestamp": 0, "input_length": 10, "output_length": 2, "hash_ids": [1]}) + "\n"
                   + json.dumps({"timestamp": 5, "input_length": 10, "output_length": 2}) + "\n")
    with pytest.raises(ParseError, match=r"bad.jsonl:2: .*hash_ids"):
        load_trace_with_prefixes(str(bad))
    gz = tmp_path / "t.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"timestamp": 0, "input_length": 600, "output_length": 3, "hash_ids": [5, 6]}\n'))
    assert load_trace_with_prefixes(str(gz))[3] == [(5, 6)]


def test_tiled_mooncake_copies_do_not_share_prefixes():
    reqs = trace_requests("mooncake-synthetic", n=2 * 3993 + 5)
    first, copy = reqs[0].prefix_hashes, reqs[3993].prefix_hashes
    assert len(first) == len(copy) and not set(first) & set(copy)


# -- Llumnix ----------------------------------------------------------------------------------------
def pressured(n=1500, qps=12.0, seed=1):
    reqs = trace_requests("azure-conv", n=n, qps=qps, arrivals="gamma", cv=2.0, seed=seed)
    for r in reqs[::10]:
        r.priority = 1
    return reqs


def run_llumnix(reqs, **options):
    return simulate(reqs, get_model("llama-2-7b"), get_gpu("a10"), "vllm", replicas=4, dispatcher="llumnix",
                    dispatch_options=options)


def test_llumnix_migrates_and_conserves_tokens_and_kv():
    res = run_llumnix(pressured(qps=3.0), migration_interval_s=0.05)
    m = res.metrics
    assert m["migrations"] > 0 and closes(m) and m["finished"] + m["rejected"] == 1500
    moved = [r for r in res.requests if r.extra.get("migrated")]
    assert moved and all(r.generated == r.output_tokens for r in res.requests if not math.isnan(r.finish))
    assert 0 < m["migration_downtime_ms_mean"] < 50


def test_accounting_closes_mid_run_for_every_dispatcher():
    for dispatcher in ("round-robin", "least-outstanding", "least-kv", "prefix-aware", "llumnix"):
        res = simulate(pressured(qps=3.0), get_model("llama-2-7b"), get_gpu("a10"), "vllm", replicas=4,
                       dispatcher=dispatcher, until=200.0,
                       dispatch_options={"migration_interval_s": 0.05} if dispatcher == "llumnix" else None)
        m = res.metrics
        assert m["arrived"] == m["finished"] + m["rejected"] + m["running"] + m["waiting"], dispatcher
        assert m["arrived"] + m["not_arrived"] == 1500


def test_llumnix_dispatches_to_the_freest_instance_and_keeps_headroom_for_high_priority():
    reqs = make_requests([0.0, 0.0, 0.001], [4000, 100, 100], [50, 50, 50])
    reqs[1].priority = 1
    run = simulate(reqs, MODEL, GPU, "vllm", replicas=3, dispatcher="llumnix",
                   dispatch_options={"high_priority_headroom": 0.5})
    # the long request loads replica 0, the high-priority one goes to the freest other replica,
    # and the third avoids that instance's headroom: three different replicas
    assert sorted(r.replica for r in run.requests) == [0, 1, 2]
    lx = Llumnix(high_priority_headroom=0.5)
    assert lx.freeness(type("Idle", (), {"draining": True})()) == -math.inf


def test_llumnix_autoscaling_adds_and_drains_instances_and_counts_instance_hours():
    burst = trace_requests("azure-conv", n=3000, qps=15.0, arrivals="poisson", seed=2)
    quiet = trace_requests("azure-conv", n=300, qps=0.2, arrivals="poisson", seed=3)
    start = burst[-1].arrival + 1
    reqs = lambda: make_requests([r.arrival for r in burst] + [start + r.arrival for r in quiet],  # noqa: E731
                                 [r.prompt_tokens for r in burst + quiet], [r.output_tokens for r in burst + quiet])
    res = run_llumnix(reqs(), autoscale_max=8, autoscale_min=2, startup_s=20.0, migration_interval_s=0.2)
    m = res.metrics
    assert m["replicas_peak"] > 4 and closes(m) and m["finished"] + m["rejected"] == 3300
    assert sum(not math.isnan(r.stopped_at) for r in res.replicas) > 0  # drained and stopped in the quiet phase
    fixed = run_llumnix(reqs(), migration_interval_s=0.2)
    assert fixed.metrics["instance_hours"] == pytest.approx(4 * fixed.metrics["duration_s"] / 3600, rel=0.01)
    assert m["instance_hours"] > 0


def test_same_seed_same_result_with_migration_prefix_cache_and_priorities():
    domain = get_domain("llm")
    values = {"trace": "mooncake-conv", "requests": 300, "replicas": 3, "dispatch": "llumnix", "prefix_caching": True,
              "host_kv_gb": 20, "high_priority": 0.2, "migration_interval_s": 0.1, "seed": 4}
    a, b = domain.simulate(values).metrics, domain.simulate(values).metrics
    assert a == b and a["high_priority_finished"] > 0


def test_cli_runs_the_new_dispatchers_and_refuses_tiers_without_caching(capsys):
    from schedlab.cli import main

    assert main(["simulate", "llm", "--trace", "mooncake-conv", "--requests", "200", "--replicas", "2",
                 "--dispatch", "prefix-aware", "--prefix-caching", "--host-kv-gb", "10"]) == 0
    assert main(["simulate", "llm", "--requests", "200", "--qps", "20", "--replicas", "2", "--dispatch", "llumnix"]) == 0
    capsys.readouterr()
    assert main(["simulate", "llm", "--requests", "20", "--host-kv-gb", "10"]) == 2
    assert "prefix_caching" in capsys.readouterr().err
    assert main(["list", "policies", "llm"]) == 0
    listed = capsys.readouterr().out
    assert "llumnix" in listed and "prefix-aware" in listed and "dispatcher" in listed


# -- Splitwise and capacity planning -------------------------------------------------------------------
def test_splitwise_ships_kv_from_prompt_to_token_machines_and_accounting_closes():
    from schedlab.llm.splitwise import Splitwise

    reqs = lambda: trace_requests("azure-conv", n=400, qps=8.0, arrivals="poisson", seed=5)  # noqa: E731
    res = simulate(reqs(), MODEL, get_gpu("a100"), "vllm", replicas=2, dispatcher=Splitwise,
                   prompt_pool=(1, get_gpu("h100")))
    m = res.metrics
    assert closes(m) and m["finished"] == 400
    roles = {r.index: r.role for r in res.replicas}
    assert sorted(roles.values()) == ["prompt", "token", "token"]
    # every request that decoded more than one token finished on a token machine, its KV shipped once
    multi = [r for r in res.requests if r.output_tokens > 1]
    assert all(roles[r.replica] == "token" for r in multi) and m["mixed_decodes"] == 0 == m["mixed_prefills"]
    shipped = sum(r.prompt_tokens for r in multi) * MODEL.kv_bytes_per_token / 1e9
    assert m["kv_transfer_gb"] == pytest.approx(shipped)
    assert all(r.generated == r.output_tokens for r in res.requests)
    # the prompt machine holds no KV at the end, the token machines none either
    assert all(r.kv.free == r.kv.total for r in res.replicas)
    mid = simulate(reqs(), MODEL, get_gpu("a100"), "vllm", replicas=2, dispatcher=Splitwise,
                   prompt_pool=(1, get_gpu("h100")), until=20.0)
    assert closes(mid.metrics)


def test_splitwise_layout_from_the_domain_and_the_mixed_pool_fallback():
    domain = get_domain("llm")
    base = {"requests": 300, "qps": 6, "arrivals": "poisson", "layout": "splitwise", "prompt_replicas": 1,
            "replicas": 1, "policy": "vllm"}
    m = domain.simulate(base).metrics
    assert m["kv_transfer_gb"] > 0 and m["finished"] == 300
    from schedlab.sim.params import ParameterError

    with pytest.raises(ParameterError, match="routes requests itself"):
        domain.simulate({**base, "dispatch": "least-kv"})
    # a token machine with room for almost nothing: the prompt machine decodes (mixed pool)
    from schedlab.llm.splitwise import Splitwise

    res = simulate(make_requests([0.0, 0.0], [3000, 3000], [50, 50]), MODEL, GPU, "vllm", replicas=1,
                   dispatcher=Splitwise, prompt_pool=(1, GPU), config=ReplicaConfig(num_blocks=260))
    assert res.metrics["mixed_decodes"] >= 1 and res.metrics["finished"] == 2


def test_plan_finds_the_fewest_machines_and_writes_a_plot(tmp_path):
    from schedlab.cli import main

    out, plot = tmp_path / "plan.json", tmp_path / "plan.png"
    assert main(["plan", "llm", "--trace", "azure-conv", "--qps", "12", "--requests", "300", "--arrivals", "poisson",
                 "--designs", "sarathi,splitwise", "--max-machines", "8", "--out", str(out), "--plot", str(plot)]) == 0
    plans = json.loads(out.read_text())
    assert plot.stat().st_size > 1000
    for plan in plans:
        n = plan["machines"]
        assert n is not None
        meets = {p["machines"]: p["meets"] for p in plan["probes"] if p["meets"]}
        assert n in meets and not any(p["meets"] for p in plan["probes"] if p["machines"] < n)
    assert main(["plan", "llm", "--designs", "nope"]) == 2


def test_provisioning_options_respect_the_budget():
    from schedlab.llm.provision import options_within

    options = options_within(8, ("a100", "h100"), max_cost=4 * 8 * 2.16, max_power=4 * 8 * 700.0, max_machines=16)
    assert options and all(o.cost(8) <= 4 * 8 * 2.16 + 1e-9 and o.power(8) <= 4 * 8 * 700 + 1e-9 for o in options)
    assert any(o.prompt == (1, "h100") and o.token[1] == "a100" for o in options)
    with pytest.raises(ValueError, match="cost"):
        options_within(8, ("a40",))


# -- Continuum and agent programs ---------------------------------------------------------------------
def agent_programs(tool_s: list[float], task: int = 1000):
    """One program's turns: a `task`-token prompt, 100-token outputs, 100-token tool results."""
    from schedlab.llm.programs import ToolType, Turn

    tool = ToolType("fast", 1.0, 3.0)
    turns, context = [], task
    for dur in [*tool_s, None]:
        turns.append(Turn(context, 100, tool if dur is not None else None, dur or 0.0))
        context += 200
    return turns


def test_continuum_pins_a_context_across_a_tool_call_and_ttl_expiry_frees_it():
    from schedlab.llm.programs import Program

    config = ReplicaConfig(prefix_caching=True, prefix_block_tokens=16, num_blocks=400)
    # tool call 1 s (inside the 3 s TTL): the second turn finds its context pinned; tool call 10 s: the pin expired
    for tool_s, expired in ((1.0, 0), (10.0, 1)):
        res = simulate([], MODEL, GPU, "continuum", config=config,
                       programs=[Program(0, 0.0, agent_programs([tool_s]))])
        m = res.metrics
        assert m["programs_finished"] == 1 and m["kv_holds"] == 1 and m["kv_hold_expired"] == expired
        replica = res.replicas[0]
        assert not replica._holds and all(r == 0 for r in replica.cache.refs.values())
        assert replica.kv.free == replica.kv.total  # nothing pinned at the end: evictable entries count as free
    # while a context is held, its blocks are used memory: a run stopped inside the tool call shows them
    mid = simulate([], MODEL, GPU, "continuum", config=config,
                   programs=[Program(0, 0.0, agent_programs([10.0]))], until=2.0)
    replica = mid.replicas[0]
    assert replica._holds and replica.kv.free == replica.kv.total - 1100 // 16


def test_continuum_reuses_the_held_context_where_lru_recomputes_it():
    from schedlab.llm.programs import Program

    # a pool of 150 blocks (2,400 tokens): a program arriving during the first one's tool call needs
    # 101 blocks, so LRU evicts the idle context; Continuum holds it and the newcomer waits
    config = ReplicaConfig(prefix_caching=True, prefix_block_tokens=16, num_blocks=150)
    programs = lambda: [Program(0, 0.0, agent_programs([1.0])), Program(1, 1.2, agent_programs([], 1500))]  # noqa: E731
    held = simulate([], MODEL, GPU, "continuum", config=config, programs=programs())
    lru = simulate([], MODEL, GPU, "vllm", config=config, programs=programs())
    second = lambda res: next(r for r in res.requests if r.extra["program"] == 0 and r.extra["turn"] == 1)  # noqa: E731
    assert second(held).cached_tokens == 1088  # the first turn's 1,100 tokens of context, in whole 16-token blocks
    assert second(lru).cached_tokens < second(held).cached_tokens
    assert held.metrics["programs_finished"] == lru.metrics["programs_finished"] == 2


def test_program_level_fcfs_admits_turns_in_program_arrival_order():
    from schedlab.llm.policies.continuum import program_order

    reqs = make_requests([5.0, 6.0, 7.0], [10, 10, 10], [2, 2, 2])
    for r, first in zip(reqs, (4.0, 1.0, 3.0), strict=True):
        r.extra["program_arrival"] = first
    reqs[0].preemptions = 1  # a preempted request still goes first, as in vLLM
    assert [r.id for r in sorted(reqs, key=program_order)] == [0, 1, 2]
    reqs[0].preemptions = 0
    assert [r.id for r in sorted(reqs, key=program_order)] == [1, 2, 0]


def test_agent_programs_from_the_domain_report_job_completion_times():
    domain = get_domain("llm")
    values = {"trace": "agents", "qps": 1.0, "requests": 40, "prefix_caching": True, "max_batch_tokens": 131072}
    cont = domain.simulate({**values, "policy": "continuum"}).metrics
    base = domain.simulate({**values, "policy": "vllm"}).metrics
    assert cont["programs_finished"] == base["programs_finished"] == 40
    assert cont["finished"] == base["finished"] > 40  # every turn of every program ran
    assert cont["jct.mean"] > 0 and "jct_turns_1.mean" in cont
    from schedlab.sim.params import ParameterError

    with pytest.raises(ParameterError, match="prefix_caching"):
        domain.simulate({**values, "policy": "continuum", "prefix_caching": False})


# -- AIOS -------------------------------------------------------------------------------------------------
def test_aios_fifo_runs_calls_to_completion_one_at_a_time():
    reqs = make_requests([0.0, 0.01, 0.02], [200, 200, 200], [50, 50, 50])
    res = simulate(reqs, MODEL, GPU, "aios-fifo")
    done = sorted(res.requests, key=lambda r: r.first_scheduled)
    # each call is scheduled only after the previous one finished, in arrival order
    assert [r.id for r in done] == [0, 1, 2]
    assert all(b.first_scheduled >= a.finish for a, b in zip(done, done[1:], strict=False))
    assert res.metrics["suspensions"] == 0


def test_aios_round_robin_slices_and_saves_contexts():
    reqs = make_requests([0.0, 0.01], [200, 200], [400, 400])
    rr = simulate(reqs, MODEL, GPU, "aios-rr", policy_options={"slice_s": 0.5})
    fifo = simulate(make_requests([0.0, 0.01], [200, 200], [400, 400]), MODEL, GPU, "aios-fifo")
    m = rr.metrics
    assert m["suspensions"] >= 2 and m["finished"] == 2 and closes(m)
    second = lambda res: res.requests[1]  # noqa: E731
    assert second(rr).first_scheduled < second(fifo).first_scheduled  # it waits a slice, not a whole call
    assert all(r.generated == r.output_tokens for r in rr.requests)
    assert rr.replicas[0].kv.free == rr.replicas[0].kv.total
    # with concurrency 2 both run from the start and nothing is suspended
    both = simulate(make_requests([0.0, 0.01], [200, 200], [400, 400]), MODEL, GPU, "aios-rr",
                    policy_options={"concurrency": 2})
    assert both.metrics["suspensions"] == 0


# -- HexGen-Text2SQL ----------------------------------------------------------------------------------
def test_workflow_stages_run_in_order_with_parallel_candidates():
    from schedlab.llm.workflows import Text2SQLWorkload, generate_queries

    queries = generate_queries(30, 1.0, Text2SQLWorkload(), seed=3)
    res = simulate([], MODEL, GPU, "hexgen", replicas=2, dispatcher="hexgen", queries=queries)
    m = res.metrics
    assert m["queries_finished"] == 30 and closes(m)
    for q in queries:
        calls = [r for r in res.requests if r.extra["query"] == q.id]
        assert len(calls) == sum(len(s) for s in q.stages)
        for k in range(1, len(q.stages)):
            before = [r for r in calls if r.extra["stage"] == k - 1]
            after = [r for r in calls if r.extra["stage"] == k]
            assert min(r.arrival for r in after) == pytest.approx(max(r.finish for r in before))
            assert len({r.arrival for r in after}) == 1  # a stage's calls are issued together
        assert q.finish == pytest.approx(max(r.finish for r in calls))


def test_urgency_blends_slack_per_stage_with_query_arrival():
    from schedlab.llm.policies.hexgen import urgency_key

    a, b = make_requests([0.0, 0.0], [10, 10], [2, 2])
    a.extra.update(deadline=20.0, stages_left=3, program_arrival=1.0)  # 20 s of slack for 4 stages: 5 per stage
    b.extra.update(deadline=12.0, stages_left=0, program_arrival=2.0)  # 12 s for its last stage
    order = lambda alpha: [r.id for r in sorted([a, b], key=lambda r: urgency_key(r, 0.0, alpha))]  # noqa: E731
    assert order(1.0) == [a.id, b.id]  # 5 < 12
    assert order(0.0) == [a.id, b.id]  # its query arrived first
    b.extra["program_arrival"] = 0.5
    assert order(0.0) == [b.id, a.id] and order(1.0) == [a.id, b.id]


def test_hexgen_dispatch_prefers_the_faster_instance_when_idle_and_extra_gpus_parse():
    res = simulate(make_requests([0.0], [2000], [20]), MODEL, get_gpu("a40"), "hexgen", replicas=1,
                   dispatcher="hexgen", extra_pools=[(1, get_gpu("h100"))])
    assert res.requests[0].replica == 1  # the H100
    from schedlab.llm.domain import parse_extra_gpus
    from schedlab.sim.params import ParameterError

    assert [(n, g.name) for n, g in parse_extra_gpus("a40:2, h100:1")] == [(2, "a40"), (1, "h100")]
    with pytest.raises(ParameterError, match="GPU:COUNT"):
        parse_extra_gpus("tpu:3")


# -- adapters as a scheduled memory tier (MemOS) -------------------------------------------------------
def test_adapter_cache_lru_evicts_the_least_recent_and_memos_the_least_used():
    from schedlab.llm.adapters import AdapterCache

    for manager, evicted in (("lru", 1), ("memos", 2)):
        cache = AdapterCache(slots=2, load_s=1.0, manager=manager)
        assert cache.acquire(1, 0.0) == 1.0  # a miss: loads in 1 s
        cache.release(1)
        for t in (2.0, 3.0):  # adapter 1 used three times, adapter 2 once but last
            cache.acquire(1, t)
            cache.release(1)
        assert cache.acquire(2, 4.0) == 1.0
        cache.release(2)
        cache.acquire(3, 10.0)  # full: LRU drops 1 (older use), memos drops 2 (fewer uses)
        assert evicted not in cache.ready_at and len(cache.ready_at) == 2
    assert cache.hits == 2 and cache.misses == 3


def test_memos_prefetches_the_queues_adapters_on_the_link_one_after_another():
    from schedlab.llm.adapters import AdapterCache

    cache = AdapterCache(slots=4, load_s=0.5, manager="memos")
    cache.prefetch([7, 8, 7, 9], now=0.0)
    assert cache.ready_at == {7: 0.5, 8: 1.0, 9: 1.5}  # loads queue on the PCIe link
    assert cache.acquire(8, 0.8) == pytest.approx(0.2) and cache.late == 1  # started ahead, not done yet
    lru = AdapterCache(slots=4, load_s=0.5, manager="lru")
    lru.prefetch([7, 8], now=0.0)
    assert lru.ready_at == {}


def test_adapter_slots_gate_admission_and_are_released():
    domain = get_domain("llm")
    values = {"requests": 400, "qps": 3, "arrivals": "poisson", "adapters": 50, "adapter_slots": 4, "adapter_mb": 500}
    for manager in ("lru", "memos"):
        m = domain.simulate({**values, "memory_manager": manager}).metrics
        assert m["finished"] == 400 and closes(m) and m["adapter_loads"] >= 4
        assert 0 <= m["adapter_hit_rate"] <= 1 and m["adapter_stall_s"] > 0
    reqs = trace_requests("azure-conv", n=200, qps=3.0, arrivals="poisson")
    for i, r in enumerate(reqs):
        r.extra["adapter"] = i % 5
    run = simulate(reqs, MODEL, GPU, "vllm", config=ReplicaConfig(adapter_slots=2, adapter_bytes=1e9))
    cache = run.replicas[0].adapters
    assert run.metrics["finished"] == 200 and not cache.pins and len(cache.ready_at) <= 2


def test_splitwise_machines_move_into_the_mixed_pool_under_prompt_pressure_and_back():
    from functools import partial

    from schedlab.llm.splitwise import Splitwise

    # a burst of long prompts on one prompt machine: a token machine joins the mixed pool and takes
    # prompts next to it; once they are done it goes back, so a calm phase later borrows nothing
    def reqs():
        out = make_requests([0.001 * i for i in range(40)] + [60.0 + i for i in range(10)], [3000] * 40 + [300] * 10,
                            [20] * 50)
        return out

    def run(until=None):
        return simulate(reqs(), MODEL, GPU, "vllm", replicas=2, prompt_pool=(1, GPU), until=until,
                        dispatcher=partial(Splitwise, mixed_prompt_tokens=8000)).metrics

    full, burst_only = run(), run(until=59.0)
    assert burst_only["mixed_prefills"] > 0 and burst_only["pool_moves"] >= 1 and closes(burst_only)
    assert full["mixed_prefills"] == burst_only["mixed_prefills"]  # the calm phase runs on the prompt pool
    assert full["pool_moves"] >= 2 and full["pool_moves"] % 2 == 0  # every machine that left came back
    assert full["finished"] == 50 and closes(full)
