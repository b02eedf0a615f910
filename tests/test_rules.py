"""Dispatching rules: valid schedules on every problem class, determinism, known behaviour."""

from pathlib import Path

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.validate import first_violation
from schedlab.problems.formats.registry import read_problem
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.base import solver_names
from schedlab.solvers.rules.priorities import RULES

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "schedlab" / "data" / "examples"
INSTANCES = ["ft06", "la16", "Mk01", "j301_1", "wt40-001", "ta001"]
RULE_SOLVERS = [n for n in solver_names() if n.startswith("rules")]


@pytest.fixture(scope="module")
def problems():
    return {name: find_instance(name).load() for name in INSTANCES}


def test_every_rule_is_registered_in_both_schemes():
    assert len(RULE_SOLVERS) == 2 * len(RULES)
    for rule in ("spt", "lpt", "mwkr", "lwkr", "mor", "fcfs", "edd", "mdd", "atc", "cr", "slack", "random"):
        assert f"rules:{rule}" in RULE_SOLVERS and f"rules-parallel:{rule}" in RULE_SOLVERS


@pytest.mark.parametrize("name", INSTANCES)
@pytest.mark.parametrize("solver", RULE_SOLVERS)
def test_rule_schedules_are_valid(problems, name, solver):
    problem = problems[name]
    result = solve(problem, solver, SolveOptions(seed=1))
    assert first_violation(problem, result.schedule) is None
    assert result.objective is not None and result.objective > 0


@pytest.mark.parametrize("solver", ["rules:random", "rules-parallel:random", "rules:atc"])
def test_same_seed_same_schedule(problems, solver):
    problem = problems["la16"]
    first = solve(problem, solver, SolveOptions(seed=7))
    again = solve(problem, solver, SolveOptions(seed=7))
    assert first.schedule == again.schedule


def test_random_rule_depends_on_seed(problems):
    problem = problems["la16"]
    objectives = {solve(problem, "rules:random", SolveOptions(seed=s)).objective for s in range(6)}
    assert len(objectives) > 1


def test_giffler_thompson_schedules_are_active(problems):
    """No operation can be moved earlier into an idle gap on its machine without delaying another."""
    problem = problems["ft06"]
    result = solve(problem, "rules:spt")
    by_machine = {}
    for s in result.schedule:
        by_machine.setdefault(problem.tasks[s.task].modes[s.mode].resources[0], []).append(s)
    ends = {s.task: s.end for s in result.schedule}
    for items in by_machine.values():
        items.sort(key=lambda s: s.start)
        for s in items:
            ready = max([ends[p.before] for p in problem.predecessors[s.task]], default=0)
            duration = s.end - s.start
            gaps = [(0, items[0].start)] + [(a.end, b.start) for a, b in zip(items, items[1:], strict=False)]
            for gap_start, gap_end in gaps:
                if gap_end > s.start:
                    break
                assert max(gap_start, ready) + duration > gap_end, f"task {s.task} fits into gap {gap_start}-{gap_end}"


def test_edd_on_single_machine_orders_by_due_date(tardiness3):
    result = solve(tardiness3, "rules:edd")
    assert [s.task for s in result.schedule] == [2, 0, 1]  # due dates 2, 3, 4


def test_spt_minimises_total_completion_on_one_machine():
    from schedlab.problems.shop import single_machine

    problem = single_machine("spt", [5, 1, 3, 2], [1, 1, 1, 1], [0, 0, 0, 0], objective="total_completion")
    result = solve(problem, "rules:spt")
    assert [s.task for s in result.schedule] == [1, 3, 2, 0]
    assert result.objective == 1 + 3 + 6 + 11


def test_rules_handle_setups_and_downtime_on_machines():
    from schedlab.core.model import ProblemBuilder

    b = ProblemBuilder("setups")
    m = b.add_machine(unavailable=[(3, 5)])
    tasks = [b.add_task([(m, d)], job=b.add_job()) for d in (2, 2, 2)]
    for x in tasks:
        for y in tasks:
            if x != y:
                b.add_setup(m, x, y, 1)
    problem = b.build()
    result = solve(problem, "rules:spt")
    assert first_violation(problem, result.schedule) is None
    assert result.objective == 2 + 1 + 2 + 1 + 2 + 2  # 0-2, setup, (3-5 down) 5-7, setup, 8-10


def test_rules_refuse_blocking():
    from schedlab.core.errors import UnsupportedProblemError

    problem = read_problem(EXAMPLES / "setup-shop.json")
    with pytest.raises(UnsupportedProblemError, match="blocking"):
        solve(problem, "rules:spt")
