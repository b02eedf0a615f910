"""The ``schedlab`` command line: solve, validate, list, bench, demo."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from schedlab.core.errors import SchedlabError
from schedlab.core.model import OBJECTIVE_TERMS, Objective

console = Console(stderr=True)
out = Console(soft_wrap=True)


def _is_dag_file(name: str) -> bool:
    from pathlib import Path

    from schedlab.dag.io import is_dag_json

    path = Path(name)
    return path.suffix == ".json" and path.is_file() and is_dag_json(path.read_text(errors="replace"))


def _cmd_solve(args: argparse.Namespace) -> int:
    from schedlab.core.objectives import evaluate
    from schedlab.core.validate import first_violation
    from schedlab.instances import load_instance
    from schedlab.solvers.base import SolveOptions, solve

    if args.format == "dag" or _is_dag_file(args.instance):
        from schedlab.dag.commands import solve_dag_file

        return solve_dag_file(args, out.print)
    loaded = load_instance(args.instance, args.format)
    problem = loaded.problem
    if args.objective:
        problem = problem.with_objective(Objective.of(args.objective))
    status_line = console.status(f"solving {problem.name} with {args.solver}")
    started = time.perf_counter()

    def on_incumbent(objective: float, bound: float | None, elapsed: float) -> None:
        status_line.update(f"{problem.name} [{args.solver}] incumbent {objective:g}  bound {bound:g}  {elapsed:.1f}s")

    with status_line:
        result = solve(
            problem,
            args.solver,
            SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=args.workers, on_incumbent=on_incumbent),
        )
    if result.schedule is not None:
        violation = first_violation(problem, result.schedule)
        if violation is not None:
            raise SchedlabError(f"internal error: solver {args.solver} produced an infeasible schedule: {violation}")
        assert evaluate(problem, result.schedule) == result.objective
    gap = result.gap_to(loaded.best_known)
    fields = [
        f"instance {problem.name}",
        f"solver {result.solver}",
        f"status {result.status.value}",
        f"objective {result.objective:g}" if result.objective is not None else "objective -",
        f"lower bound {result.lower_bound:g}" if result.lower_bound is not None else "lower bound -",
    ]
    if loaded.best_known is not None:
        fields.append(f"best known {loaded.best_known:g}")
        if gap is not None:
            fields.append(f"gap {gap:.2f}%")
    fields.append(f"time {time.perf_counter() - started:.3f}s")
    out.print("  ".join(fields))
    if args.out:
        result.write_json(args.out, problem)
        out.print(f"result written to {args.out}")
    if args.gantt:
        if result.schedule is None:
            raise SchedlabError("no schedule to draw: the solver found none")
        from schedlab.viz.gantt import write_gantt

        write_gantt(args.gantt, problem, result.schedule, f"{problem.name} - {result.solver}")
        out.print(f"Gantt chart written to {args.gantt}")
    return 0 if result.status.value in ("optimal", "feasible") else 1


def _cmd_validate(args: argparse.Namespace) -> int:
    from schedlab.core.objectives import evaluate
    from schedlab.core.result import load_schedule_json
    from schedlab.core.validate import first_violation
    from schedlab.instances import load_instance

    problem = load_instance(args.instance, args.format).problem
    schedule = load_schedule_json(args.schedule)
    violation = first_violation(problem, schedule)
    if violation is not None:
        out.print(f"infeasible: {violation}")
        return 1
    out.print(f"feasible: {problem.objective.describe()} = {evaluate(problem, schedule)}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from schedlab.bench.suites import SUITES, suite_instances
    from schedlab.problems.formats.registry import FORMATS
    from schedlab.solvers.base import SOLVERS, solver_names

    what = args.what
    table = Table(show_header=True)
    if what == "solvers":
        table.add_column("solver")
        table.add_column("description")
        for name in solver_names():
            table.add_row(name, SOLVERS.describe(name))
    elif what == "formats":
        table.add_column("format")
        table.add_column("extensions")
        table.add_column("description")
        for name in FORMATS.names():
            table.add_row(name, " ".join(FORMATS.get(name).extensions), FORMATS.describe(name))
    else:
        table.add_column("suite")
        table.add_column("instances", justify="right")
        table.add_column("description")
        for name in SUITES.names():
            table.add_row(name, str(len(suite_instances(name))), SUITES.describe(name))
    out.print(table)
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from schedlab.bench.runner import summarise, write_csv
    from schedlab.bench.suites import suite_instances
    from schedlab.solvers.base import get_solver

    for solver in args.solver:
        get_solver(solver)  # fail early on unknown names
    instances = suite_instances(args.suite)
    if args.instances:
        wanted = {n.lower() for n in args.instances.split(",")}
        instances = [i for i in instances if i.name.lower() in wanted]
    if args.limit:
        instances = instances[: args.limit]
    if not instances:
        raise SchedlabError(f"suite {args.suite}: no instance selected")
    from schedlab.bench.executors import Run, run_sweep

    runs = [
        Run(args.suite, inst.name, solver, args.time_limit, args.seed, args.workers, args.iterations)
        for inst in instances
        for solver in args.solver
    ]
    started = time.time()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{args.suite} ({args.executor})", total=len(runs))
        rows = run_sweep(runs, args.executor, args.address, on_row=lambda row: progress.advance(task))
    if args.db:
        _record_sweep(args, instances, rows, started)
    table = Table(title=f"{args.suite}: time limit {args.time_limit:g} s, seed {args.seed}")
    for col in ("instance", "class", "solver", "status", "objective", "bound", "best known", "gap %", "time s", "valid"):
        table.add_column(col, justify="left" if col in ("instance", "class", "solver", "status") else "right")
    for r in rows:
        table.add_row(
            r.instance,
            r.size_class,
            r.solver,
            r.status,
            _num(r.objective),
            _num(r.lower_bound),
            _num(r.best_known),
            "-" if r.gap_pct is None else f"{r.gap_pct:.2f}",
            f"{r.runtime_s:.3f}",
            "yes" if r.valid else ("-" if r.status == "unsupported" else "NO"),
        )
    out.print(table)
    summary = Table(title="mean per size class")
    for col in ("class", "solver", "instances", "mean gap %", "at best known", "mean time s", "max time s"):
        summary.add_column(col, justify="left" if col in ("class", "solver") else "right")
    for s in summarise(rows):
        summary.add_row(
            s.size_class,
            s.solver,
            str(s.instances),
            "-" if s.mean_gap_pct is None else f"{s.mean_gap_pct:.2f}",
            str(s.at_best_known),
            f"{s.mean_runtime_s:.4f}",
            f"{s.max_runtime_s:.4f}",
        )
    out.print(summary)
    if args.out:
        write_csv(args.out, rows)
        out.print(f"results written to {args.out}")
    invalid = [r for r in rows if not r.valid and r.status in ("optimal", "feasible")]
    return 1 if invalid else 0


def _record_sweep(args: argparse.Namespace, instances, rows, started: float) -> None:
    """Put the sweep in the service's job store, as a finished sweep job the dashboard lists."""
    from dataclasses import asdict

    from schedlab.service.store import Store, default_url

    if "://" not in args.db:
        Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    url = args.db if "://" in args.db else default_url(args.db)
    spec = {
        "suite": args.suite,
        "solvers": args.solver,
        "seeds": [args.seed],
        "time_limit": args.time_limit,
        "iterations": args.iterations,
        "limit": None,
        "instances": [i.name for i in instances],
        "executor": args.executor,
        "address": args.address,
    }
    job_id = Store(url).record("sweep", spec, {"rows": [asdict(r) for r in rows], "executor": args.executor}, started)
    out.print(f"recorded as sweep job {job_id} in {args.db}")


