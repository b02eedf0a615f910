"""The same sweep gives the same results on every executor: serial, a local process pool, and a
local Ray head started on loopback by the test."""

from __future__ import annotations

import pytest

from schedlab.bench.executors import Run, run_sweep

RUNS = [
    Run("wt40", name, solver, 30.0, 0, 1, iterations=3000)  # a step budget, so the load on the machine cannot matter
    for name in ("wt40-001", "wt40-002", "wt40-003")
    for solver in ("rules:edd", "rules:atc", "ils")
]


def _key(rows):
    return [(r.instance, r.solver, r.seed, r.objective, r.best_known, r.valid) for r in rows]


def test_local_pool_matches_serial():
    serial = run_sweep(RUNS, "serial")
    assert all(r.valid for r in serial)
    assert _key(run_sweep(RUNS, "local", processes=2)) == _key(serial)


def test_ray_matches_local():
    ray = pytest.importorskip("ray")
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        _node_ip_address="127.0.0.1",
    )
    try:
        assert ray.is_initialized()
        remote_rows = run_sweep(RUNS, "ray")
    finally:
        ray.shutdown()
    assert _key(remote_rows) == _key(run_sweep(RUNS, "serial"))
