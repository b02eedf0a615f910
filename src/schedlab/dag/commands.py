"""`schedlab solve` for DAG JSON files and `schedlab simulate dag`."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from schedlab.core.errors import SchedlabError
from schedlab.dag.algorithms import DAG_ALGORITHMS
from schedlab.dag.io import read_dag
from schedlab.dag.schedule import first_violation, metrics


def solve_dag_file(args: argparse.Namespace, printer) -> int:
    problem = read_dag(args.instance)
    solver = "heft" if args.solver == "auto" else args.solver
    started = time.perf_counter()
    lower = None
    status = "feasible"
    if solver == "exact":
        from schedlab.dag.exact import solve_exact

        res = solve_exact(problem, args.time_limit, args.seed, args.workers, hint=DAG_ALGORITHMS.get("heft")(problem))
        if res.schedule is None:
            printer(f"instance {problem.name}  solver exact  status unknown  time {time.perf_counter() - started:.3f}s")
            return 1
        schedule, status, lower = res.schedule, res.status, res.lower_bound
    else:
        if solver not in DAG_ALGORITHMS:
            raise SchedlabError(f"unknown DAG algorithm {solver!r}; known: exact, {', '.join(DAG_ALGORITHMS.names())}")
        schedule = DAG_ALGORITHMS.get(solver)(problem)
    violation = first_violation(problem, schedule)
    if violation is not None:
        raise SchedlabError(f"internal error: {solver} produced an invalid schedule: {violation}")
    m = metrics(problem, schedule)
    bound = f"  lower bound {lower:g}" if lower is not None else ""
    printer(
        f"instance {problem.name}  solver {solver}  status {status}  makespan {m['makespan']:g}{bound}  SLR {m['slr']:.3f}  "
        f"speedup {m['speedup']:.3f}  efficiency {m['efficiency']:.3f}  time {time.perf_counter() - started:.3f}s"
    )
    if args.out:
        Path(args.out).write_text(json.dumps({**schedule.to_dict(), **m, "status": status, "lower_bound": lower}, indent=1))
    if args.gantt:
        from schedlab.dag.report import write_dag_gantt

        write_dag_gantt(args.gantt, problem, schedule)
    return 0


def cmd_simulate_dag(args: argparse.Namespace) -> int:
    from schedlab.dag.online import simulate_soc

    if args.jobs < 1 or args.noise < 0 or (args.rate is not None and args.rate <= 0):
        raise SchedlabError("--jobs must be positive, --noise non-negative and --rate positive")
    m = simulate_soc(args.policy, jobs=args.jobs, rate=args.rate, noise=args.noise, seed=args.seed, report=args.report)
    if args.out:
        Path(args.out).write_text(json.dumps(m, indent=1))
    print(
        f"{m['finished']}/{m['arrived']} jobs finished; latency mean {m['latency.mean']:.1f} p95 {m['latency.p95']:.1f}; "
        f"policy {m['policy']}, rate {m['rate']:.4g}, noise {m['noise']}"
    )
    return 0


def register(simulate_domains) -> None:
    p = simulate_domains.add_parser("dag", help="DAG jobs arriving on a heterogeneous SoC (DS3 style)")
    p.add_argument("--policy", default="heft", help="heft (mapped at arrival), etf or met")
    p.add_argument("--jobs", type=int, default=500)
    p.add_argument("--rate", type=float, help="job arrival rate (default: 70%% of the SoC's estimated capacity)")
    p.add_argument("--noise", type=float, default=0.2, help="sigma of the log-normal execution-time noise")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write metrics JSON here")
    p.add_argument("--report", help="write an HTML report: PE Gantt chart and job-latency histogram")
    p.set_defaults(func=cmd_simulate_dag)
