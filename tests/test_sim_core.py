"""The domain-free simulation core: ordering, determinism, workloads, metrics, traces."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from schedlab.sim import (
    ChromeTrace,
    QuantileSketch,
    Simulator,
    TimeSeries,
    UtilizationTracker,
    gamma_arrivals,
    jain_fairness,
    poisson_arrivals,
    rescale_arrivals,
)


def test_events_run_in_time_then_priority_then_insertion_order():
    sim = Simulator()
    seen = []
    sim.schedule(2.0, seen.append, "late")
    sim.schedule(1.0, seen.append, "b", priority=1)
    sim.schedule(1.0, seen.append, "a", priority=0)
    sim.schedule(1.0, seen.append, "c", priority=1)
    sim.run()
    assert seen == ["a", "b", "c", "late"]
    assert sim.now == 2.0
    assert sim.events_processed == 4


def test_run_until_stops_and_resumes():
    sim = Simulator()
    seen = []
    for t in (1.0, 2.0, 3.0):
        sim.schedule_at(t, seen.append, t)
    assert sim.run(until=2.5) == 2.5
    assert seen == [1.0, 2.0]
    sim.run()
    assert seen == [1.0, 2.0, 3.0]


def test_cancel_skips_event_and_bad_delays_raise():
    sim = Simulator()
    seen = []
    handle = sim.schedule(1.0, seen.append, "x")
    sim.schedule(2.0, seen.append, "y")
    sim.cancel(handle)
    sim.run()
    assert seen == ["y"]
    with pytest.raises(ValueError):
        sim.schedule(-1.0, seen.append)
    with pytest.raises(ValueError):
        sim.schedule_at(0.5, seen.append)


def test_mm1_queue_mean_wait_matches_theory():
    """M/M/1 with rho = 0.5: mean wait in queue = rho / (mu - lambda) = 1.0."""
    rng = np.random.default_rng(3)
    lam, mu, n = 0.5, 1.0, 60_000
    sim = Simulator()
    state = {"busy": False, "queue": [], "waits": []}
    services = rng.exponential(1 / mu, n)
    arrivals = poisson_arrivals(lam, n, seed=4)

    def depart(_):
        if state["queue"]:
            arrived, k = state["queue"].pop(0)
            state["waits"].append(sim.now - arrived)
            sim.schedule(services[k], depart)
        else:
            state["busy"] = False

    def arrive(k):
        if state["busy"]:
            state["queue"].append((sim.now, k))
        else:
            state["busy"] = True
            state["waits"].append(0.0)
            sim.schedule(services[k], depart)

    for k, t in enumerate(arrivals):
        sim.schedule_at(t, arrive, k)
    sim.run()
    assert len(state["waits"]) == n
    assert abs(np.mean(state["waits"]) - 1.0) < 0.08


def test_arrival_generators_are_seeded_and_have_the_right_rate_and_burstiness():
    a = poisson_arrivals(4.0, 20_000, seed=1)
    assert np.array_equal(a, poisson_arrivals(4.0, 20_000, seed=1))
    assert abs(20_000 / a[-1] - 4.0) < 0.15
    g = gamma_arrivals(4.0, 3.0, 40_000, seed=2)
    gaps = np.diff(g)
    assert abs(np.std(gaps) / np.mean(gaps) - 3.0) < 0.2
    assert abs(np.mean(gaps) - 0.25) < 0.02
    with pytest.raises(ValueError):
        poisson_arrivals(0.0, 3, seed=0)


def test_rescale_keeps_relative_gaps():
    t = np.array([10.0, 11.0, 13.0, 14.0])
    out = rescale_arrivals(t, rate=3.0)
    assert out[0] == 0.0
    assert math.isclose((len(t) - 1) / out[-1], 3.0)
    assert np.allclose(np.diff(out) / np.diff(out).sum(), np.diff(t) / np.diff(t).sum())
    with pytest.raises(ValueError):
        rescale_arrivals(np.array([2.0, 1.0]))


def test_quantile_sketch_is_within_relative_accuracy():
    rng = np.random.default_rng(0)
    values = rng.lognormal(0.0, 1.5, 50_000)
    sketch = QuantileSketch(0.01)
    sketch.extend(values)
    for q in (0.5, 0.9, 0.99):
        exact = np.quantile(values, q)
        assert abs(sketch.quantile(q) - exact) / exact < 0.03
    assert math.isclose(sketch.mean, float(np.mean(values)), rel_tol=1e-9)
    weighted = QuantileSketch()
    weighted.add(1.0, 99)
    weighted.add(100.0, 1)
    assert math.isclose(weighted.quantile(0.5), 1.0, rel_tol=0.01)
    assert math.isclose(weighted.quantile(1.0), 100.0, rel_tol=0.01)
    assert math.isnan(QuantileSketch().quantile(0.5))


def test_utilization_fairness_and_time_series():
    u = UtilizationTracker()
    u.set(1.0, 2.0)
    u.set(3.0, 0.0)
    assert math.isclose(u.mean(4.0), 1.0)
    assert jain_fairness([1, 1, 1, 1]) == 1.0
    assert math.isclose(jain_fairness([1, 0, 0, 0]), 0.25)
    ts = TimeSeries(max_points=100)
    for i in range(1000):
        ts.add(float(i), float(i))
    assert len(ts.times) < 100 and ts.times == sorted(ts.times)


def test_chrome_trace_is_valid_trace_event_json(tmp_path):
    trace = ChromeTrace()
    trace.name_track(0, "replica 0")
    trace.span("decode", 0.5, 0.75, pid=0, tid=0, decodes=3)
    trace.counter("kv", 0.5, pid=0, used=10)
    path = tmp_path / "t.json"
    trace.write(path)
    data = json.loads(path.read_text())
    events = data["traceEvents"]
    assert events[0]["ph"] == "M"
    span = next(e for e in events if e["ph"] == "X")
    assert span["ts"] == 500_000 and span["dur"] == 250_000
