"""Edge/cloud scheduling: DEMS-A/GEMS against EDF/FIFO/edge-only/cloud-only; MEC offloading Pareto
fronts and hypervolume; IoT allocation by ant colony against round-robin, least-loaded, min-min.

    .venv/bin/python benchmarks/edge_scenarios.py
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from schedlab.edge.drones import DRONE_POLICIES as DRONE_CLASSES
from schedlab.edge.drones import POLICIES as DRONE_POLICIES
from schedlab.edge.drones import DroneScenario, simulate_drones
from schedlab.edge.iot import POLICIES as IOT_POLICIES
from schedlab.edge.iot import IoTScenario, simulate_iot
from schedlab.edge.mec import hypervolume, pareto_front, simulate_mec

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(5)


def mean(runs, key):
    return statistics.mean(r[key] for r in runs)


def drones() -> list[str]:
    lines = [
        "## Drone DNN inference on an edge accelerator plus cloud (DEMS-A / GEMS)\n",
        "4 task types per video segment (deadlines 0.4-1.5 s, benefits 1-3, cloud costs 0.5-1.5), one segment per drone\n"
        "per second for 300 s, log-normal cloud latency (mean 0.25 s) with a 3x degraded network 15 s of every 60 s;\n"
        "mean of seeds 0-4. Paper: up to 88% completion and 2.7x QoS utility vs baselines, +75% QoE (GEMS).\n",
        "| drones | policy | on time | QoS utility | QoE (type-windows meeting target) | dropped | cloud calls |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n in (3, 5, 8):
        for p in DRONE_POLICIES:
            runs = [simulate_drones(p, DroneScenario(drones=n), seed=s) for s in SEEDS]
            lines.append(
                f"| {n} | {p} | {mean(runs, 'completion_rate'):.1%} | {mean(runs, 'qos_utility'):.0f} | {mean(runs, 'qoe'):.2f} "
                f"| {mean(runs, 'dropped'):.0f} | {mean(runs, 'cloud_calls'):.0f} |"
            )
    return lines


def dems_estimate() -> list[str]:
    """DEMS-A against DEMS as the adaptive estimate's quantile moves: where its completion advantage appears."""
    lines = [
        "\n### What DEMS-A's advantage depends on: the quantile of recent cloud latencies it plans with\n",
        "DEMS plans offloads with the configured mean latency; DEMS-A with a quantile of the last 20 s of observed "
        "latencies (default P90). Same scenario, mean of seeds 0-4.\n",
        "| drones | quantile | DEMS on time | DEMS-A on time | DEMS utility | DEMS-A utility | GEMS on time | GEMS utility |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cross = []
    for n in (5, 8):
        base = [simulate_drones("dems", DroneScenario(drones=n), seed=s) for s in SEEDS]
        for q in (0.5, 0.75, 0.9, 0.95):
            adaptive = [simulate_drones(DRONE_CLASSES.get("dems-a")(latency_quantile=q), DroneScenario(drones=n), seed=s)
                        for s in SEEDS]
            gems = [simulate_drones(DRONE_CLASSES.get("gems")(latency_quantile=q), DroneScenario(drones=n), seed=s)
                    for s in SEEDS]
            if mean(adaptive, "completion_rate") > mean(base, "completion_rate"):
                cross.append(f"{n} drones at P{round(100 * q)}")
            lines.append(
                f"| {n} | {q:g} | {mean(base, 'completion_rate'):.1%} | {mean(adaptive, 'completion_rate'):.1%} | "
                f"{mean(base, 'qos_utility'):.0f} | {mean(adaptive, 'qos_utility'):.0f} | {mean(gems, 'completion_rate'):.1%} | "
                f"{mean(gems, 'qos_utility'):.0f} |"
            )
    lines.append(
        "\nDEMS-A completes more tasks than DEMS in: " + (", ".join(cross) or "no setting") + ". A high quantile is a "
        "pessimistic estimate: DEMS-A then offloads less, drops more and earns more utility per cloud call (higher QoS "
        "utility, lower completion); the median tracks the degraded periods but is optimistic half the time. The paper's "
        "completion gain of the adaptive variant appears with a moderate quantile (P75 here); its utility gain appears at "
        "every quantile from P75. The recorded default (P90) favours utility."
    )
    return lines


def mec() -> list[str]:
    lines = [
        "\n## MEC offloading: delay/energy Pareto front (GMORL setting)\n",
        "30 users, 100 tasks each (Poisson, 0.5/s), local CPU 1.5 GHz, 3 single-core edge servers at 2/4/8 GHz, 20 Mbps\n"
        "uplink at 0.5 W. The preference-weighted greedy is swept over w; baselines are single points. Hypervolume with\n"
        "the reference point at 1.1 x the worst delay and energy among the non-catastrophic points (mean of seeds 0-4).\n",
        "| policy | mean delay (s) | mean energy (J) | offloaded |",
        "|---|---:|---:|---:|",
    ]
    points = {}
    for p in ("local", "random", "greedy-delay", "greedy-energy"):
        runs = [simulate_mec(p, seed=s) for s in SEEDS]
        points[p] = (mean(runs, "delay.mean"), mean(runs, "energy.mean"))
        lines.append(f"| {p} | {points[p][0]:.3f} | {points[p][1]:.3f} | {mean(runs, 'offload_share'):.0%} |")
    front = []
    for w in (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0):
        runs = [simulate_mec("weighted", w, seed=s) for s in SEEDS]
        pt = (mean(runs, "delay.mean"), mean(runs, "energy.mean"))
        front.append(pt)
        lines.append(f"| weighted w={w} | {pt[0]:.3f} | {pt[1]:.3f} | {mean(runs, 'offload_share'):.0%} |")
    sane = [p for p in [*points.values(), *front] if p[0] < 10]
    ref = (1.1 * max(p[0] for p in sane), 1.1 * max(p[1] for p in sane))
    hv_base = hypervolume(list(points.values()), ref)
    hv_front = hypervolume(front, ref)
    hv_all = hypervolume([*front, *points.values()], ref)
    lines.append(
        f"\nReference point ({ref[0]:.3f} s, {ref[1]:.3f} J). Hypervolume: baselines together {hv_base:.3f}; weighted-greedy "
        f"front {hv_front:.3f} ({hv_front / hv_base - 1:+.0%}); union {hv_all:.3f}. Non-dominated weighted points: "
        f"{len(pareto_front(front))} of {len(front)}. (GMORL reports up to +121% hypervolume for its learned policy; the\n"
        "learned policy is not built yet.)"
    )
    return lines


def iot() -> list[str]:
    lines = [
        "\n## IoT tasks on heterogeneous cloud nodes: ant colony vs heuristics\n",
        "6 nodes (500-2000 MIPS), 30 streams at 0.12 tasks/s for 600 s (about 85% load), tasks 200-3000 MI with deadlines\n"
        "1.5-4x their mean-node runtime, 1 s allocation batches; ACO: 16 ants, 20 iterations per batch (mean of seeds 0-4).\n"
        "Paper (RL+ACO): -18.4% response time, +12.7% utilization, -9.3% energy vs heuristics.\n",
        "| policy | mean response (s) | P95 response | SLA violations | utilization | energy (kJ) | time per run |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in IOT_POLICIES:
        t = time.process_time()
        runs = [simulate_iot(p, seed=s) for s in SEEDS]
        dt = (time.process_time() - t) / len(runs)
        lines.append(
            f"| {p} | {mean(runs, 'response.mean'):.2f} | {mean(runs, 'response.p95'):.2f} | {mean(runs, 'sla_violation_rate'):.1%} "
            f"| {mean(runs, 'utilization'):.2f} | {mean(runs, 'energy_kj'):.0f} | {dt:.1f} s |"
        )
    return lines


def iot_load() -> list[str]:
    """ACO against the heuristics as the offered load grows: where its response-time gain lives."""
    lines = [
        "\n### What ACO's gain depends on: load\n",
        "The same scenario at 300 s per run, streams varied (mean of seeds 0-2). Response in seconds, SLA violations in %.\n",
        "| streams | round-robin | least-loaded | min-min | aco | aco vs least-loaded | aco vs min-min | SLA violations LL / min-min / ACO |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for streams in (20, 26, 30, 33, 36):
        r = {p: [simulate_iot(p, IoTScenario(streams=streams, duration_s=300), seed=s) for s in range(3)] for p in IOT_POLICIES}
        resp = {p: mean(v, "response.mean") for p, v in r.items()}
        sla = {p: mean(v, "sla_violation_rate") for p, v in r.items()}
        lines.append(
            f"| {streams} | {resp['round-robin']:.2f} | {resp['least-loaded']:.2f} | {resp['min-min']:.2f} | {resp['aco']:.2f} "
            f"| {resp['aco'] / resp['least-loaded'] - 1:+.0%} | {resp['aco'] / resp['min-min'] - 1:+.0%} | "
            f"{sla['least-loaded']:.0%} / {sla['min-min']:.0%} / {sla['aco']:.0%} |"
        )
    lines.append(
        "\nAt light load least-loaded (the node that frees first, whatever its speed) sends work to slow nodes and ACO's "
        "completion-time heuristic wins by double digits, near the paper's -18.4%; as the load approaches the nodes' "
        "capacity every node is busy, the choice of node matters less and ACO's gain in response time shrinks to a few "
        "percent (it keeps fewer SLA violations). Against min-min, which also places by completion time, ACO's gain is "
        "small at every load. The recorded 85%-load setting sits where the gap is small. The RL half of the paper's "
        "hybrid is not built (learning issue)."
    )
    return lines


def main() -> int:
    started = time.time()
    report = "\n".join(
        [
            "# Edge and cloud scheduling scenarios\n",
            "Command: `.venv/bin/python benchmarks/edge_scenarios.py`.\n",
            *drones(),
            *dems_estimate(),
            *mec(),
            *iot(),
            *iot_load(),
            f"\nTotal wall time {time.time() - started:.0f} s.\n",
        ]
    )
    (ROOT / "benchmarks/results/edge_scenarios.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
