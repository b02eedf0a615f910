"""Single-machine tardiness: generator, ILS, rule descents, positional MIP, the study."""

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.result import Status
from schedlab.core.validate import first_violation
from schedlab.problems.generators import smtt_instance
from schedlab.solvers import SolveOptions, solve
from schedlab.studies.smtt import run_study, summarise


def test_generator_is_seeded_and_follows_the_due_date_range():
    a, b = smtt_instance(30, 0.6, 0.4, 7), smtt_instance(30, 0.6, 0.4, 7)
    assert [t.modes[0].duration for t in a.tasks] == [t.modes[0].duration for t in b.tasks]
    assert [j.due for j in a.jobs] == [j.due for j in b.jobs]
    total = sum(t.modes[0].duration for t in a.tasks)
    assert all(total * (1 - 0.6 - 0.2) - 1 <= j.due <= total * (1 - 0.6 + 0.2) for j in a.jobs)
    assert all(1 <= t.modes[0].duration <= 100 for t in a.tasks)
    assert smtt_instance(30, 0.6, 0.4, 8).jobs != a.jobs


@pytest.mark.parametrize("name", ["wt40-002", "wt40-050", "wt50-100"])
def test_ils_reaches_the_orlib_optimum(name):
    inst = find_instance(name)
    problem = inst.load()
    result = solve(problem, "ils", SolveOptions(seed=0, params={"iterations": 400}))
    assert first_violation(problem, result.schedule) is None
    assert result.objective == inst.best_known


@pytest.mark.parametrize("solver", ["edd+", "mdd+"])
def test_rule_descents_improve_on_their_rule(solver):
    problem = smtt_instance(40, 0.6, 0.6, 3)
    base = solve(problem, f"rules:{solver[:-1]}").objective
    result = solve(problem, solver)
    assert first_violation(problem, result.schedule) is None
    assert result.objective <= base


def test_positional_milp_matches_cpsat_on_small_instances():
    for k in range(3):
        problem = smtt_instance(8, 0.6, 0.4, k)
        exact = solve(problem, "milp-positional", SolveOptions(time_limit=30))
        assert exact.status is Status.OPTIMAL
        assert exact.objective == solve(problem, "cpsat", SolveOptions(time_limit=30)).objective
        weighted = smtt_instance(8, 0.6, 0.4, k, weighted=True)
        assert solve(weighted, "milp-positional", SolveOptions(time_limit=30)).objective == \
            solve(weighted, "cpsat", SolveOptions(time_limit=30)).objective


def test_study_rows_and_summary():
    rows = run_study([10], 2, exact_time_limit=10, ils_time_limit=0.2, seed=0)
    methods = {r.method for r in rows}
    assert {"rules:edd", "rules:mdd", "edd+", "mdd+", "ils", "milp-positional", "cpsat"} <= methods
    summary = {s["method"]: s for s in summarise(rows)}
    assert summary["milp-positional"]["proved_optimal"] == 2
    assert summary["ils"]["mean_gap_to_best_pct"] == 0.0
