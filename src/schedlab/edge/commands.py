"""`schedlab simulate edge --scenario drones|mec|iot`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from schedlab.core.errors import SchedlabError

DEFAULT_POLICY = {"drones": "dems-a", "mec": "weighted", "iot": "aco"}


def cmd_simulate_edge(args: argparse.Namespace) -> int:
    policy = args.policy or DEFAULT_POLICY[args.scenario]
    if args.report and args.scenario != "drones":
        raise SchedlabError("--report is available for the drones scenario")
    if args.scenario == "drones":
        from schedlab.edge.drones import DroneScenario, simulate_drones

        if args.drones < 1:
            raise SchedlabError("--drones must be positive")
        m = simulate_drones(policy, DroneScenario(drones=args.drones), args.seed, report=args.report)
        line = (
            f"{m['tasks']} tasks: {m['completion_rate']:.1%} on time, QoS utility {m['qos_utility']:.0f}, QoE {m['qoe']:.2f}, "
            f"{m['dropped']} dropped, {m['cloud_calls']} cloud calls"
        )
    elif args.scenario == "mec":
        from schedlab.edge.mec import simulate_mec

        if not 0 <= args.weight <= 1:
            raise SchedlabError("--weight must lie in [0, 1]")
        m = simulate_mec(policy, args.weight, seed=args.seed)
        line = (
            f"{m['tasks']} tasks: mean delay {m['delay.mean']:.3f} s, mean energy {m['energy.mean']:.3f} J, "
            f"offloaded {m['offload_share']:.0%}"
        )
    else:
        from schedlab.edge.iot import simulate_iot

        m = simulate_iot(policy, seed=args.seed)
        line = (
            f"{m['tasks']} tasks: mean response {m['response.mean']:.2f} s, SLA violations {m['sla_violation_rate']:.1%}, "
            f"energy {m['energy_kj']:.0f} kJ, utilization {m['utilization']:.2f}"
        )
    m["seed"] = args.seed
    if args.out:
        Path(args.out).write_text(json.dumps(m, indent=1))
    print(f"{args.scenario} / {policy}: {line}")
    return 0


def register(simulate_domains) -> None:
    p = simulate_domains.add_parser(
        "edge", help="edge/cloud: drone inference (drones), MEC offloading (mec), IoT allocation (iot)"
    )
    p.add_argument("--scenario", choices=("drones", "mec", "iot"), default="drones")
    p.add_argument(
        "--policy",
        help="drones: edge-fifo, edge-edf, cloud, dems, dems-a, gems; mec: local, random, greedy-delay, "
        "greedy-energy, weighted; iot: round-robin, least-loaded, min-min, aco",
    )
    p.add_argument("--drones", type=int, default=5)
    p.add_argument("--weight", type=float, default=0.5, help="mec: preference weight on delay (1 - weight on energy)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write metrics JSON here")
    p.add_argument("--report", help="drones: write an HTML report (edge timeline, on-time rate per task type)")
    p.set_defaults(func=cmd_simulate_edge)