def _cmd_demo(args: argparse.Namespace) -> int:
    from schedlab.demo import run_demo

    run_demo(args.out_dir, args.time_limit, args.seed, Console(width=max(out.width, 170)))  # the table is wide
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import socket
    import threading

    import uvicorn

    from schedlab.service.app import create_app

    with socket.socket() as probe:  # a busy port is one readable line, not uvicorn's traceback
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise SchedlabError(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); try --port") from None
    app = create_app(args.db, args.workers, args.max_active, args.job_timeout, args.job_memory_mb)
    url = f"http://{args.host}:{args.port}"
    if args.examples and not app.state.store.counts():
        from schedlab.service.examples import submit_examples

        ids = submit_examples(app.state.store)
        out.print(f"running {len(ids)} bundled example jobs ({', '.join(map(str, ids))}) in the workers ...")
        threading.Thread(target=_announce_examples, args=(app.state.store, ids, url), daemon=True).start()
    out.print(f"schedlab service on {url}  (dashboard: {url}/ui/, API docs: {url}/docs; Ctrl-C stops it)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _announce_examples(store, ids: list[int], url: str) -> None:
    """Print each example job's outcome once all have finished, then the URL again."""
    while True:
        jobs = [store.get(i) for i in ids]
        if all(j.status in ("done", "failed", "cancelled") for j in jobs):
            break
        time.sleep(0.5)
    for job in jobs:
        spec = job.spec
        what = f"{spec['instance']} / {spec['solver']}" if job.kind == "solve" else f"{spec.get('domain')} {spec.get('params')}"
        result = store.result(job.id) if job.status == "done" else None
        shown = f"objective {result['objective']:g}" if result and result.get("objective") is not None else job.status
        out.print(f"  job {job.id}: {job.kind} {what}: {shown}")
    out.print(f"example jobs finished; open {url}/ui/")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="schedlab", description="Model, solve and compare scheduling problems.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("solve", help="solve one instance (a file or a bundled name such as ft06)")
    p.add_argument("instance")
    p.add_argument("--format", help="override format detection (see 'schedlab list formats')")
    p.add_argument(
        "--solver",
        default="auto",
        help="see 'schedlab list solvers' (default: auto); DAG files: heft, cpop, peft, lookahead-heft, met, etf, minmin, exact",
    )
    p.add_argument("--objective", choices=OBJECTIVE_TERMS, help="replace the instance's objective")
    p.add_argument("--time-limit", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out", help="write result JSON here")
    p.add_argument("--gantt", help="write a Gantt chart (.html or .png)")
    p.set_defaults(func=_cmd_solve)

    p = sub.add_parser("validate", help="check a schedule against its instance")
    p.add_argument("instance")
    p.add_argument("schedule")
    p.add_argument("--format")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("list", help="list solvers, formats or suites")
    p.add_argument("what", choices=("solvers", "formats", "suites"), nargs="?", default="solvers")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("bench", help="run solvers on a bundled suite and report gaps to best-known values")
    p.add_argument("suite")
    p.add_argument("--solver", action="extend", nargs="+", help="one or more solvers, or repeat the option (default: cpsat)")
    p.add_argument("--time-limit", type=float, default=10.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--limit", type=int, help="only the first N instances")
    p.add_argument("--instances", help="comma-separated instance names")
    p.add_argument("--iterations", type=int, help="step budget for search solvers (results then do not depend on CPU speed)")
    p.add_argument("--out", help="write the per-instance results as CSV")
    p.add_argument("--db", help="also record the sweep as a job in this service store (SQLite file or SQLAlchemy URL)")
    p.add_argument(
        "--executor",
        choices=("serial", "local", "ray"),
        default="local",
        help="local process pool (default), this process only, or a Ray cluster",
    )
    p.add_argument("--address", help="Ray cluster address (default: start a local Ray instance)")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("demo", help="solve a bundled instance of each problem class and write an HTML report")
    p.add_argument("--out-dir", default="out")
    p.add_argument("--time-limit", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("serve", help="run the job service (HTTP API and worker processes)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help="SQLite file or SQLAlchemy URL (default: schedlab-data/jobs.db)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--max-active", type=int, default=1000, help="refuse submissions (429) beyond this many unfinished jobs")
    p.add_argument("--job-timeout", type=float, default=3600.0)
    p.add_argument("--job-memory-mb", type=int, default=4096)
    p.add_argument("--examples", action="store_true", help="queue a few bundled example jobs when the store is empty")
    p.set_defaults(func=_cmd_serve)

    from schedlab.cluster.commands import register as register_cluster
    from schedlab.dag.commands import register as register_dag
    from schedlab.edge.commands import register as register_edge
    from schedlab.llm.commands import register as register_llm

    simulate = sub.add_parser(
        "simulate", help="simulate an online system: llm, dag (jobs on a SoC), cluster (multi-user Spark), edge"
    )
    simulate_domains = simulate.add_subparsers(dest="domain", required=True)
    capacity = sub.add_parser("capacity", help="highest request rate meeting latency targets (llm)")
    capacity_domains = capacity.add_subparsers(dest="domain", required=True)
    register_llm(simulate_domains, capacity_domains)
    register_dag(simulate_domains)
    register_cluster(simulate_domains)
    register_edge(simulate_domains)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "solver", None) is None and args.command == "bench":
        args.solver = ["cpsat"]
    try:
        return args.func(args)
    except SchedlabError as exc:
        console.print(f"schedlab: error: {exc}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        console.print("schedlab: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
