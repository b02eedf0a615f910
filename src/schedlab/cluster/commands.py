"""`schedlab simulate cluster`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from schedlab.cluster.model import multi_user_workload
from schedlab.cluster.policies import CLUSTER_POLICIES
from schedlab.cluster.sim import ClusterSim, simulate_cluster
from schedlab.core.errors import SchedlabError


def cmd_simulate_cluster(args: argparse.Namespace) -> int:
    CLUSTER_POLICIES.get(args.policy)
    if args.jobs < 1 or args.cores < 1 or not 0 < args.load < 5:
        raise SchedlabError("--jobs and --cores must be positive and --load in (0, 5)")
    try:
        jobs = multi_user_workload(
            args.jobs,
            args.heavy_users,
            args.light_users,
            args.load,
            args.cores,
            args.skew,
            args.burst_cv,
            args.estimate_noise,
            args.seed,
            args.size_mix,
            args.heavy_memory,
        )
    except ValueError as exc:
        raise SchedlabError(str(exc)) from None
    sim = ClusterSim(
        args.cores, CLUSTER_POLICIES.get(args.policy)(), args.partition, move_delay_s=args.move_delay, record=bool(args.report)
    )
    m = simulate_cluster(jobs, sim.policy, args.cores, sim=sim)
    if args.report:
        from schedlab.cluster.report import write_cluster_report

        write_cluster_report(args.report, sim, m, f"{args.policy}: {args.jobs} jobs on {args.cores} cores")
    m.update({"seed": args.seed, "load": args.load, "estimate_noise": args.estimate_noise})
    if args.out:
        Path(args.out).write_text(json.dumps(m, indent=1))
    print(
        f"{m['jobs']} jobs, policy {m['policy']}: response time mean {m['response_time.mean']:.1f} s "
        f"(small {m['response_time.small.mean']:.1f}, medium {m['response_time.medium.mean']:.1f}, large "
        f"{m['response_time.large.mean']:.1f}); user fairness {m['fairness_jain_user_slowdown']:.3f}; "
        f"utilization {m['utilization']:.2f}"
    )
    return 0


def register(simulate_domains) -> None:
    p = simulate_domains.add_parser("cluster", help="multi-user Spark-style cluster (jobs of stages of tasks)")
    p.add_argument("--policy", default="uwfq", help="fifo, fair, user-fair, shortest, drf or uwfq")
    p.add_argument("--jobs", type=int, default=600)
    p.add_argument("--cores", type=int, default=64)
    p.add_argument("--load", type=float, default=0.8, help="offered load as a fraction of the cores")
    p.add_argument("--heavy-users", type=int, default=2)
    p.add_argument("--light-users", type=int, default=6)
    p.add_argument("--skew", type=float, default=1.0, help="sigma of the log-normal task durations")
    p.add_argument("--burst-cv", type=float, default=1.0, help="coefficient of variation of inter-arrival times")
    p.add_argument("--estimate-noise", type=float, default=0.0, help="sigma of the log-normal runtime-estimate error")
    p.add_argument("--partition", type=float, help="runtime partitioning: split tasks longer than this many seconds")
    p.add_argument("--size-mix", choices=("two-class", "google"), default="two-class")
    p.add_argument("--heavy-memory", type=float, default=1.0, help="memory units per heavy-user task (light: 1; pool: 2 x cores)")
    p.add_argument("--move-delay", type=float, default=0.0, help="seconds an executor needs to move to another job")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write metrics JSON here")
    p.add_argument("--report", help="write an HTML report with the executor Gantt chart")
    p.set_defaults(func=cmd_simulate_cluster)
