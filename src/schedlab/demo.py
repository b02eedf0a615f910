"""The main job on the bundled default: one instance of each problem class, solved and reported."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from schedlab.bench.suites import find_instance
from schedlab.core.model import Problem
from schedlab.core.validate import check_schedule
from schedlab.problems.formats.schedlab_json import read_schedlab_json
from schedlab.solvers.base import SolveOptions, solve
from schedlab.viz.report import ReportEntry, write_report


@dataclass(frozen=True)
class DemoCase:
    label: str
    problem: Problem
    best_known: float | None
    solvers: tuple[str, ...]


def _example(name: str) -> Problem:
    path = resources.files("schedlab") / "data" / "examples" / f"{name}.json"
    return read_schedlab_json(path.read_text(), f"examples/{name}.json", name)


def demo_cases() -> list[DemoCase]:
    cases = []
    for label, name, solvers in (
        ("job shop", "ft06", ("auto", "cpsat", "rules:mwkr")),
        ("job shop", "ta01", ("auto", "tabu", "rules:fcfs")),
        ("flexible job shop", "Mk01", ("auto", "rules:mwkr")),
        ("RCPSP", "j301_1", ("auto", "fbi", "rules:lft", "rules-parallel:lft")),
        ("single-machine weighted tardiness", "wt40-002", ("auto", "ils", "rules:atc", "mdd+")),
        ("permutation flow shop", "ta001", ("auto", "ig", "rules:mwkr")),
    ):
        inst = find_instance(name)
        cases.append(DemoCase(label, inst.load(), inst.best_known, solvers))
    for label, name, solvers in (
        ("parallel machines (JSON)", "parallel-machines", ("auto", "milp", "rules:spt")),
        ("open shop (JSON)", "open-shop", ("auto", "milp", "rules-parallel:lpt")),
        ("hybrid flow shop (JSON)", "hybrid-flow-shop", ("auto", "rules:mwkr")),
        ("setups, downtime, blocking (JSON)", "setup-shop", ("auto",)),
        ("multi-mode project (JSON)", "multi-mode-project", ("auto", "milp", "rules:lft")),
    ):
        cases.append(DemoCase(label, _example(name), None, solvers))
    return cases


def run_demo(out_dir: str | Path = "out", time_limit: float = 3.0, seed: int = 0, console: Console | None = None) -> Path:
    console = console or Console()
    table = Table(title=f"schedlab demo (time limit {time_limit:g} s, seed {seed})")
    for col in ("class", "instance", "objective function", "solver", "status", "objective", "bound", "best known",
                "gap %", "time s"):
        table.add_column(col, justify="left" if col in ("class", "instance", "objective function", "solver", "status")
                         else "right")
    entries = []
    for case in demo_cases():
        for solver in case.solvers:
            with console.status(f"{case.problem.name}: {solver} ..."):
                result = solve(case.problem, solver, SolveOptions(time_limit=time_limit, seed=seed))
            if result.schedule is not None:
                check_schedule(case.problem, result.schedule)
            gap = result.gap_to(case.best_known)
            table.add_row(case.label, case.problem.name, case.problem.objective.describe(), solver, result.status.value,
                          _num(result.objective), _num(result.lower_bound), _num(case.best_known),
                          "-" if gap is None else f"{gap:.2f}", f"{result.runtime_s:.3f}")
            entries.append(ReportEntry(case.problem, result, case.best_known, case.label))
    console.print(table)
    path = write_report(Path(out_dir) / "report.html", "schedlab demo report", entries,
                        f"Every schedule was checked by the feasibility validator. Time limit {time_limit:g} s, "
                        f"seed {seed}, 2 CP-SAT workers.")
    console.print(f"report written to {path.resolve()}")
    return path


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"
