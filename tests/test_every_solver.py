"""Every registered solver on one instance of every problem class: it either refuses the
problem with a reason, or returns a schedule that the validator accepts, with its objective."""

from pathlib import Path

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.errors import UnsupportedProblemError
from schedlab.core.objectives import evaluate
from schedlab.core.validate import first_violation
from schedlab.problems.formats.registry import read_problem
from schedlab.solvers import SolveOptions, solve
from schedlab.solvers.base import get_solver, solver_names

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "schedlab" / "data" / "examples"
CLASSES = ["ft06", "Mk01", "j301_1", "wt40-002", "ta001", "open-shop", "parallel-machines", "hybrid-flow-shop",
           "setup-shop", "multi-mode-project"]
SOLVERS = [s for s in solver_names() if not s.startswith("rules")] + ["rules:mwkr", "rules-parallel:lft"]
TOO_BIG_FOR_MILP = {"wt40-002", "ta001", "Mk01", "ft06", "j301_1"}  # no time-indexed solution within 2 s


def _load(name):
    return read_problem(EXAMPLES / f"{name}.json") if (EXAMPLES / f"{name}.json").exists() else find_instance(name).load()


@pytest.fixture(scope="module")
def problems():
    return {name: _load(name) for name in CLASSES}


@pytest.mark.parametrize("name", CLASSES)
@pytest.mark.parametrize("solver", SOLVERS)
def test_solver_on_class(problems, solver, name):
    problem = problems[name]
    if solver == "milp" and name in TOO_BIG_FOR_MILP:
        pytest.skip("time-indexed MILP is for small instances")
    reason = get_solver(solver).unsupported(problem)
    if reason is not None:
        with pytest.raises(UnsupportedProblemError, match="cannot solve"):
            solve(problem, solver, SolveOptions(time_limit=2))
        return
    limit = 10 if solver == "milp-positional" else 2  # HiGHS's first incumbent on n=40 can take > 2 s on a loaded machine
    result = solve(problem, solver, SolveOptions(time_limit=limit, seed=0, params={"iterations": 50}))
    assert result.schedule is not None, f"{solver} found no schedule for {name}"
    assert first_violation(problem, result.schedule) is None
    assert result.objective == evaluate(problem, result.schedule)
