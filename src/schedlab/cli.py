"""The ``schedlab`` command line: solve, validate, list, bench, simulate, capacity, serve, demo, warm-up, train."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from schedlab.core.errors import SchedlabError
from schedlab.core.model import OBJECTIVE_TERMS, Objective, Problem

console = Console(stderr=True, emoji=False)
# Not a terminal (a pipe, a file, a test): wide enough that tables print whole names instead of cutting them.
out = Console(soft_wrap=True, emoji=False, width=None if sys.stdout.isatty() else 200)


class OneLineParser(argparse.ArgumentParser):
    """Usage errors are one line on stderr and exit status 2, like every other schedlab error."""

    def error(self, message: str):  # type: ignore[override]
        where = self.prog.removeprefix("schedlab").strip()
        self.exit(2, f"schedlab: error: {where + ': ' if where else ''}{message}\n")


def _table(*columns: str) -> Table:
    table = Table(show_header=True)
    for col in columns:
        table.add_column(col, overflow="fold")
    return table


def _cmd_solve(args: argparse.Namespace) -> int:
    from schedlab.core.objectives import evaluate
    from schedlab.core.validate import first_violation
    from schedlab.instances import load_instance
    from schedlab.solvers.base import SolveOptions, solve

    loaded = load_instance(args.instance, args.format)
    problem = loaded.problem
    if args.objective:
        if not isinstance(problem, Problem):
            raise SchedlabError(f"--objective: {problem.name} is a {problem.kind} problem, which minimises the makespan only")
        problem = problem.with_objective(Objective.of(args.objective))
    status_line = console.status(f"solving {problem.name} with {args.solver}")
    started = time.perf_counter()

    def on_incumbent(objective: float, bound: float | None, elapsed: float) -> None:
        shown = "-" if bound is None else f"{bound:g}"
        status_line.update(f"{problem.name} [{args.solver}] incumbent {objective:g}  bound {shown}  {elapsed:.1f}s")

    with status_line:
        result = solve(
            problem,
            args.solver,
            SolveOptions(time_limit=args.time_limit, seed=args.seed, workers=args.workers, on_incumbent=on_incumbent,
                         params=dict(args.param or [])),
        )
    if result.schedule is not None:
        violation = first_violation(problem, result.schedule)
        if violation is not None:
            raise SchedlabError(f"internal error: solver {args.solver} produced an infeasible schedule: {violation}")
        if abs(evaluate(problem, result.schedule) - result.objective) > 1e-6 * max(1.0, abs(result.objective)):
            raise SchedlabError(f"internal error: solver {args.solver} reported objective {result.objective:g}, "
                                f"its schedule has {evaluate(problem, result.schedule):g}")
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
    schedule = load_schedule_json(args.schedule, problem)
    violation = first_violation(problem, schedule)
    if violation is not None:
        out.print(f"infeasible: {violation}")
        return 1
    out.print(f"feasible: {problem.objective.describe()} = {evaluate(problem, schedule)}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from schedlab.bench.suites import SUITES, suite_instances
    from schedlab.problems.formats.registry import FORMATS
    from schedlab.sim.commands import list_domains, list_policies
    from schedlab.solvers.capabilities import capability_table

    what = args.what
    if args.domain and what != "policies":
        raise SchedlabError(f"list {what} takes no domain; 'schedlab list policies {args.domain}' lists a domain's policies")
    if what == "solvers":
        table = capability_table(_table)
    elif what == "formats":
        table = _table("format", "extensions", "description")
        for name in FORMATS.names():
            table.add_row(name, " ".join(FORMATS.get(name).extensions), FORMATS.describe(name))
    elif what == "suites":
        table = _table("suite", "instances", "description")
        for name in SUITES.names():
            table.add_row(name, str(len(suite_instances(name))), SUITES.describe(name))
    elif what == "domains":
        table = list_domains(_table)
    elif what == "environments":
        from schedlab.learn.registry import TRAINABLE

        table = _table("environment", "gymnasium id", "description")
        for name, trainable in TRAINABLE.items():
            table.add_row(name, trainable.gym_id, trainable.description)
    else:
        table = list_policies(_table, args.domain)
    out.print(table)
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from schedlab.bench.runner import summarise, write_csv
    from schedlab.bench.suites import suite_instances
    from schedlab.solvers.base import SOLVERS, solver_names

    solver_names()  # registers the built-in solvers
    args.solver = [SOLVERS.canonical(name) for name in args.solver]  # fail early on unknown names
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
        left = col in ("instance", "class", "solver", "status")
        table.add_column(col, justify="left" if left else "right", overflow="fold", no_wrap=left)
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


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _cmd_warm_up(args: argparse.Namespace) -> int:
    from schedlab.solvers.warmup import warm_up

    seconds = warm_up()
    out.print(f"search kernels compiled and cached in {seconds:.1f} s")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="schedlab", description="Model, solve, simulate and compare scheduling problems.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("solve", help="solve one instance (a file or a bundled name such as ft06)")
    p.add_argument("instance")
    p.add_argument("--format", help="override format detection (see 'schedlab list formats')")
    p.add_argument("--solver", default="auto", help="see 'schedlab list solvers' (default: auto)")
    p.add_argument("--objective", choices=OBJECTIVE_TERMS, help="replace the instance's objective")
    p.add_argument("--time-limit", type=_positive, default=10.0, help="seconds (default 10)")
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--workers", type=_workers, default=2)
    p.add_argument("--param", type=_solver_param, action="append", metavar="KEY=VALUE",
                   help="a solver parameter (repeatable), e.g. --param samples=64 for learned-jobshop")
    p.add_argument("--out", help="write result JSON here")
    p.add_argument("--gantt", help="write a Gantt chart (.html, .png, .svg or .pdf)")
    p.set_defaults(func=_cmd_solve)

    p = sub.add_parser("validate", help="check a schedule against its instance")
    p.add_argument("instance")
    p.add_argument("schedule")
    p.add_argument("--format")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("list", help="list solvers, formats, suites, simulation domains, policies or trainable environments")
    p.add_argument("what", choices=("solvers", "formats", "suites", "domains", "policies", "environments"), nargs="?",
                   default="solvers")
    p.add_argument("domain", nargs="?", help="with 'policies': only this domain's")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("bench", help="run solvers on a bundled suite and report gaps to best-known values")
    p.add_argument("suite")
    p.add_argument("--solver", action="extend", nargs="+", help="one or more solvers, or repeat the option (default: cpsat)")
    p.add_argument("--time-limit", type=_positive, default=10.0)
    p.add_argument("--seed", type=_seed, default=0)
    p.add_argument("--workers", type=_workers, default=2)
    p.add_argument("--limit", type=_count, help="only the first N instances")
    p.add_argument("--instances", help="comma-separated instance names")
    p.add_argument("--iterations", type=_count, help="step budget for search solvers (results then do not depend on CPU speed)")
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
    p.add_argument("--time-limit", type=_positive, default=3.0)
    p.add_argument("--seed", type=_seed, default=0)
    p.set_defaults(func=_cmd_demo)

    from schedlab.service.cli import register as register_serve

    register_serve(sub)

    p = sub.add_parser("warm-up", help="compile and cache the search kernels (make run does this once at install)")
    p.set_defaults(func=_cmd_warm_up)

    from schedlab.learn.commands import register as register_train
    from schedlab.llm.commands import register as register_capacity
    from schedlab.sim.commands import register as register_simulate

    register_simulate(sub)
    register_capacity(sub)
    register_train(sub)
    return parser


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
    if not 0 < value <= 1e7:
        raise argparse.ArgumentTypeError(f"expected a number > 0 and <= 10000000, got {text[:40]!r}")
    return value


def _bounded_int(text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text[:40]!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected an integer >= {low} and <= {high}, got {value}")
    return value


def _seed(text: str) -> int:
    return _bounded_int(text, 0, 2**32 - 1)


def _solver_param(text: str) -> tuple[str, int | float | str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text[:40]!r}")
    for kind in (int, float):  # the narrowest type the text parses as; otherwise the text itself
        with contextlib.suppress(ValueError):
            return key, kind(value)
    return key, value


def _workers(text: str) -> int:
    return _bounded_int(text, 1, 256)


def _count(text: str) -> int:
    return _bounded_int(text, 1, 10**9)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command == "bench" and args.solver is None:
            args.solver = ["cpsat"]
        return args.func(args)
    except SchedlabError as exc:
        message = str(exc)
        if len(message) > 2000:  # never echo a whole bad input back
            message = message[:1000] + f" ... ({len(message) - 1000} more characters)"
        console.print(f"schedlab: error: {message}", markup=False, highlight=False, emoji=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        console.print("schedlab: interrupted", markup=False, highlight=False)
        return 130


if __name__ == "__main__":
    sys.exit(main())
