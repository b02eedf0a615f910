"""Edge/cloud scenarios: accounting, hand-checked cases, determinism, Pareto tools, CLI."""

from __future__ import annotations

import json

import pytest

from schedlab.cli import main
from schedlab.edge.drones import POLICIES as DRONE_POLICIES
from schedlab.edge.drones import DroneScenario, TaskType, simulate_drones
from schedlab.edge.iot import POLICIES as IOT_POLICIES
from schedlab.edge.iot import IoTScenario, simulate_iot
from schedlab.edge.mec import POLICIES as MEC_POLICIES
from schedlab.edge.mec import MECScenario, hypervolume, pareto_front, simulate_mec

SMALL = DroneScenario(drones=3, duration_s=60.0)


@pytest.mark.parametrize("policy", DRONE_POLICIES)
def test_drone_tasks_all_accounted_and_seeded(policy):
    a = simulate_drones(policy, SMALL, seed=1)
    assert a == simulate_drones(policy, SMALL, seed=1)
    assert a["on_time"] + a["late"] + a["dropped"] == a["tasks"] == 3 * 60 * 4
    assert 0 <= a["qoe"] <= 1


def test_drone_edge_only_policies_never_pay_the_cloud_and_an_idle_edge_meets_every_deadline():
    light = DroneScenario(drones=1, duration_s=30.0, types=(TaskType("t", 0.05, 0.02, 0.5, 1.0, 0.5),), edge_noise=0.0)
    for policy in ("edge-edf", "dems", "dems-a", "gems"):
        m = simulate_drones(policy, light, seed=0)
        assert m["on_time"] == m["tasks"] == 30 and m["cloud_calls"] == 0 and m["qos_utility"] == 30.0
    cloud = simulate_drones("cloud", light, seed=0)
    assert cloud["cloud_calls"] == 30 and cloud["cloud_cost"] == 15.0


def test_mec_local_only_matches_the_formula():
    sc = MECScenario(users=1, tasks_per_user=1, rate_per_user=1.0)
    m = simulate_mec("local", scenario=sc, seed=0)
    assert m["offload_share"] == 0.0
    cycles = m["delay.mean"] * sc.local_ghz  # an idle device: delay = cycles / f
    assert abs(m["energy.mean"] - sc.kappa * (sc.local_ghz * 1e9) ** 2 * cycles * 1e9) < 1e-9


@pytest.mark.parametrize("policy", MEC_POLICIES)
def test_mec_policies_run_and_are_seeded(policy):
    sc = MECScenario(users=5, tasks_per_user=20)
    a = simulate_mec(policy, 0.5, sc, seed=2)
    assert a == simulate_mec(policy, 0.5, sc, seed=2) and a["tasks"] == 100 and a["delay.mean"] > 0


def test_pareto_front_and_hypervolume():
    pts = [(1, 5), (2, 3), (3, 4), (4, 1), (2, 3)]
    assert pareto_front(pts) == [(1, 5), (2, 3), (4, 1)]
    # reference (5, 6): (1,5) adds 4*1, (2,3) adds 3*2, (4,1) adds 1*2
    assert hypervolume(pts, (5, 6)) == 4 + 6 + 2


@pytest.mark.parametrize("policy", IOT_POLICIES)
def test_iot_policies_process_every_task(policy):
    sc = IoTScenario(duration_s=60.0)
    a = simulate_iot(policy, sc, seed=3)
    assert a == simulate_iot(policy, sc, seed=3)
    assert a["tasks"] > 0 and 0 <= a["sla_violation_rate"] <= 1 and 0 < a["utilization"] <= 1


def test_cli_simulate_edge(tmp_path, capsys):
    out = tmp_path / "m.json"
    assert main(["simulate", "iot", "--policy", "least-loaded", "--seed", "0", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["metrics"]["tasks"] > 0 and result["domain"] == "iot" and len(result["samples"]["response"]) > 0
    assert result["metrics"] == {k: v for k, v in simulate_iot("least-loaded", seed=0).items() if k != "policy"}
    assert main(["simulate", "drones", "--policy", "teleport"]) == 2
    assert "known: cloud, dems, dems-a, edge-edf, edge-fifo, gems" in capsys.readouterr().err
    assert main(["simulate", "mec", "--policy", "weighted", "--weight", "0.2", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["metrics"]["delay.mean"] == simulate_mec("weighted", 0.2, seed=0)["delay.mean"]
    assert main(["simulate", "mec", "--policy", "local", "--weight", "0.2"]) == 2
    assert "does not apply to policy local" in capsys.readouterr().err


def test_drone_report(tmp_path):
    report = tmp_path / "r.html"
    assert main(["simulate", "drones", "--drones", "2", "--report", str(report)]) == 0
    page = report.read_text()
    assert "Timeline" in page and "on_time_by_type" in page
