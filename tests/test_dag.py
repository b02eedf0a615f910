"""Heterogeneous DAG scheduling: the Topcuoglu example, validity, exact optimum, bad input, online SoC."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from schedlab.cli import main
from schedlab.core.errors import ModelError
from schedlab.dag.algorithms import DAG_ALGORITHMS
from schedlab.dag.exact import solve_exact
from schedlab.dag.generators import WORKFLOWS, random_dag, workflow
from schedlab.dag.heuristics import critical_path, heft
from schedlab.dag.listsched import downward_ranks, upward_ranks
from schedlab.dag.model import DagProblem
from schedlab.dag.online import simulate_soc
from schedlab.dag.schedule import DagSchedule, first_violation, metrics

W = [
    [14, 16, 9],
    [13, 19, 18],
    [11, 13, 19],
    [13, 8, 17],
    [12, 13, 10],
    [13, 16, 9],
    [7, 15, 11],
    [5, 11, 14],
    [18, 12, 20],
    [21, 7, 16],
]
E = [
    (1, 2, 18),
    (1, 3, 12),
    (1, 4, 9),
    (1, 5, 11),
    (1, 6, 14),
    (2, 8, 19),
    (2, 9, 16),
    (3, 7, 23),
    (4, 8, 27),
    (4, 9, 23),
    (5, 9, 13),
    (6, 8, 15),
    (7, 10, 17),
    (8, 10, 11),
    (9, 10, 13),
]
PAPER = DagProblem.build(W, [(a - 1, b - 1, c) for a, b, c in E], name="topcuoglu2002")


def test_paper_example_ranks_heft_80_and_cpop_86():
    assert np.allclose(upward_ranks(PAPER), [108, 77, 80, 80, 69, 63.333333, 42.666667, 35.666667, 44.333333, 14.666667])
    assert DAG_ALGORITHMS.get("heft")(PAPER).makespan == 80
    assert DAG_ALGORITHMS.get("cpop")(PAPER).makespan == 86
    priority = [a + b for a, b in zip(upward_ranks(PAPER), downward_ranks(PAPER), strict=True)]
    assert critical_path(PAPER, priority) == [0, 1, 8, 9]  # n1, n2, n9, n10 in the paper
    m = metrics(PAPER, heft(PAPER))
    assert math.isclose(m["slr"], 80 / 41) and math.isclose(m["speedup"], 127 / 80)


def test_exact_optimum_of_the_paper_example():
    res = solve_exact(PAPER, time_limit=30)
    assert res.status == "optimal" and res.schedule.makespan == 73 and res.lower_bound == 73
    assert first_violation(PAPER, res.schedule) is None


@pytest.mark.parametrize("seed", range(4))
def test_heuristics_never_beat_the_exact_optimum_on_small_dags(seed):
    dag = DagProblem.build(
        np.round(random_dag(9, 3, ccr=1.0, seed=seed).cost),
        [(u, v, round(d)) for u, v, d in random_dag(9, 3, ccr=1.0, seed=seed).edges],
    )
    opt = solve_exact(dag, time_limit=30)
    assert opt.status == "optimal"
    for name in DAG_ALGORITHMS.names():
        s = DAG_ALGORITHMS.get(name)(dag)
        assert first_violation(dag, s) is None, name
        assert s.makespan >= opt.schedule.makespan - 1e-9, name


@pytest.mark.parametrize("name", DAG_ALGORITHMS.names())
def test_every_algorithm_is_valid_on_generated_dags_and_deterministic(name):
    algo = DAG_ALGORITHMS.get(name)
    dags = [random_dag(60, 6, ccr=c, alpha=a, seed=s) for s, (c, a) in enumerate([(0.1, 0.5), (1.0, 1.0), (10.0, 2.0)])]
    dags += [workflow(w, 6, 4, seed=1) for w in WORKFLOWS]
    for dag in dags:
        s = algo(dag)
        assert first_violation(dag, s) is None, (name, dag.name)
        assert metrics(dag, s)["slr"] >= 1.0 - 1e-9
        assert algo(dag) == s


def test_network_latency_and_bandwidth_and_forbidden_processors():
    dag = DagProblem.build([[2, math.inf], [3, 1]], [(0, 1, 10)], latency=[[0, 5], [5, 0]], bandwidth=[[1, 2], [2, 1]])
    s = heft(dag)
    assert s.processor[0] == 0  # cannot run on processor 1
    # on processor 1: 2 + 5 + 10/2 + 1 = 13; on processor 0: 2 + 3 = 5
    assert s.processor[1] == 0 and s.makespan == 5
    assert first_violation(dag, DagSchedule((0, 1), (0.0, 2.0), (2.0, 3.0))) is not None  # input arrives at 12


def test_malformed_dags_are_rejected():
    with pytest.raises(ModelError, match="cycle"):
        DagProblem.build([[1], [1]], [(0, 1, 0), (1, 0, 0)])
    with pytest.raises(ModelError, match="outside"):
        DagProblem.build([[1], [1]], [(0, 5, 0)])
    with pytest.raises(ModelError, match="no cost"):
        DagProblem.build([[1, float("nan")]], [])
    with pytest.raises(ModelError, match="cannot run on any"):
        DagProblem.build([[math.inf]], [])


def test_cli_solves_dag_json_and_reports_bad_files(tmp_path, capsys):
    from schedlab.dag.io import dag_to_json

    path = tmp_path / "paper.json"
    path.write_text(dag_to_json(PAPER))
    out = tmp_path / "r.json"
    assert main(["solve", str(path), "--solver", "cpop", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["objective"] == 86 and result["status"] == "feasible" and len(result["schedule"]) == PAPER.n_tasks
    assert main(["validate", str(path), str(out)]) == 0
    assert main(["solve", str(path), "--solver", "auto", "--time-limit", "5", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["objective"] == 73 and json.loads(out.read_text())["status"] == "optimal"
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "dag", "cost": [[1], [2]], "edges": [[0, 1, 1], [1, 0, 1]]}')
    assert main(["solve", str(bad)]) == 2
    assert "cycle" in capsys.readouterr().err


def test_online_soc_runs_every_job_and_is_seeded():
    a = simulate_soc("etf", jobs=150, seed=3)
    b = simulate_soc("etf", jobs=150, seed=3)
    assert a == b and a["finished"] == a["arrived"] == 150
    for policy in ("heft", "met"):
        m = simulate_soc(policy, jobs=100, seed=1)
        assert m["finished"] == 100 and m["latency.mean"] > 0
    assert all(0 <= u <= 1.0 + 1e-9 for u in a["pe_utilization"])


def test_cli_simulate_dag_writes_metrics_and_report(tmp_path):
    out, report = tmp_path / "m.json", tmp_path / "r.html"
    assert (
        main(["simulate", "dag", "--policy", "heft", "--jobs", "60", "--seed", "1", "--out", str(out), "--report", str(report)])
        == 0
    )
    m = json.loads(out.read_text())["metrics"]
    assert m["finished"] == 60 and m["latency.mean"] > 0
    page = report.read_text()
    assert "Timeline" in page and "pe_utilization" in page
    assert main(["simulate", "dag", "--jobs", "0"]) == 2


def test_peft_reproduces_the_papers_worked_example():
    """Arabnejad & Barbosa (2014), Fig. 1: the OCT table, PEFT's schedule (makespan 122) and HEFT's 133."""
    from schedlab.dag.heuristics import optimistic_cost_table, peft

    w = [[22, 21, 36], [22, 18, 18], [32, 27, 43], [7, 10, 4], [29, 27, 35], [26, 17, 24], [14, 25, 30], [29, 23, 36],
         [15, 21, 8], [13, 16, 33]]
    edges = [(0, 1, 17), (0, 2, 31), (0, 3, 29), (0, 4, 13), (0, 5, 7), (1, 7, 3), (1, 8, 30), (2, 6, 16), (3, 7, 11),
             (3, 8, 7), (4, 8, 57), (5, 7, 5), (6, 9, 9), (7, 9, 42), (8, 9, 7)]
    problem = DagProblem.build(w, edges, name="peft2014")
    assert optimistic_cost_table(problem).tolist() == [[64, 68, 86], [42, 39, 42], [27, 41, 43], [42, 39, 50], [28, 37, 28],
                                                       [42, 39, 44], [13, 16, 22], [13, 16, 33], [13, 16, 20], [0, 0, 0]]
    schedule = peft(problem)
    assert schedule.makespan == 122 and first_violation(problem, schedule) is None
    assert schedule.processor == (0, 0, 0, 0, 2, 1, 0, 1, 2, 1)
    assert schedule.start == (0, 29, 51, 22, 35, 29, 83, 54, 81, 106)
    assert DAG_ALGORITHMS.get("heft")(problem).makespan == 133
